"""Engine settings. Filled by whoever embeds the engine (webui reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class EngineConfig:
    workflows_dir: Path = PROJECT_ROOT / "workflows"
    forms_dir: Path = PROJECT_ROOT / "forms"
    upload_dir: Path = PROJECT_ROOT / "instance" / "uploads"
    base_url: str = "http://127.0.0.1:5000"
    secret_key: str = "dev-only-secret"
    max_upload_bytes: int = 10 * 1024 * 1024
    # Put in the data of every new instance; diagrams read them (e.g. timer durations).
    process_defaults: dict = field(default_factory=lambda: {"activation_link_ttl": "PT48H"})
    mail_from: str = "SECOP II <no-responder@secop.example>"

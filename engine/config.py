"""Engine settings. Filled by whoever embeds the engine (webui reads the environment)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from engine.budget import Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class EngineConfig:
    workflows_dir: Path = PROJECT_ROOT / "workflows"
    forms_dir: Path = PROJECT_ROOT / "forms"
    upload_dir: Path = PROJECT_ROOT / "instance" / "uploads"
    base_url: str = "http://127.0.0.1:5000"
    secret_key: str = "dev-only-secret"
    max_upload_bytes: int = 10 * 1024 * 1024
    # Put in the data of every new instance; diagrams read them (e.g. timer durations). A
    # condition cannot test whether a variable exists, so what only one path of a diagram
    # sets starts here: filed_by_phone (the Mesa de Servicio filed the request for the
    # caller), chosen_account (the account the registration's "Validar" found).
    process_defaults: dict = field(
        default_factory=lambda: {
            "activation_link_ttl": "PT48H",
            # an unfinished registro_entidad step (before "Finalizar") expires after this long
            "registration_ttl": "P7D",
            "filed_by_phone": False,
            "chosen_account": None,
        }
    )
    mail_from: str = "SECOP II <no-responder@secop.example>"
    # The budget of every step: engine steps, wall time, sizes (engine.budget.Limits).
    limits: Limits = field(default_factory=Limits)
    # Uploads staged by a form that was never sent: the worker deletes them after this long,
    # and nobody may keep more than this many at once, per task and per person.
    staged_upload_ttl: dt.timedelta = dt.timedelta(hours=24)
    max_staged_per_task: int = 20
    max_staged_per_user: int = 40

    @classmethod
    def from_env(cls, environ=None) -> EngineConfig:
        """Settings from environment variables (the only place deployments configure us)."""
        env = os.environ if environ is None else environ
        config = cls()
        if env.get("WORKFLOWS_DIR"):
            config.workflows_dir = Path(env["WORKFLOWS_DIR"])
        if env.get("FORMS_DIR"):
            config.forms_dir = Path(env["FORMS_DIR"])
        if env.get("UPLOAD_DIR"):
            config.upload_dir = Path(env["UPLOAD_DIR"])
        config.base_url = env.get("BASE_URL", config.base_url).rstrip("/")
        config.secret_key = env.get("SECRET_KEY", config.secret_key)
        if env.get("MAX_UPLOAD_BYTES"):  # the web app's name for the same limit
            config.max_upload_bytes = int(env["MAX_UPLOAD_BYTES"])
        if env.get("MAX_UPLOAD_MB"):
            config.max_upload_bytes = int(float(env["MAX_UPLOAD_MB"]) * 1024 * 1024)
        if env.get("ACTIVATION_LINK_TTL"):
            config.process_defaults = {
                **config.process_defaults,
                "activation_link_ttl": env["ACTIVATION_LINK_TTL"],
            }
        if env.get("REGISTRATION_TTL"):
            config.process_defaults = {**config.process_defaults, "registration_ttl": env["REGISTRATION_TTL"]}
        config.mail_from = env.get("MAIL_FROM", config.mail_from)
        if env.get("STAGED_UPLOAD_TTL_HOURS"):
            config.staged_upload_ttl = dt.timedelta(hours=float(env["STAGED_UPLOAD_TTL_HOURS"]))
        if env.get("MAX_STAGED_UPLOADS_PER_TASK"):
            config.max_staged_per_task = int(env["MAX_STAGED_UPLOADS_PER_TASK"])
        if env.get("MAX_STAGED_UPLOADS_PER_USER"):
            config.max_staged_per_user = int(env["MAX_STAGED_UPLOADS_PER_USER"])
        return config


class MailNotConfigured(RuntimeError):
    """The worker would run with nowhere to send emails, outside development."""


def mail_transport_from_env(environ=None):
    """``(smtp_settings, transport)`` for the worker from ``SMTP_*`` and ``MAIL_BACKEND``.

    ``smtp`` (the default with ``SMTP_HOST``) sends through the relay; ``log`` sends nothing
    and logs each email's recipient and subject; ``dev`` (the default without ``SMTP_HOST``,
    only with ``APP_ENV=development``) leaves emails in the outbox for the development
    mailbox. Anything else refuses to start, naming ``SMTP_HOST``."""
    from engine.outbox import LogTransport

    env = os.environ if environ is None else environ
    development = env.get("APP_ENV", "").lower() == "development"
    backend = env.get("MAIL_BACKEND", "").strip().lower() or (
        "smtp" if env.get("SMTP_HOST") else ("dev" if development else "")
    )
    if backend == "smtp" and env.get("SMTP_HOST"):
        return smtp_settings_from_env(env), None
    if backend == "log":
        return None, LogTransport()
    if backend == "dev" and development:
        return None, None
    raise MailNotConfigured(
        "SMTP_HOST is not set: outside development (APP_ENV=development) the worker needs an SMTP "
        "relay. Set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS), or "
        "MAIL_BACKEND=log to send nothing and only log each email's recipient and subject."
    )


def smtp_settings_from_env(environ=None):
    """SMTP settings when ``SMTP_HOST`` is set, else None (emails stay in the dev mailbox)."""
    from engine.outbox import SmtpSettings

    env = os.environ if environ is None else environ
    if not env.get("SMTP_HOST"):
        return None
    return SmtpSettings(
        host=env["SMTP_HOST"],
        port=int(env.get("SMTP_PORT", "25")),
        user=env.get("SMTP_USER") or None,
        password=env.get("SMTP_PASSWORD") or None,
        starttls=env.get("SMTP_STARTTLS", "").lower() in ("1", "true", "yes", "on"),
        timeout=float(env.get("SMTP_TIMEOUT", "30")),
        mail_from=env.get("MAIL_FROM", EngineConfig.mail_from),
    )


def outbox_lease_from_env(environ=None):
    """How long a worker holds a claimed email (``OUTBOX_LEASE_SECONDS``, default 120 s).

    Another worker re-sends an email whose lease ran out, so the lease must outlast one SMTP
    conversation (several ``SMTP_TIMEOUT``s); it is also how long a crashed worker's emails wait.
    """
    import datetime as dt

    env = os.environ if environ is None else environ
    return dt.timedelta(seconds=float(env.get("OUTBOX_LEASE_SECONDS", "120")))

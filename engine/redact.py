"""Secrets never leave the engine: password hashes, tokens and the like are masked."""

from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(r"(password|contrase|token|hash|secret|argon2|clave)", re.IGNORECASE)
MASK = "[oculto]"


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if SECRET_KEY.search(str(k)) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value

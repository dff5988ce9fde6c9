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


# PostgreSQL's errors quote the offending values whatever ``hide_parameters`` says:
# "DETAIL:  Key (email)=(ana@example.gov.co) already exists.", "Failing row contains (…)".
_DATABASE_DETAIL = re.compile(
    r"(Key \(.*?\)=\().*?(\) (?:already exists|is not present))|(Failing row contains \().*(\))"
)


def database_details(text: str) -> str:
    """``text`` (an exception's message or traceback) without the row values a database
    error quotes: logs are no place for personal data."""
    return _DATABASE_DETAIL.sub(lambda m: f"{m[1] or m[3]}{MASK}{m[2] or m[4]}", text)

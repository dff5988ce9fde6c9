"""Bearer tokens for the JSON API: issued by ``flask create-token`` for a number of days,
shown once, stored as SHA-256 (engine/domain/credentials.py)."""

from __future__ import annotations

from engine.db import utcnow
from engine.domain import credentials
from engine.domain.models import ApiToken
from webui.core.extensions import db

DEFAULT_DAYS = 90
MAX_DAYS = 365


def issue(name: str, user_id: int | None, days: int = DEFAULT_DAYS) -> str:
    """Store a new token and return the raw value (the only time it exists in clear)."""
    raw, _ = credentials.issue_api_token(db.session, name, user_id, days, utcnow())
    db.session.commit()
    return raw


def lookup(raw: str) -> ApiToken | None:
    """The live token with this value (not revoked, not expired), or None."""
    now = utcnow()
    row = credentials.live_api_token(db.session, raw, now)
    if row is None:
        return None
    row.last_used_at = now
    db.session.commit()
    return row

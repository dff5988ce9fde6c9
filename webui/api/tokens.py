"""Bearer tokens for the JSON API: issued by ``flask create-token``, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from engine.db import utcnow
from engine.domain.models import ApiToken
from webui.core.extensions import db

PREFIX = "secop_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(name: str, user_id: int | None) -> str:
    """Store a new token and return the raw value (the only time it exists in clear)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(token_hash=digest(raw), name=name, user_id=user_id))
    db.session.commit()
    return raw


def lookup(raw: str) -> ApiToken | None:
    """The live token with this value, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw or "")))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row

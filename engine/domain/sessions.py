"""Login sessions as records (guide §9, "Accesos del usuario"): opened at "Entrar", ended by
"Salir", by a password change or recovery (every other session of the user), or from the
list of open sessions. The browser keeps only a random key; the table keeps its SHA-256.

The web layer checks a session on every request in the same statement that reads the user
and its roles (``seen_column``), and slides ``last_seen_at`` at most once a minute
(``touch``), as it slides the cookie's expiry.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import update

from engine.domain.models import User
from engine.domain.models import UserSession

ENDED_BY_LOGOUT = "salir"
ENDED_BY_PASSWORD = "contrasena"
ENDED_BY_RECOVERY = "recuperacion"
ENDED_BY_USER = "cerrada"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(session, user_id: int, ip: str | None, user_agent: str | None, now: dt.datetime) -> str:
    """A new session of ``user_id``; returns its key (the only time it exists in clear)."""
    key = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user_id,
            key_hash=key_hash(key),
            created_at=now,
            last_seen_at=now,
            ip=(ip or "")[:45] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    return key


def end_session(session, key: str, reason: str, now: dt.datetime) -> None:
    """End the session whose key this is (nothing if it ended already)."""
    session.execute(
        update(UserSession)
        .where(UserSession.key_hash == key_hash(key), UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_sessions(session, user_id: int, reason: str, now: dt.datetime, keep: str | None = None) -> int:
    """End every open session of ``user_id`` but the one with key ``keep``; how many ended."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.key_hash != key_hash(keep))
    return session.execute(query.values(ended_at=now, end_reason=reason)).rowcount


def close_session(session, user_id: int, session_id: int, now: dt.datetime) -> bool:
    """The user closes one of their own open sessions; False if it is not theirs or not open."""
    closed = session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=ENDED_BY_USER)
    ).rowcount
    return bool(closed)


def open_sessions(session, user_id: int, since: dt.datetime) -> list[UserSession]:
    """The user's sessions still open and used after ``since`` (older ones expired), newest first."""
    return session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at > since,
        )
        .order_by(UserSession.last_seen_at.desc())
    ).all()


@functools.cache
def seen_column():
    """``last_seen_at`` of the open session whose key hash is bound as ``session_key_hash``
    and that belongs to the user of the enclosing query, NULL if there is none: a column to
    read with the user (one round trip per request, not two)."""
    return (
        select(UserSession.last_seen_at)
        .where(
            UserSession.key_hash == bindparam("session_key_hash"),
            UserSession.user_id == User.id,
            UserSession.ended_at.is_(None),
        )
        .scalar_subquery()
        .label("session_seen_at")
    )


def touch(connection, key: str, now: dt.datetime) -> None:
    """The session was used now (its expiry slides from here)."""
    connection.execute(
        update(UserSession)
        .where(UserSession.key_hash == key_hash(key), UserSession.ended_at.is_(None))
        .values(last_seen_at=now)
    )

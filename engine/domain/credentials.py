"""Credentials besides the password itself: password-recovery links (guide §4, U5) and the
API's Bearer tokens, and what a new password does to them and to the user's sessions.

Every single-use token is consumed by one conditional UPDATE (``... WHERE used_at IS NULL``):
of any number of requests racing with the same link, exactly one changes the row and goes
on; the others find it used. Tokens are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from engine.actors import Actor
from engine.config import EngineConfig
from engine.context import StepContext
from engine.domain import rules
from engine.domain import sessions
from engine.domain.models import ApiToken
from engine.domain.models import EmailChangeRequest
from engine.domain.models import PasswordReset
from engine.domain.models import User
from engine.domain.registry import EMAIL_TEMPLATES
from engine.mail import Mailer

API_TOKEN_PREFIX = "secop_"
_mailer = Mailer(EMAIL_TEMPLATES)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(
    session, email: str, config: EngineConfig, ttl: dt.timedelta, now: dt.datetime
) -> bool:
    """Email a recovery link to the user with this email, if there is one (False if not:
    the caller answers the same either way). Queued in the outbox with this transaction."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        return False
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=now + ttl)
    )
    StepContext(session=session, actor=Actor.system(), config=config, now=now, mailer=_mailer).queue_email(
        user.email,
        "recuperar_contrasena",
        first_names=user.first_names,
        username=user.username,
        link=f"{config.base_url}/recuperar/{token}",
        minutes=int(ttl.total_seconds() // 60),
    )
    return True


CHANGED_USERNAME = "el nombre de usuario"
CHANGED_PASSWORD = "la contraseña"
CHANGED_EMAIL = "el correo electrónico"


def notify_credential_change(
    session, config: EngineConfig, user: User, what_changed: str, now: dt.datetime,
    to: str | None = None, new_value: str | None = None,
) -> None:  # fmt: skip
    """Tell the user, through the outbox in this transaction, that ``what_changed`` changed:
    if it was not them, they learn it at once (an email change is told to the old address,
    ``to``). Never the password itself."""
    when = now.replace(tzinfo=dt.UTC).astimezone(rules.time_zone(user.time_zone))
    StepContext(session=session, actor=Actor.system(), config=config, now=now, mailer=_mailer).queue_email(
        to or user.email,
        "credenciales_cambiadas",
        first_names=user.first_names,
        username=user.username,
        what_changed=what_changed,
        when=f"{when:%d/%m/%Y} a las {when:%H:%M}",
        new_value=new_value,
    )


def ask_email_confirmation(
    session, config: EngineConfig, user: User, new_email: str, link: str, hours: int, now: dt.datetime
) -> None:
    """Email ``new_email`` the link that makes it the user's address (the web layer signs it)."""
    StepContext(session=session, actor=Actor(user_id=user.id), config=config, now=now,
                mailer=_mailer).queue_email(  # fmt: skip
        new_email,
        "confirmar_correo",
        first_names=user.first_names,
        username=user.username,
        new_email=new_email,
        link=link,
        hours=hours,
    )


def reset_link_user(session, token: str, now: dt.datetime) -> User | None:
    """The user of a recovery link that can still be used (to show its form), or None."""
    return session.scalar(
        select(User)
        .join(PasswordReset, PasswordReset.user_id == User.id)
        .where(
            PasswordReset.token_hash == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
    )


def reset_password(session, token: str, password_hash: str, now: dt.datetime) -> User | None:
    """Use a recovery link: the new password hash is set and every session of the user ends.
    None when the link is unknown, expired or used — by this request's rivals too: only one
    request's UPDATE finds the link unused."""
    user_id = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.token_hash == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
        .returning(PasswordReset.user_id)
    ).scalar()
    if user_id is None:
        return None
    user = session.get(User, user_id)
    user.password_hash = password_hash
    password_changed(session, user_id, now, reason=sessions.ENDED_BY_RECOVERY)
    return user


def password_changed(
    session,
    user_id: int,
    now: dt.datetime,
    keep_session: str | None = None,
    reason: str = sessions.ENDED_BY_PASSWORD,
) -> None:
    """What a new password ends: every session but ``keep_session`` (the one that changed it),
    every API token of the user, and every recovery link still unused."""
    sessions.end_sessions(session, user_id, reason, now, keep=keep_session)
    revoke_api_tokens(session, now, user_id=user_id)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


def issue_api_token(
    session, name: str, user_id: int | None, days: int, now: dt.datetime
) -> tuple[str, ApiToken]:
    """A new token valid for ``days`` days: ``(raw value, row)``; the raw value exists only here."""
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=_digest(raw),
        name=name,
        user_id=user_id,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(row)
    return raw, row


def live_api_token(session, raw: str, now: dt.datetime) -> ApiToken | None:
    """The token with this value if it is neither revoked nor expired."""
    return session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _digest(raw or ""),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )


def revoke_api_tokens(session, now: dt.datetime, user_id: int | None = None, name: str | None = None) -> int:
    """Revoke the live tokens of a user, or with a name; how many were revoked."""
    if user_id is None and name is None:
        raise ValueError("revoke the tokens of a user or with a name, not every token")
    query = update(ApiToken).where(ApiToken.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    if name is not None:
        query = query.where(ApiToken.name == name)
    return session.execute(query.values(revoked_at=now)).rowcount


def request_email_change(session, user_id: int, new_email: str, now: dt.datetime) -> str:
    """A new nonce for the confirmation link of ``new_email``: it replaces the user's pending
    request, so links sent before stop working (D1)."""
    nonce = secrets.token_urlsafe(24)
    row = session.get(EmailChangeRequest, user_id, with_for_update=True)
    if row is None:
        row = EmailChangeRequest(user_id=user_id)
        session.add(row)
    row.nonce_hash, row.new_email, row.created_at = _digest(nonce), new_email, now
    session.flush()
    return nonce


def pending_email_change(session, user_id: int, nonce: str, new_email: str) -> EmailChangeRequest | None:
    """The user's pending request if the link's nonce and address are its, else None."""
    row = session.get(EmailChangeRequest, user_id)
    if row is None or row.new_email != new_email:
        return None
    return row if secrets.compare_digest(row.nonce_hash, _digest(nonce)) else None


def end_email_change(session, user_id: int) -> None:
    """The request was confirmed: no link of it (nor any before) applies again."""
    row = session.get(EmailChangeRequest, user_id)
    if row is not None:
        session.delete(row)

"""Everything webui needs from the domain ``User`` and ``LoginEvent`` rows, in one place."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import func
from sqlalchemy import select

from engine.db import utcnow
from engine.domain import credentials
from engine.domain import personal_data
from engine.domain.models import LoginEvent
from engine.domain.models import User
from engine.domain.models import UserRole
from webui.core.extensions import db
from webui.core.identity import runner
from webui.core.identity import user_can_login

_hasher = PasswordHasher()


def username_key(username: str) -> str:
    """What "Entrar" compares with the lower-cased usernames: also what its limit counts."""
    return username.strip().lower()


def find_by_username(username: str):
    return db.session.scalar(select(User).where(func.lower(User.username) == username_key(username)))


def find_by_email(email: str):
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _stored_hash(user) -> str | None:
    value = getattr(user, "password_hash", None)
    if isinstance(value, dict):
        value = value.get("argon2")
    return value


def check_password(user, password: str) -> bool:
    """Whether ``password`` is ``user``'s. One argon2 verification even without a user, a
    stored hash or a password (then against a dummy hash): every "no" costs the same."""
    stored = _stored_hash(user)
    try:
        matches = _hasher.verify(stored or _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return False
    return matches and bool(stored) and bool(password)


@functools.cache
def _dummy_hash() -> str:
    """A hash with the real parameters, made once, for usernames that match nobody."""
    return _hasher.hash("no es la contraseña de nadie")


def authenticate(username: str, password: str):
    """The active user with this username and password, or None.

    Exactly one argon2 verification whatever the outcome: an unknown or empty username is
    checked against a dummy hash, so the answer takes as long as for a real user's wrong
    password and the time does not tell which usernames exist."""
    user = find_by_username(username) if username_key(username) else None
    if not check_password(user, password) or not user_can_login(user):
        return None
    return user


def password_problem(password: str) -> str | None:
    """The guide's rule (§4 recomendación 3) as the registration form writes it, or None."""
    return personal_data.password_problem(runner().config, password)


def new_password_errors(password: str, confirmation: str, field: str) -> dict[str, str]:
    """The policy and the confirmation, both at once: errors keyed by the form's field names."""
    errors = {}
    problem = password_problem(password)
    if problem:
        errors[field] = problem
    if password != confirmation:
        errors["confirmacion"] = "La confirmación no coincide con la contraseña."
    return errors


def set_password(user, password: str, keep_session: str | None = None) -> None:
    """A new password: every session of the user ends but ``keep_session`` (the key of the
    session that changed it, which goes on), and so do its API tokens and recovery links."""
    user.password_hash = hash_password(password)
    if user.id is not None:
        credentials.password_changed(db.session, user.id, utcnow(), keep_session=keep_session)


def hash_password(password: str) -> str:
    """The argon2id hash (slow on purpose: take it before opening a transaction)."""
    return _hasher.hash(password)


def record_login_event(user_id: int, kind: str, ip: str | None, user_agent: str | None) -> None:
    """Append a login/logout row (D2 "Accesos del usuario")."""
    db.session.add(LoginEvent(user_id=user_id, kind=kind, at=utcnow(), ip=(ip or "")[:45]))
    db.session.commit()


def login_history(user_id: int, limit: int = 50):
    return db.session.scalars(
        select(LoginEvent).where(LoginEvent.user_id == user_id).order_by(LoginEvent.at.desc()).limit(limit)
    ).all()


def grant(user, role: str) -> None:
    """Give a platform role (nothing changes if the user holds it already)."""
    if db.session.scalar(select(UserRole).where(UserRole.user_id == user.id, UserRole.role == role)) is None:
        db.session.add(UserRole(user_id=user.id, role=role))

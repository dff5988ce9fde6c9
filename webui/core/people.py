"""People by name for pages and the API: "who" columns, who holds a task, and the person a
form or a JSON body names by username."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from engine.domain.models import User
from webui.core.extensions import db


def user_names(user_ids) -> dict[int, str]:
    """user id -> username, for "who" columns."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def full_names(user_ids) -> dict[int, str]:
    """user id -> "Nombres Apellidos (usuario)", for who holds a task."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.first_names, User.last_names, User.username).where(User.id.in_(ids))
    )
    return {row.id: f"{row.first_names} {row.last_names} ({row.username})" for row in rows}


def user_id_for(username) -> int | None:
    """The id of the user with this username (any letter case), or None."""
    if not isinstance(username, str) or not username.strip() or len(username) > 60:
        return None
    query = select(User.id).where(func.lower(User.username) == username.strip().lower())
    return db.session.scalar(query)

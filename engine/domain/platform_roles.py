"""Platform roles (Mesa de Servicio, Analista, Operador, Supervisor, Administrador de la
plataforma), given and taken by the platform's administrators (/admin/roles and the CLI).

The platform always keeps one Administrador de la plataforma, also when two of them remove
each other at the same moment: the check runs inside the writing transaction, after locking
every administrator's row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the engine's
``BEGIN IMMEDIATE`` serialises writers), so the second removal counts what the first left."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.domain.models import UserRole
from engine.errors import DomainError

PLATFORM_ADMIN = "admin"
LAST_PLATFORM_ADMIN = "La plataforma debe conservar al menos un Administrador de la plataforma."


def grant(session: Session, user_id: int, role: str) -> bool:
    """Give ``role``; False when the user held it already."""
    held = session.scalar(select(UserRole.id).where(UserRole.user_id == user_id, UserRole.role == role))
    if held is not None:
        return False
    try:
        with session.begin_nested():  # the same grant at the same moment: one row, no error
            session.add(UserRole(user_id=user_id, role=role))
    except IntegrityError:
        return False
    return True


def revoke(session: Session, user_id: int, role: str) -> bool:
    """Take ``role`` away; False when the user did not hold it. ``DomainError`` when it is
    the platform's last administrator."""
    holders = session.scalars(
        select(UserRole.user_id).where(UserRole.role == role).order_by(UserRole.id).with_for_update()
    ).all()  # PostgreSQL re-reads locked rows once their writer commits: deleted ones drop out
    if user_id not in holders:
        return False
    if role == PLATFORM_ADMIN and not set(holders) - {user_id}:
        raise DomainError(LAST_PLATFORM_ADMIN)
    row = session.scalar(select(UserRole).where(UserRole.user_id == user_id, UserRole.role == role))
    session.delete(row)
    session.flush()
    return True

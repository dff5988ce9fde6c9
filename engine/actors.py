"""Who is acting: the engine's own notion of a user, free of any web session."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class Actor:
    """A user (or an anonymous browser, or the system) and the roles it holds.

    ``account_roles`` maps account id -> role name ("Administrador" / "Comprador").
    ``anonymous_tokens`` are the secret tokens of instances this browser started anonymously.
    """

    user_id: int | None = None
    platform_roles: frozenset[str] = frozenset()
    account_roles: dict[int, str] = field(default_factory=dict)
    anonymous_tokens: frozenset[str] = frozenset()
    is_system: bool = False

    @classmethod
    def system(cls) -> Actor:
        return cls(is_system=True)

    @classmethod
    def anonymous(cls, *tokens: str) -> Actor:
        return cls(anonymous_tokens=frozenset(tokens))

    @property
    def label(self) -> str:
        if self.is_system:
            return "sistema"
        if self.user_id is not None:
            return f"usuario:{self.user_id}"
        return "anónimo"

    def has_platform_role(self, role: str) -> bool:
        return role in self.platform_roles

    def accounts_with_role(self, role: str) -> list[int]:
        return [account for account, held in self.account_roles.items() if held == role]


def load_actor(session, user_id: int | None, anonymous_tokens=()) -> Actor:
    """The actor of a user, read through ``session``: platform roles and memberships.

    Any SQLAlchemy session or connection on the engine's tables will do (the web layer
    passes its own, saving a transaction per request)."""
    if user_id is None:
        return Actor.anonymous(*anonymous_tokens)
    rows = session.execute(_roles_and_memberships(), {"user_id": user_id}).all()
    return _actor(user_id, [(row.role, row.account_id) for row in rows], anonymous_tokens)


def load_user_and_actor(session, user_id: int, user_columns: tuple, anonymous_tokens=()):
    """``(row, actor)``: the ``user_columns`` of user ``user_id`` and its actor, in one
    round trip (the web layer needs both on every request); ``(None, None)`` if no such user."""
    rows = session.execute(_user_with_roles(user_columns), {"user_id": user_id}).all()
    if not rows:
        return None, None
    roles = [(row.role, row.role_account_id) for row in rows if row.role is not None]
    return rows[0], _actor(user_id, roles, anonymous_tokens)


def _actor(user_id: int, roles, anonymous_tokens) -> Actor:
    return Actor(
        user_id=user_id,
        platform_roles=frozenset(role for role, account in roles if account is None),
        account_roles={account: role for role, account in roles if account is not None},
        anonymous_tokens=frozenset(anonymous_tokens),
    )


def _held_roles():
    """Platform roles and memberships as rows (role, account_id, user_id): a platform role
    is a row without an account."""
    from sqlalchemy import Integer
    from sqlalchemy import literal
    from sqlalchemy import select

    from engine.domain.models import Membership
    from engine.domain.models import UserRole

    roles = select(UserRole.role, literal(None, Integer).label("account_id"), UserRole.user_id)
    return roles, select(Membership.role, Membership.account_id, Membership.user_id)


@functools.cache
def _roles_and_memberships():
    """Both, of one user (bind parameter ``user_id``), in one statement built once."""
    from sqlalchemy import bindparam
    from sqlalchemy import union_all

    roles, memberships = _held_roles()
    key = bindparam("user_id")
    return union_all(
        roles.where(roles.selected_columns.user_id == key),
        memberships.where(memberships.selected_columns.user_id == key),
    )


@functools.cache
def _user_with_roles(user_columns: tuple):
    """The user's columns with one row per role held (NULLs when none), built once. The
    roles are filtered inside the union: SQLite would scan both tables to join them."""
    from sqlalchemy import bindparam
    from sqlalchemy import select
    from sqlalchemy import true

    from engine.domain.models import User

    held = _roles_and_memberships().subquery()
    return (
        select(*user_columns, held.c.role, held.c.account_id.label("role_account_id"))
        .outerjoin(held, true())
        .where(User.id == bindparam("user_id"))
    )

"""Who a SECOP user is to the engine: platform roles and account memberships, read in one
statement (the domain's actor loader; the web layer reads the user's columns with it too)."""

from __future__ import annotations

import functools

from sqlalchemy import Integer
from sqlalchemy import bindparam
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy import union_all

from engine.actors import Actor
from engine.domain.models import Membership
from engine.domain.models import User
from engine.domain.models import UserRole


def load_actor(session, user_id: int | None, anonymous_tokens=()) -> Actor:
    """The actor of a user, read through ``session``: platform roles and memberships.

    Any SQLAlchemy session or connection on the engine's tables will do (the web layer
    passes its own, saving a transaction per request)."""
    if user_id is None:
        return Actor.anonymous(*anonymous_tokens)
    rows = session.execute(_roles_and_memberships(), {"user_id": user_id}).all()
    return _actor(user_id, [(row.role, row.account_id) for row in rows], anonymous_tokens)


def load_user_and_actor(session, user_id: int, user_columns: tuple, anonymous_tokens=(), params=None):
    """``(row, actor)``: the ``user_columns`` of user ``user_id`` and its actor, in one
    round trip (the web layer needs both on every request); ``(None, None)`` if no such user.
    ``params`` binds the columns' own parameters (the web layer's session check)."""
    rows = session.execute(_user_with_roles(user_columns), {**(params or {}), "user_id": user_id}).all()
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


@functools.cache
def _roles_and_memberships():
    """Platform roles (rows without an account) and memberships of one user (bind parameter
    ``user_id``) as rows (role, account_id, user_id), in one statement built once."""
    key = bindparam("user_id")
    roles = select(UserRole.role, literal(None, Integer).label("account_id"), UserRole.user_id)
    memberships = select(Membership.role, Membership.account_id, Membership.user_id)
    return union_all(roles.where(UserRole.user_id == key), memberships.where(Membership.user_id == key))


@functools.cache
def _user_with_roles(user_columns: tuple):
    """The user's columns with one row per role held (NULLs when none), built once. The
    roles are filtered inside the union: SQLite would scan both tables to join them."""
    held = _roles_and_memberships().subquery()
    return (
        select(*user_columns, held.c.role, held.c.account_id.label("role_account_id"))
        .outerjoin(held, true())
        .where(User.id == bindparam("user_id"))
    )

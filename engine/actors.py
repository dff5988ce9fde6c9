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
    return Actor(
        user_id=user_id,
        platform_roles=frozenset(role for role, account in rows if account is None),
        account_roles={account: role for role, account in rows if account is not None},
        anonymous_tokens=frozenset(anonymous_tokens),
    )


@functools.cache
def _roles_and_memberships():
    """One round trip for both (a platform role is a row without an account); built once."""
    from sqlalchemy import Integer
    from sqlalchemy import bindparam
    from sqlalchemy import literal
    from sqlalchemy import select
    from sqlalchemy import union_all

    from engine.domain.models import Membership
    from engine.domain.models import UserRole

    user_id = bindparam("user_id")
    no_account = literal(None, Integer).label("account_id")
    return union_all(
        select(UserRole.role, no_account).where(UserRole.user_id == user_id),
        select(Membership.role, Membership.account_id).where(Membership.user_id == user_id),
    )

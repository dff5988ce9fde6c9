"""Who is acting: the engine's own notion of a user, free of any web session."""

from __future__ import annotations

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

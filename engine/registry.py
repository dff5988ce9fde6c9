"""What a deployment plugs into the engine: the Python its diagrams and forms may name, and
the few things the engine asks of the business records around it.

The engine core never imports a domain. Whoever embeds the engine builds a ``Domain`` and
hands it to the ``Runner`` (``engine.domain.secop_domain()`` is the SECOP one); a test can
hand it a domain of three functions instead. A ``Runner`` given no domain runs diagrams that
call nothing: no services, checks, option sources, emails or documents, and actors carry
only their user id.

A registry fills up through its decorator::

    services = Registry("función de servicio")

    @services.register("create_user")
    def create_user(ctx: StepContext, first_names: str, ...) -> int: ...
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

from engine.actors import Actor
from engine.people import People


class Registry(Mapping[str, Callable]):
    """Functions by the name diagrams and forms use for them.

    - services: ``fn(ctx: StepContext, **parameters)`` (service tasks and scripts call them);
    - checks: ``fn(ctx: CheckContext, value, data) -> str | None`` (``"x-check"``; a Spanish
      message, or None when the value is fine);
    - option sources: ``fn(ctx: CheckContext, data) -> [(value, label)]`` (``"x-options"``).
    """

    def __init__(self, kind: str, functions: Mapping[str, Callable] | None = None):
        self.kind = kind
        self._functions: dict[str, Callable] = dict(functions or {})

    def register(self, name: str) -> Callable[[Callable], Callable]:
        """Decorator: make ``fn`` reachable as ``name``."""

        def decorator(fn: Callable) -> Callable:
            if self._functions.get(name, fn) is not fn:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._functions[name] = fn
            return fn

        return decorator

    def __getitem__(self, name: str) -> Callable:
        return self._functions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._functions)

    def __len__(self) -> int:
        return len(self._functions)


class ActorLoader(Protocol):
    def __call__(self, session: Any, user_id: int | None, anonymous_tokens: Iterable[str] = ()) -> Actor:
        """The actor of ``user_id`` (its roles and memberships) read through ``session``."""


class DocumentRecords(Protocol):
    """Where the records of uploaded documents live (the files are the engine's, under
    ``EngineConfig.upload_dir``)."""

    def stage(self, session: Any, *, instance_id: int, slot: str, original_filename: str, stored_name: str,
              content_type: str, size: int, sha256: str, uploaded_by: int | None) -> str:  # fmt: skip
        """Record a staged upload for a file slot of an instance; return its public id."""

    def problem(self, check_context: Any, value: Any, slot: str) -> str | None:
        """Why ``value`` is not a document this instance may name in ``slot`` (Spanish), or None."""

    def staged_counts(self, session: Any, instance_id: int, uploaded_by: int | None) -> tuple[int, int]:
        """(uploads staged and not yet attached for this instance, for this person in all)."""

    def discard_staged(self, session: Any, instance_id: int) -> list[str]:
        """Delete the records of every upload still staged for this (finished) instance;
        return their stored file names."""

    def expire_staged(self, session: Any, older_than: Any) -> list[str]:
        """Delete the records of uploads staged before ``older_than`` and never attached (not
        of an instance a step holds right now); return their stored file names."""


    def names(self, session: Any, public_ids: Iterable[str], instance_id: int | None = None) -> dict:
        """The file names people uploaded, by public id (only of this instance's documents
        when ``instance_id`` is given)."""


def plain_actor(session: Any, user_id: int | None, anonymous_tokens: Iterable[str] = ()) -> Actor:
    """The actor loader of a domain without roles: a user is just its id."""
    if user_id is None:
        return Actor.anonymous(*anonymous_tokens)
    return Actor(user_id=user_id, anonymous_tokens=frozenset(anonymous_tokens))


@dataclass(frozen=True)
class Domain:
    """The registries and ports of one deployment's business rules (see the module docstring).

    ``email_templates`` is a Jinja loader of ``<name>.txt`` templates (first line
    ``Subject: …``) for ``StepContext.queue_email``."""

    services: Registry = field(default_factory=lambda: Registry("función de servicio"))
    checks: Registry = field(default_factory=lambda: Registry("validación"))
    options: Registry = field(default_factory=lambda: Registry("fuente de opciones"))
    email_templates: Any = None
    load_actor: ActorLoader = plain_actor
    documents: DocumentRecords | None = None
    people: People | None = None  # supervisors, escalations (engine.people)
    # Scenario tests (engine.scenarios): build the world a scenario's "given" describes in a
    # sandbox -> {"people": {name: user id}, "accounts": {key: account id}}.
    scenario_world: Callable[[Any, dict], dict] | None = None

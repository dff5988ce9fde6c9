"""What a service function sees of the world while the engine advances an instance."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.config import EngineConfig
from engine.registry import Domain


@dataclass
class StepContext:
    """Passed as first argument to every registered service function.

    Everything written through ``session`` commits or rolls back with the engine step.
    """

    session: Session
    actor: Actor
    config: EngineConfig
    now: dt.datetime
    instance_id: int | None = None
    process_id: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    mailer: Any = None  # engine.mail.Mailer of the domain's templates (None: no templates)
    # file slot -> the title its form gives it, in the version being run (engine.procedures)
    document_titles: Mapping[str, str] = field(default_factory=dict)

    def queue_email(self, to: str, template: str, **context: Any):
        """Put an email in the outbox (same transaction); the worker sends it."""
        if self.mailer is None:
            raise RuntimeError("this engine's domain has no email templates")
        return self.mailer.queue(self, to, template, context)

    def record(self, kind: str, **data: Any) -> None:
        """Add an entry to the instance's event log (written with the step)."""
        self.events.append({"kind": kind, "data": data})


@dataclass
class CheckContext:
    """Passed to form checks and option sources: read-only access to the database.

    ``domain`` is where the form pipeline finds the checks, option sources and document
    records the schema names."""

    session: Session
    actor: Actor
    config: EngineConfig
    instance_id: int | None = None
    domain: Domain = field(default_factory=Domain)


current_step: contextvars.ContextVar[StepContext] = contextvars.ContextVar("current_step")

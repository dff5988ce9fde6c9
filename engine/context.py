"""What a service function sees of the world while the engine advances an instance."""

from __future__ import annotations

import contextvars
import datetime as dt
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.config import EngineConfig


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

    def queue_email(self, to: str, template: str, **context: Any):
        """Put an email in the outbox (same transaction); the worker sends it."""
        from engine.mail import queue_email

        return queue_email(self, to, template, context)

    def record(self, kind: str, **data: Any) -> None:
        """Add an entry to the instance's event log (written with the step)."""
        self.events.append({"kind": kind, "data": data})


@dataclass
class CheckContext:
    """Passed to form checks and option sources: read-only access to the database."""

    session: Session
    actor: Actor
    config: EngineConfig
    instance_id: int | None = None


current_step: contextvars.ContextVar[StepContext] = contextvars.ContextVar("current_step")

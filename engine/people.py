"""Who holds the roles the lanes name: the port through which the inbox asks the domain
about people (engine.inbox). The engine knows roles by name; the domain knows the people.

A domain without this port (``Domain.people is None``) has no supervisors, no queue of tasks
nobody can work and nobody to tell about overdue tasks: claiming and releasing still work.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol


@dataclass(frozen=True)
class Person:
    """Someone a task can be handed to or an email sent to (an active user)."""

    user_id: int
    username: str
    name: str
    email: str


@dataclass(frozen=True)
class Supervision:
    """Who supervises which queues (a supervisor sees who holds each task, takes a task back
    from whoever holds it and hands it to someone else).

    ``platform_role``: holders of this platform role supervise every shared queue (platform
    and account lanes) and see the tasks nobody can work. ``account_role``: holders of this
    role in an account supervise that account's lanes. A person's own tasks (owner lanes)
    have no supervisor."""

    platform_role: str | None = None
    account_role: str | None = None


@dataclass(frozen=True)
class Notice:
    """One email to queue: recipient, the domain's template name and its context."""

    to: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class People(Protocol):
    supervision: Supervision

    def holder_exists(self) -> Any:
        """A SQL condition on ``human_task`` columns: somebody active may work that task by its
        lane (the rule of ``engine.lanes.may_work``, over the domain's people)."""

    def holders(self, session: Any, task: Any, limit: int) -> list[Person]:
        """Active people who may work ``task`` (a HumanTask row) by its lane, by name."""

    def person(self, session: Any, user_id: int) -> Person | None:
        """The active person with this id, or None."""

    def escalation(self, session: Any, task: Any, base_url: str) -> list[Notice]:
        """The emails that tell the supervisors of ``task``'s queue it is overdue (none for
        a queue without supervisors)."""

    def incident_notices(self, session: Any, incident: Any, base_url: str) -> list[Notice]:
        """The emails that tell the operators about a new incident (engine.incidents.IncidentView)."""

"""What the runner hands back: plain data, never Spiff objects or ORM rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from engine.formmodel import FormModel
from engine.models import HumanTask


@dataclass(frozen=True)
class TaskSummary:
    id: str
    instance_id: int
    process_id: str
    name: str
    title: str
    lane: str | None
    role: str | None
    account_id: int | None
    claimed_by: int | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    status: str = "ready"
    claimed_at: dt.datetime | None = None
    assigned_by: int | None = None  # the supervisor who named claimed_by (engine.inbox)
    lane_kind: str = "owner"  # owner | account | platform (workflows/lanes.json)
    subject: str | None = None  # what it is about (the task's inboxSubject), e.g. the entity's name

    @classmethod
    def of(cls, row: HumanTask) -> TaskSummary:
        return cls(
            id=row.id,
            instance_id=row.instance_id,
            process_id=row.process_id,
            name=row.name,
            title=row.title,
            lane=row.lane,
            role=row.role,
            account_id=row.account_id,
            claimed_by=row.claimed_by,
            created_at=row.created_at,
            due_at=row.due_at,
            status=row.status,
            claimed_at=row.claimed_at,
            assigned_by=row.assigned_by,
            lane_kind=row.lane_kind,
            subject=row.subject,
        )


@dataclass
class TaskView:
    """A task's page (engine.taskviews builds it): ``form`` is its fields in display order,
    ``required`` the fields required now (the schema's and those the task data adds),
    ``data`` the values to show, ``errors`` by field ("" = the whole form), ``options`` every
    option list read, ``documents`` the ``{"id", "filename"}`` of each filled file slot."""

    summary: TaskSummary
    schema: dict | None
    uischema: dict
    instructions: str
    documentation: str
    data: dict[str, Any]
    options: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)
    form: FormModel | None = None
    required: frozenset[str] = frozenset()
    errors: dict[str, list[str]] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)


@dataclass
class StartResult:
    instance_id: int
    anonymous_token: str | None
    next_tasks: list[TaskSummary]
    resumed: bool = False  # nothing started: the person's unfinished one of this procedure


@dataclass
class CompletionResult:
    instance_id: int
    status: str
    next_tasks: list[TaskSummary]
    data: dict[str, Any]
    completed: TaskSummary | None = None  # the task this step completed
    message: str | None = None  # what the person is told (doneMessage / endMessage), if declared


@dataclass
class RetryResult:
    """What an operator's retry did: ``ran`` the elements run again; ``failed`` is the
    Spanish words of the new failure (the incident was updated) or None; ``waiting`` the
    titles of the tasks the instance waits on now."""

    instance_id: int
    status: str
    ran: list[str]
    failed: str | None
    waiting: list[str]
    skipped: bool = False  # an operator's "Omitir": ``ran`` were marked done, not run

    @property
    def report(self) -> str:
        """In Spanish, for the operator's page."""
        what = ", ".join(f"«{name}»" for name in self.ran) or "los pasos automáticos pendientes"
        head = f"Se omitió {what} (sin ejecutarlo)" if self.skipped else f"Se ejecutó de nuevo {what}"
        if self.failed:
            again = "; después el trámite se detuvo" if self.skipped else " y volvió a fallar"
            return f"{head}{again}: {self.failed}"
        if self.status == "completed":
            return f"{head}: el trámite terminó."
        if self.waiting:
            names = ", ".join(f"«{name}»" for name in self.waiting)
            return f"{head}: el trámite sigue y espera {names}."
        return f"{head}: el trámite sigue su curso."


@dataclass
class MoveResult:
    """What moving a token did, or (``dry_run``) would do: the instance's status after it,
    the tasks it waits on, the Spanish words of a failure on the way (or None)."""

    instance_id: int
    dry_run: bool
    status: str
    source: str
    target: str
    waiting: list[str]
    failed: str | None

    @property
    def report(self) -> str:
        head = (f"Si mueve el token de «{self.source}» a «{self.target}»" if self.dry_run
                else f"Se movió el token de «{self.source}» a «{self.target}»")  # fmt: skip
        verb = "quedaría" if self.dry_run else "quedó"
        if self.failed:
            return f"{head}, el trámite {verb} detenido por un error: {self.failed}"
        if self.status in ("completed", "cancelled"):
            return f"{head}, el trámite {'terminaría' if self.dry_run else 'terminó'}."
        if self.waiting:
            return f"{head}, el trámite {verb} esperando " + ", ".join(f"«{w}»" for w in self.waiting) + "."
        return f"{head}, el trámite {verb} en curso."


@dataclass
class InstanceView:
    id: int
    process_id: str
    version_id: int
    status: str
    data: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    error_message: str | None
    tasks: list[TaskSummary]
    events: list[dict[str, Any]]

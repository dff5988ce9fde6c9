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


@dataclass
class CompletionResult:
    instance_id: int
    status: str
    next_tasks: list[TaskSummary]
    data: dict[str, Any]
    completed: TaskSummary | None = None  # the task this step completed


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

    @property
    def report(self) -> str:
        """In Spanish, for the operator's page."""
        what = ", ".join(f"«{name}»" for name in self.ran) or "los pasos automáticos pendientes"
        if self.failed:
            return f"Se ejecutó de nuevo {what} y volvió a fallar: {self.failed}"
        if self.status == "completed":
            return f"Se ejecutó de nuevo {what}: el trámite terminó."
        if self.waiting:
            return f"Se ejecutó de nuevo {what}: el trámite sigue y espera " + ", ".join(
                f"«{name}»" for name in self.waiting) + "."  # fmt: skip
        return f"Se ejecutó de nuevo {what}: el trámite sigue su curso."


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

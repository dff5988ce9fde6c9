"""What the runner hands back: plain data, never Spiff objects or ORM rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from engine import forms
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
        )


@dataclass
class TaskView:
    summary: TaskSummary
    schema: dict | None
    uischema: dict
    instructions: str
    documentation: str
    data: dict[str, Any]
    options: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def form(cls, version, task_spec, row: HumanTask, check_context, task_data: dict) -> TaskView:
        """The task's form alone: schemas and option lists (read when asked for), no
        instructions and no prefill."""
        schema_name, ui_name = version.form_names(task_spec)
        schema = version.forms.get(schema_name) if schema_name else None
        return cls(
            summary=TaskSummary.of(row),
            schema=schema,
            uischema=version.forms.get(ui_name, {}) if ui_name else {},
            instructions="",
            documentation="",
            data={},
            options=forms.FormOptions(schema, check_context, task_data) if schema else {},
        )


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

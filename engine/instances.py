"""A workflow and its row: loading it, and what a step changed in it.

The inbox index, message subscriptions and due timers are diffed between the state the
instance was loaded in and the state after the step, so a step costs a handful of writes
(``changes`` computes them; ``engine.store.Store.write_step`` writes them).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from dataclasses import field

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from engine.compaction import compact
from engine.context import StepContext
from engine.errors import TaskNotReady
from engine.instructions import render_message
from engine.lanes import assignment
from engine.models import ProcessInstance
from engine.procedures import Procedure
from engine.procedures import read_procedures
from engine.redact import redact
from engine.serialization import SERIALIZER_VERSION
from engine.serialization import dump_state
from engine.serialization import load_state


@dataclass
class LoadedVersion:
    id: int
    process_id: str
    spec: object
    subprocess_specs: dict
    forms: dict[str, dict]
    lanes: dict
    procedures: dict[str, Procedure] = field(default_factory=dict)  # every process in its files

    @property
    def procedure(self) -> Procedure:
        """This version's own procedure metadata (engine.procedures)."""
        return self.procedures.get(self.process_id) or Procedure(self.process_id, self.process_id)

    @property
    def document_titles(self) -> dict[str, str]:
        """file slot -> title of the form field asking for it, in every process of the version."""
        titles: dict[str, str] = {}
        for procedure in self.procedures.values():
            titles.update(procedure.documents)
        return titles

    @classmethod
    def from_files(cls, row, spec, subprocess_specs) -> LoadedVersion:
        forms = {
            name[len("forms/") :]: json.loads(text)
            for name, text in row.files.items()
            if name.startswith("forms/") and text
        }
        lanes = json.loads(row.files.get("lanes.json") or "{}")
        bpmn = {name: text for name, text in row.files.items() if name.endswith(".bpmn")}
        return cls(row.id, row.process_id, spec, subprocess_specs, forms, lanes, read_procedures(bpmn, forms))

    def task_spec(self, name: str):
        """The spec of the task named ``name`` here or in any called subprocess."""
        if not hasattr(self, "_specs_by_name"):
            found = {}
            for spec in [*self.subprocess_specs.values(), self.spec]:
                found.update(spec.task_specs)
            self._specs_by_name = found
        return self._specs_by_name.get(name)

    def form_names(self, task_spec) -> tuple[str | None, str | None]:
        properties = getattr(task_spec, "extensions", {}).get("properties", {})
        return properties.get("formJsonSchemaFilename"), properties.get("formUiSchemaFilename")


SUBJECT_CHARS = 200


def _subject(task) -> str | None:
    """The task's ``inboxSubject`` filled from its data (engine.procedures), for the inbox."""
    template = getattr(task.task_spec, "extensions", {}).get("properties", {}).get("inboxSubject")
    subject = render_message(template, task.data)
    return subject[:SUBJECT_CHARS] if subject else None


def load(row: ProcessInstance, version: LoadedVersion, script_engine) -> BpmnWorkflow:
    workflow = load_state(row.state, row.serializer_version, version.spec, version.subprocess_specs)
    workflow.script_engine = script_engine
    return workflow


def current_data(workflow: BpmnWorkflow) -> dict:
    """What the instance knows now: the data of the most recently finished task, looking into
    running call activities too (a value set inside a subprocess is not yet in the parent)."""
    candidates = [workflow.last_task] + [sub.last_task for sub in workflow.subprocesses.values()]
    # A failed element's data is what its retry will see (and what an operator corrects).
    candidates += [task for task in _tree(workflow, TaskState.COMPLETED) if task.state == TaskState.ERROR]
    candidates = [task for task in candidates if task is not None]
    if not candidates:
        return {}
    return max(candidates, key=lambda task: task.last_state_change).data


def ready_human_tasks(workflow: BpmnWorkflow) -> dict[str, object]:
    """READY manual tasks by id, in ``workflow.get_tasks(state=READY, manual=True)``'s order."""
    return {
        str(t.id): t
        for t in _tree(workflow, TaskState.FUTURE)
        if t.state == TaskState.READY and t.task_spec.manual
    }


def ready_task(workflow: BpmnWorkflow, task_id: str):
    """The READY human task ``task_id`` of the workflow, or TaskNotReady."""
    try:
        task = workflow.get_task_from_id(uuid.UUID(task_id))
    except TaskNotFoundException:
        raise TaskNotReady("Esta tarea ya no está disponible.") from None
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady("Esta tarea ya fue atendida.")
    return task


def correlation_value(task, event_definition) -> str | None:
    for prop in getattr(event_definition, "process_correlations", []) or []:
        try:
            value = task.workflow.script_engine.environment.evaluate(prop.retrieval_expression, task.data)
        except Exception:  # a variable not set yet: no subscription until it is
            return None
        return None if value is None else str(value)
    return None


def waiting_subscriptions(workflow: BpmnWorkflow) -> set[tuple[str, str]]:
    found = set()
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if isinstance(definition, MessageEventDefinition):
            value = correlation_value(task, definition)
            if value is not None:
                found.add((definition.name, value))
    return found


def next_timer(workflow: BpmnWorkflow) -> dt.datetime | None:
    due = []
    for task in workflow.event_manager.tasks.values():
        if isinstance(task.task_spec.event_definition, TimerEventDefinition):
            value = task.internal_data.get("event_value")
            if value:
                moment = dt.datetime.fromisoformat(value)
                due.append(moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment)
    return min(due) if due else None


@dataclass
class Snapshot:
    """What the index tables say about an instance, taken right after loading it."""

    ready: set[str]
    subscriptions: set[tuple[str, str]]
    completed: set[str]

    @classmethod
    def of(cls, workflow: BpmnWorkflow) -> Snapshot:
        return cls(set(ready_human_tasks(workflow)), waiting_subscriptions(workflow), completed_ids(workflow))

    @classmethod
    def empty(cls) -> Snapshot:
        return cls(set(), set(), set())


MAX_DEPTH = 1000  # SpiffWorkflow's TaskIterator looks no deeper (engine.compaction keeps trees shallow)


def _tree(workflow, min_state: int = TaskState.MAYBE):
    """The tasks under ``workflow``'s root in the order ``workflow.get_tasks`` gives them (depth
    first; a call activity's subprocess before the activity's children; no descent below a task
    in a state under ``min_state``, which is what a state filter of Spiff's iterator sets, nor
    below ``MAX_DEPTH``), without its iterator's overhead per task (a list popped at the front,
    a filter call, a ``children`` list)."""
    subprocesses = workflow.top_workflow.subprocesses
    stack = [(workflow.task_tree, 0)]
    while stack:
        task, depth = stack.pop()
        yield task
        subprocess = subprocesses.get(task.id) if subprocesses else None
        if depth >= MAX_DEPTH or (subprocess is None and (not task._children or task.state < min_state)):
            continue
        lookup = task.workflow.tasks.get
        stack.extend([(lookup(child), depth + 1) for child in reversed(task._children)])
        if subprocess is not None:
            stack.append((subprocess.task_tree, depth + 1))


def all_tasks(workflow: BpmnWorkflow):
    """Every task of the workflow and of its subprocesses, once each, in tree order: the
    workflow's tree (which takes in the subprocesses of its call activities), then any
    subprocess task it did not reach. (Walking each subprocess again after the tree, as this
    did, gave its tasks twice.)"""
    seen = set()
    for task in _tree(workflow):
        seen.add(id(task))
        yield task
    for subprocess in workflow.subprocesses.values():
        for task in _tree(subprocess):
            if id(task) not in seen:
                seen.add(id(task))
                yield task


def every_task(workflow: BpmnWorkflow):
    """The tasks of ``all_tasks`` in no particular order, read from the task tables (five
    times cheaper than walking the tree): for sets and counts."""
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def completed_ids(workflow: BpmnWorkflow) -> set[str]:
    return {str(t.id) for t in every_task(workflow) if t.state == TaskState.COMPLETED}


def element_visits(workflow: BpmnWorkflow, before: set[str], row, now) -> list[dict]:
    """Elements a token completed during this step (diagram elements only, not Spiff's
    internal bookkeeping specs), once each (walking the tree and then each subprocess again,
    as this did, counted a call activity's elements twice)."""
    visits = []
    for task in every_task(workflow):
        if task.state != TaskState.COMPLETED or str(task.id) in before or not task.task_spec.bpmn_id:
            continue
        arrived = task.parent.last_state_change if task.parent else task.last_state_change
        visits.append(
            {
                "instance_id": row.id,
                "process_id": task.workflow.spec.name,
                "version_id": row.version_id,
                "element_id": task.task_spec.bpmn_id,
                "completed_at": now,
                "seconds": max(0.0, task.last_state_change - arrived),
            }
        )
    return visits


def _due_at(task_spec, now: dt.datetime) -> dt.datetime | None:
    days = getattr(task_spec, "extensions", {}).get("properties", {}).get("dueInDays")
    try:
        return now + dt.timedelta(days=float(days)) if days else None
    except ValueError:
        return None


def _first_int(sources: list[dict], key: str) -> int | None:
    for data in sources:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


@dataclass
class StepWrite:
    """Everything a step writes, as parameters of the store's built-once statements."""

    finished: list[dict]  # human tasks no longer ready: completed (the one worked) or cancelled
    new_tasks: list[dict]  # human-task index rows of the tasks that became ready
    subscriptions: list[dict] | None  # the instance's message subscriptions; None: unchanged
    visits: list[dict]
    values: dict  # the instance row's new columns (state, status, timers, ...)
    events: list[dict]


def changes(
    row: ProcessInstance,
    version: LoadedVersion,
    workflow: BpmnWorkflow,
    before: Snapshot,
    ctx: StepContext,
    ready: dict[str, object],
    completed_task_id: str | None = None,
) -> StepWrite:
    """What the step changed, diffed against the snapshot taken when the instance was loaded:
    the inbox index, subscriptions, visits, events and the instance row. ``ready`` is
    ``ready_human_tasks(workflow)``."""
    now = ctx.now
    sources = [t.data for t in ready.values()] + [current_data(workflow)]
    owner = _first_int(sources, "user_id") or row.owner_user_id
    finished = [
        {
            "b_id": task_id,
            "status": "completed" if task_id == completed_task_id else "cancelled",
            "completed_at": now,
            "completed_by": ctx.actor.user_id if task_id == completed_task_id else None,
        }
        for task_id in sorted(before.ready - set(ready))
    ]
    new_tasks = []
    for task_id in sorted(set(ready) - before.ready):
        task = ready[task_id]
        schema_name, _ = version.form_names(task.task_spec)
        new_tasks.append(
            {
                "id": task_id,
                "instance_id": row.id,
                "process_id": row.process_id,
                "name": task.task_spec.bpmn_id or task.task_spec.name,
                "title": task.task_spec.bpmn_name or task.task_spec.name,
                "subject": _subject(task),
                "lane": task.task_spec.lane,
                "form_schema": schema_name,
                "status": "ready",
                "created_at": now,
                "due_at": _due_at(task.task_spec, now),
                "role": None,
                "account_id": None,
                "owner_user_id": None,
                "anonymous_token_hash": None,
                "claimed_by": None,
                **assignment(version.lanes, task.task_spec.lane, task.data, owner, row.anonymous_token_hash),
            }
        )
    subscriptions = waiting_subscriptions(workflow)
    visits = element_visits(workflow, before.completed, row, now)
    compact(workflow)
    finished_workflow = workflow.is_completed()
    # An element still failed (a parallel branch moved on, an operator edited data): the
    # instance stays stopped there until it is retried or skipped.
    failed = not finished_workflow and any(t.state == TaskState.ERROR for t in every_task(workflow))
    values = {
        "version_id": version.id,
        "owner_user_id": owner,
        "account_id": _first_int(sources, "account_id") or row.account_id,
        "status": ("completed" if workflow.success else "cancelled") if finished_workflow
        else "error" if failed else "running",
        "completed_at": now if finished_workflow else None,
        "error_message": row.error_message if failed else None,
        "state": dump_state(workflow),
        "serializer_version": SERIALIZER_VERSION,
        "next_timer_at": None if finished_workflow else next_timer(workflow),
        "updated_at": now,
        "lock_version": row.lock_version + 1,
    }
    events = [
        {
            "instance_id": row.id,
            "at": now,
            "actor": ctx.actor.label,
            "user_id": ctx.actor.user_id,
            "kind": event["kind"],
            "element_id": event.get("element_id"),
            "task_id": event.get("task_id"),
            "data": redact(event.get("data")),
        }
        for event in ctx.events
    ]
    return StepWrite(
        finished=finished,
        new_tasks=new_tasks,
        subscriptions=None
        if subscriptions == before.subscriptions
        else [
            {"instance_id": row.id, "message_name": n, "correlation_value": v}
            for n, v in sorted(subscriptions)
        ],
        visits=visits,
        values=values,
        events=events,
    )

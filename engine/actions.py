"""What each entry point does inside the one step path (``engine.steps``): start, complete a
task, deliver a message, fire a timer, cancel, retry, migrate."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import ClassVar

from SpiffWorkflow.bpmn.util.diff import diff_workflow
from SpiffWorkflow.bpmn.util.diff import migrate_workflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import forms
from engine import incidents
from engine import instances
from engine.actors import Actor
from engine.budget import LimitExceeded
from engine.budget import measure
from engine.context import CheckContext
from engine.db import utcnow
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import FormRejected
from engine.errors import MessageNotExpected
from engine.errors import NotAuthorized
from engine.errors import NotFound
from engine.errors import TaskClaimed
from engine.formmodel import form_model
from engine.forms import FORM_WIDE
from engine.instances import Snapshot
from engine.instructions import render_message
from engine.lanes import may_work
from engine.lanes import task_key
from engine.lanes import token_hash
from engine.lanes import workable
from engine.models import HumanTask
from engine.models import ProcessInstance
from engine.operations import MigrationCheck
from engine.operations import migration_problem
from engine.procedures import ACCOUNT_VARIABLE
from engine.redact import SECRET_KEY
from engine.redact import redact
from engine.serialization import SERIALIZER_VERSION
from engine.serialization import serializer
from engine.steps import EndStep
from engine.steps import Step
from engine.taskviews import task_view
from engine.views import CompletionResult
from engine.views import MoveResult
from engine.views import RetryResult
from engine.views import StartResult
from engine.views import TaskSummary

NOT_EXPECTED = "El enlace ya fue usado, venció o no es válido."
SUSPENDED = "Un operador suspendió este trámite: lo que escribió no se envió. Intente más tarde."


class Start(Step):
    """A new instance of the newest version of a process, run to its first wait. A failed
    start leaves no instance behind, so there is nothing to record it on."""

    kind = "start"
    records_failures = False

    def __init__(self, actor: Actor, process_id: str, data: dict | None, anonymous_token: str | None):
        self.actor = actor
        self.process_id = process_id
        self.data = data
        self.anonymous_token = anonymous_token

    def locate(self, path, session):
        self.version = path.versions.newest(session, self.process_id)
        return self.insert(path, session)

    def insert(self, path, session):
        now = utcnow()
        return path.store.insert_instance(
            session,
            {
                "process_id": self.process_id,
                "version_id": self.version.id,
                "status": "running",
                "state": "{}",
                "serializer_version": SERIALIZER_VERSION,
                "lock_version": 1,
                "started_by": self.actor.user_id,
                "owner_user_id": self.actor.user_id,
                "anonymous_token_hash": token_hash(self.anonymous_token) if self.anonymous_token else None,
                "account_id": None,
                "created_at": now,
                "updated_at": now,
            },
        )

    def load(self, path, session, instance):
        version = self.version
        workflow = BpmnWorkflow(version.spec, version.subprocess_specs, script_engine=path.script_engine)
        workflow.task_tree.data.update({**path.config.process_defaults, **(self.data or {})})
        return version, workflow, Snapshot.empty()

    def prepare(self, step):
        step.ctx.record("started", process=self.process_id, version=self.version.id)

    def answer(self, step, new_tasks):
        next_tasks = [TaskSummary.of(t) for t in new_tasks if may_work(self.actor, t)]
        return StartResult(step.instance.id, self.anonymous_token, next_tasks)


MISSING = "No existe un trámite con ese nombre que pueda iniciarse."


class StartByHand(Start):
    """A person starts a procedure from a page (``Runner.start_by_hand``), checked in the
    start's own transaction against the version it starts: only one its ``startableBy`` lets
    this actor start (NotFound otherwise, or when it is not deployed); one started for an
    account needs ``account_id`` (FormInvalid) and the role there (NotAuthorized).

    For one not started for an account, a person's unfinished one — waiting on a task of
    their own — is taken back to instead (``resumed``, nothing written). The person's starts
    are serialised first (``Store.serialise_starts``), so two starts at once leave one
    instance and the second is resumed (issue 13.9)."""

    def __init__(self, actor: Actor, process_id: str, account_id: int | None, anonymous_token: str | None):
        super().__init__(actor, process_id, None, anonymous_token)
        self.account_id = account_id

    def locate(self, path, session):
        try:
            self.version = path.versions.newest(session, self.process_id)
        except NotFound:
            raise NotFound(MISSING) from None
        procedure = self.version.procedure
        if not procedure.for_account:
            if not procedure.may_start(self.actor):
                raise NotFound(MISSING)
            if self.actor.user_id is not None:
                path.store.serialise_starts(session, self.actor.user_id)
                resumed = unfinished(session, self.process_id, self.actor.user_id)
                if resumed is not None:
                    raise EndStep(resumed)
            return self.insert(path, session)
        if self.account_id is None:
            raise FormInvalid({ACCOUNT_VARIABLE: ["Indique la cuenta."]})
        if not procedure.may_start(self.actor, self.account_id):
            raise NotAuthorized(f"Solo el {procedure.starter_role} de la cuenta puede iniciar este trámite.")
        self.data = {ACCOUNT_VARIABLE: self.account_id}
        return self.insert(path, session)


def unfinished(session, process_id: str, user_id: int) -> StartResult | None:
    """The newest running instance of ``process_id`` that waits on a task of this person's
    own (lane of the owner), as a resumed start; None when there is none."""
    row = session.scalars(
        select(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(
            ProcessInstance.process_id == process_id,
            ProcessInstance.status == "running",
            HumanTask.status == "ready",
            HumanTask.lane_kind == "owner",
            HumanTask.owner_user_id == user_id,
        )
        .order_by(HumanTask.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return StartResult(row.instance_id, None, [TaskSummary.of(row)], resumed=True)


class CompleteTask(Step):
    """A person submits a task's form: authorise, read the post, validate, run the task and
    the engine — or refuse it with the page to draw again, from the same transaction."""

    kind = "complete_task"
    keeps_progress = True  # what the person submitted is kept if a later automatic step fails

    def __init__(self, actor: Actor, task_id: str, posted, staged=None, refused=None):
        self.actor = actor
        self.task_id = task_key(task_id)
        self.posted = posted
        # A browser post (a multi-dict) is read by the form's model; the API posts JSON values.
        self.from_browser = hasattr(posted, "getlist")
        self.staged = staged or {}
        self.refused = refused or {}
        self.parsed: dict | None = None  # the post as JSON values, once read

    def locate(self, path, session):
        row, instance = path.store.task_and_locked_instance(session, self.task_id)
        self.row = workable(self.actor, row)
        self.element_id = row.name
        if row.claimed_by is not None and row.claimed_by != self.actor.user_id:
            raise TaskClaimed("Otra persona tiene esta tarea. Pídale que la libere.")
        if instance is not None and instance.status == "suspended":
            raise Conflict(SUSPENDED)
        self.completed_task_id = row.id
        return instance

    def prepare(self, step):
        self.task = task = instances.ready_task(step.workflow, self.row.id)
        check_ctx = CheckContext(
            step.session, self.actor, step.path.config, step.instance.id, step.path.domain
        )
        schema_name, ui_name = step.version.form_names(task.task_spec)
        schema = step.version.forms[schema_name] if schema_name else None
        data = self.posted if not self.from_browser else self._read_post(step, check_ctx, schema, ui_name)
        self.clean, errors = forms.validate(schema, data or {}, check_ctx, task.data) if schema else ({}, {})
        # A refused upload's reason replaces what validation says of its empty slot.
        errors = {**errors, **self.refused}
        if errors and self.from_browser:
            raise FormRejected(errors, self._page(step, check_ctx, errors))
        if errors:
            raise FormInvalid(errors)
        step.ctx.events.append(
            {
                "kind": "task_completed",
                "element_id": self.row.name,
                "task_id": self.row.id,
                "data": dict(self.clean),
            }
        )

    def _page(self, step, check_ctx, errors):
        """The task page to draw again: what was posted, with the errors."""
        task = self.task
        return task_view(check_ctx, self.row, step.version, task.task_spec, task.data, self.parsed, errors)

    def _read_post(self, step, check_ctx, schema, ui_name) -> dict:
        model = form_model(schema, step.version.forms.get(ui_name) if ui_name else None)
        # Read only when an autocomplete's typed label must be mapped to its value.
        lists = forms.FormOptions(schema or {}, check_ctx, self.task.data)
        self.parsed = model.parse(self.posted, self.staged, lambda name: lists[name] if name in lists else [])
        return self.parsed

    def act(self, workflow):
        task = self.task
        # Spiff's UserTask honours the BPMN ``variable`` property; other manual tasks merge.
        if hasattr(task.task_spec, "add_data_from_form"):
            task.task_spec.add_data_from_form(task, self.clean)
        else:
            task.set_data(**self.clean)
        task.run()

    def answer(self, step, new_tasks):
        actor = self.actor
        if actor.user_id is not None and any(t.lane_kind == "account" for t in new_tasks):
            # The step may have just made this user a member (registering an account
            # makes the registrant its Administrador): judge the next tasks with that.
            actor = step.path.domain.load_actor(step.session, actor.user_id, actor.anonymous_tokens)
        next_tasks = [TaskSummary.of(t) for t in new_tasks if may_work(actor, t)]
        if not next_tasks and actor.user_id is not None:
            # A task of this instance the person could already work (a parallel branch):
            # found here, in the step's transaction, not by the page asking again.
            open_tasks = step.path.store.ready_tasks(step.session, step.instance.id)
            next_tasks = [TaskSummary.of(t) for t in open_tasks if may_work(actor, t)]
        data = redact(instances.current_data(step.workflow))
        return CompletionResult(
            step.instance.id,
            step.instance.status,
            next_tasks,
            data,
            replace(TaskSummary.of(self.row), status="completed"),
            self._message(step, data),
        )

    def _message(self, step, data: dict) -> str | None:
        """What the person is told: the task's ``doneMessage``, else, when the procedure
        ended, its ``endMessage`` (engine.procedures)."""
        spec = step.version.task_spec(self.element_id)
        properties = getattr(spec, "extensions", {}).get("properties", {}) if spec else {}
        message = render_message(properties.get("doneMessage"), data)
        if message is None and step.instance.status == "completed":
            message = render_message(step.version.procedure.end_message, data)
        return message


class DeliverMessage(Step):
    """A message for the instance waiting for it with this correlation value."""

    kind = "message"
    keeps_progress = True

    def __init__(self, actor: Actor, name: str, correlation_value: str, payload: dict | None):
        self.actor = actor
        self.name = name
        self.value = str(correlation_value)
        self.payload = payload or {}

    def locate(self, path, session):
        self.instance_id = path.store.subscriber(session, self.name, self.value)
        if self.instance_id is None:
            raise MessageNotExpected(NOT_EXPECTED)
        instance = path.store.lock_instance(session, self.instance_id)
        if instance.status == "suspended":
            raise Conflict(SUSPENDED)
        return instance

    def prepare(self, step):
        if (self.name, self.value) not in step.before.subscriptions:
            raise MessageNotExpected(NOT_EXPECTED)
        try:  # the payload lands in task data: bounded like any value, refused (not failed) if not
            measure(self.payload, step.path.config.limits)
        except LimitExceeded as exc:
            raise FormInvalid({FORM_WIDE: [exc.message]}) from None
        step.ctx.record("message_delivered", message=self.name)

    def act(self, workflow):
        for task in workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            if (
                getattr(definition, "name", None) == self.name
                and instances.correlation_value(task, definition) == self.value
            ):
                payload = dict(self.payload)
                for prop in definition.correlation_properties:
                    if prop.retrieval_expression.isidentifier():
                        payload.setdefault(prop.retrieval_expression, self.value)
                correlations = definition.calculate_correlations(
                    workflow.script_engine, definition.correlation_properties, payload
                )
                workflow.send_event(BpmnEvent(definition, payload, correlations))
                return
        raise MessageNotExpected(NOT_EXPECTED)

    def answer(self, step, new_tasks):
        return step.instance.id


class FireTimer(Step):
    """The instance's earliest timer is due: let the engine fire it. Answers 1 if it moved,
    0 if another worker had it or nothing was due yet by SpiffWorkflow's clock."""

    kind = "timer"
    keeps_progress = True

    def __init__(self, instance_id: int, now):
        self.actor = Actor.system()
        self.instance_id = instance_id
        self.now = now

    def locate(self, path, session):
        instance = path.store.lock_instance(session, self.instance_id, skip_locked=True)
        if (instance is None or instance.status != "running" or instance.next_timer_at is None
                or instance.next_timer_at > self.now):  # fmt: skip
            raise EndStep(0)  # another worker fired it first, or it was suspended meanwhile
        return instance

    def prepare(self, step):
        step.ctx.record("timer_fired")

    def advanced(self, step):
        if instances.completed_ids(step.workflow) == step.before.completed:
            raise EndStep(0)  # SpiffWorkflow judges due-ness by the real clock: nothing fired yet

    def answer(self, step, new_tasks):
        return 1


class _OperatorCommand(Step):
    """An operator's command on one instance; the reason is audited as event ``event``."""

    event: ClassVar[str]

    def __init__(self, actor: Actor, instance_id: int, reason: str):
        self.actor = actor
        self.instance_id = instance_id
        self.reason = reason

    def locate(self, path, session):
        instance = path.store.lock_instance(session, self.instance_id)
        self.refuse(instance.status)
        return instance

    def refuse(self, status: str) -> None:
        """Raise Conflict if the command does not apply to an instance in ``status``."""

    def prepare(self, step):
        step.ctx.record(self.event, reason=self.reason)


class Cancel(_OperatorCommand):
    """Cancel a running (or failed) instance."""

    kind = "cancel"
    event = "cancelled"
    records_failures = False

    def refuse(self, status):
        if status in ("completed", "cancelled"):
            raise Conflict("La instancia ya terminó.")

    def act(self, workflow):
        workflow.cancel()

    def succeeded(self, step):
        incidents.resolve(step.session, step.instance.id, "cancelled", self.actor.user_id, step.ctx.now)


class Discard(Step):
    """The person whose procedure it is gives it up before finishing it (issue 13.8): from a
    task of the owner's lane (workflows/lanes.json ``kind: owner``) that they may work now.
    The instance is cancelled; its staged uploads go with it (StepPath.run). Diagrams keep
    the owner's lane for what comes before anything is registered: past that, tasks belong
    to an account's or the platform's lane."""

    kind = "discard"
    records_failures = False

    def __init__(self, actor: Actor, task_id: str):
        self.actor = actor
        self.task_id = task_key(task_id)

    def locate(self, path, session):
        row, instance = path.store.task_and_locked_instance(session, self.task_id)
        self.row = workable(self.actor, row)
        mine = self.actor.user_id is not None and instance.owner_user_id == self.actor.user_id
        if not mine or row.lane_kind != "owner":
            raise NotFound("La tarea no existe o no está asignada a usted.")
        if instance.status != "running":
            raise Conflict("Un operador suspendió este trámite: no se puede descartar ahora.")
        self.element_id = row.name
        return instance

    def prepare(self, step):
        step.ctx.record("discarded", element=self.row.name)

    def act(self, workflow):
        workflow.cancel()


class Retry(_OperatorCommand):
    """Run the element a failed instance stopped at again (after its data was fixed or the
    instance migrated to a version that fixes it), then the engine to its next wait.
    Answers a RetryResult: what ran and where the instance waits now, or that it failed
    again (the incident is updated, the step still commits)."""

    kind = "retry"
    event = "retried"
    keeps_progress = True

    def refuse(self, status):
        if status != "error":
            raise Conflict("Solo se reintentan instancias con error.")

    def prepare(self, step):
        self.failed = [t for t in instances.all_tasks(step.workflow) if t.state == TaskState.ERROR]
        names = [t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in self.failed]
        self.element_id = self.failed[0].task_spec.bpmn_id if self.failed else None
        step.ctx.events.append(
            {
                "kind": self.event,
                "element_id": self.element_id,
                "data": {"reason": self.reason, "elements": names},
            }
        )

    def act(self, workflow):
        for task in self.failed:
            task._set_state(TaskState.READY)  # Spiff runs READY engine tasks: the element runs again

    def succeeded(self, step):
        incidents.resolve(step.session, step.instance.id, "retried", self.actor.user_id, step.ctx.now)

    def answer(self, step, new_tasks):
        ran = [t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in self.failed]
        ready = instances.ready_human_tasks(step.workflow).values()
        waiting = sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in ready})
        failed = step.failure.words if step.failure else None
        return RetryResult(step.instance.id, step.instance.status, ran, failed, waiting)


class Migrate(Step):
    """Move an instance to another version of its process, if nothing it went through
    changed; ``dry_run`` only answers whether it could. Answers a MigrationCheck."""

    kind = "migrate"
    records_failures = False

    def __init__(self, actor: Actor, instance_id: int, target_version_id: int | None, dry_run: bool,
                 reason: str | None = None):  # fmt: skip
        self.actor = actor
        self.instance_id = instance_id
        self.target_version_id = target_version_id
        self.dry_run = dry_run
        self.reason = reason

    def _refuse(self, reason: str, can_move: bool = False) -> EndStep:
        return EndStep(MigrationCheck(self.instance_id, can_move, reason))

    def locate(self, path, session):
        instance = path.store.lock_instance(session, self.instance_id)
        if instance.status not in ("running", "error"):
            raise self._refuse("La instancia ya terminó.")
        return instance

    def load(self, path, session, instance):
        target = (
            path.versions.get(session, self.target_version_id)
            if self.target_version_id
            else path.versions.newest(session, instance.process_id)
        )
        if target.process_id != instance.process_id:
            raise self._refuse("La versión es de otro proceso.")
        if target.id == instance.version_id:
            raise self._refuse("Ya está en esa versión.")
        version, workflow, before = super().load(path, session, instance)
        self.target = target
        self.diffs = diff_workflow(serializer().registry, workflow, target.spec, target.subprocess_specs)
        problem = migration_problem(*self.diffs)
        if problem or self.dry_run:
            raise self._refuse(problem or "Puede migrarse.", can_move=not problem)
        return version, workflow, before

    def prepare(self, step):
        step.ctx.record(
            "migrated", from_version=step.version.id, to_version=self.target.id, reason=self.reason
        )

    def act(self, workflow):
        top_diff, sub_diffs = self.diffs
        migrate_workflow(top_diff, workflow, self.target.spec)
        for sub_id, sub_diff in sub_diffs.items():
            subprocess = workflow.subprocesses[sub_id]
            migrate_workflow(sub_diff, subprocess, self.target.subprocess_specs[subprocess.spec.name])
        workflow.subprocess_specs = self.target.subprocess_specs

    def version_to_save(self, step):
        return self.target

    def answer(self, step, new_tasks):
        return MigrationCheck(self.instance_id, True, f"Migrada a la versión {self.target.id}.")


LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
STATE_WORDS = {
    TaskState.ERROR: "falló",
    TaskState.READY: "pendiente",
    TaskState.WAITING: "esperando un evento",
    TaskState.STARTED: "en curso",
}


def _live_tasks(workflow) -> list:
    """Tasks a token sits on now (failed ones first: that is where a fix matters)."""
    live = [t for t in instances.all_tasks(workflow) if t.has_state(LIVE) and t.task_spec.bpmn_id]
    return sorted(live, key=lambda t: t.state != TaskState.ERROR)


def _name(task) -> str:
    return task.task_spec.bpmn_name or task.task_spec.bpmn_id


class _Repair(_OperatorCommand):
    """An operator's repair of a running or failed instance; the event records who (the
    step's actor), when, why, and what it was before and after."""

    def refuse(self, status):
        if status not in ("running", "error"):
            raise Conflict("Solo se reparan trámites en curso o con error.")

    def prepare(self, step):
        """Nothing recorded yet: ``audit`` adds the event once before/after are known."""

    def audit(self, step, element_id=None, **data):
        step.ctx.events.append(
            {"kind": self.event, "element_id": element_id, "data": {"reason": self.reason, **data}}
        )


class EditVariables(_Repair):
    """Replace the instance's variables with ``variables`` (the whole JSON object, as the
    operator edited it): changed and new names are set, missing names removed, masked
    secrets left as they are. Written to every task a token sits on, so the element that
    failed sees the fix when it is retried."""

    kind = "edit_variables"
    event = "variables_edited"
    records_failures = False

    def __init__(self, actor, instance_id, variables, reason):
        super().__init__(actor, instance_id, reason)
        self.variables = variables

    def prepare(self, step):
        if not isinstance(self.variables, dict):
            raise FormInvalid({"variables": [NOT_AN_OBJECT]})
        try:
            measure(self.variables, step.path.config.limits)
        except LimitExceeded as exc:
            raise FormInvalid({"variables": [exc.message]}) from None
        live = _live_tasks(step.workflow)
        if not live:
            raise Conflict("El trámite no tiene un paso pendiente cuyos datos editar.")
        base = live[0].data
        keep = {k for k in base if SECRET_KEY.search(str(k))}
        self.changed = {k: v for k, v in self.variables.items()
                        if k not in keep and (k not in base or base[k] != v)}  # fmt: skip
        self.removed = sorted(k for k in base if k not in self.variables and k not in keep)
        if not self.changed and not self.removed:
            raise FormInvalid({"variables": ["No cambió ningún dato."]})
        before = {k: base[k] for k in [*self.changed, *self.removed] if k in base}
        self.audit(step, live[0].task_spec.bpmn_id, before=redact(before), after=redact(self.changed),
                   removed=self.removed)  # fmt: skip
        self.targets = live + [t for t in (step.workflow.last_task,) if t is not None and t not in live]

    def act(self, workflow):
        for task in self.targets:
            task.data.update(self.changed)
            for key in self.removed:
                task.data.pop(key, None)


class Suspend(_OperatorCommand):
    """Stop a running instance where it is: no task is completed, no timer fires, no
    message is taken until it is resumed."""

    kind = "suspend"
    event = "suspended"
    records_failures = False

    def refuse(self, status):
        if status != "running":
            raise Conflict("Solo se suspenden trámites en curso.")

    def act(self, workflow):
        """Nothing moves: refresh_timers/do_engine_steps are skipped by ``advance_engine``."""

    advance_engine = False

    def status_after(self, step, status):
        return "suspended"


class Resume(_OperatorCommand):
    """A suspended instance goes on: what came due meanwhile runs now."""

    kind = "resume"
    event = "resumed"

    def refuse(self, status):
        if status != "suspended":
            raise Conflict("El trámite no está suspendido.")


class Skip(_Repair):
    """Mark an element done without running it (the failed one, or a task or event the
    token waits on) and let the engine go on from there."""

    kind = "skip"
    event = "skipped"
    keeps_progress = True

    def __init__(self, actor, instance_id, reason, element_id=None):
        super().__init__(actor, instance_id, reason)
        self.element_id = element_id

    def prepare(self, step):
        live = _live_tasks(step.workflow)
        if self.element_id:
            live = [t for t in live if t.task_spec.bpmn_id == self.element_id]
        if not live:
            raise Conflict("El trámite no está detenido ni esperando en ese elemento.")
        self.task = live[0]
        self.element_id = self.task.task_spec.bpmn_id
        before = STATE_WORDS.get(self.task.state, "pendiente")
        self.audit(step, self.element_id, element=_name(self.task), before=before, after="omitido")

    def act(self, workflow):
        self.task.complete()

    def succeeded(self, step):
        incidents.resolve(step.session, step.instance.id, "skipped", self.actor.user_id, step.ctx.now)

    def answer(self, step, new_tasks):
        ready = instances.ready_human_tasks(step.workflow).values()
        waiting = sorted({_name(t) for t in ready})
        failed = step.failure.words if step.failure else None
        status = step.instance.status
        return RetryResult(step.instance.id, status, [_name(self.task)], failed, waiting, skipped=True)


NOT_AN_OBJECT = 'Los datos deben ser un objeto JSON: {"nombre": valor, ...}.'


def parse_variables(text: str) -> dict:
    """An operator's JSON text as variables, or FormInvalid in Spanish saying where it is wrong."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        where = f" (línea {line}, columna {column})" if line else ""
        raise FormInvalid({"variables": [f"El texto no es JSON válido{where}. Nada se cambió."]}) from None
    if not isinstance(value, dict):
        raise FormInvalid({"variables": [NOT_AN_OBJECT]})
    return value


class MoveToken(_Repair):
    """Instance modification: take the token off an element it sits on (``source``: where it
    waits, or the element that failed) and put it on ``target``, another element of the same
    process or subprocess, from where the engine goes on. ``dry_run`` runs it all and writes
    nothing: the answer says where the instance would wait, end, or fail."""

    kind = "move"
    event = "token_moved"
    keeps_progress = True

    def __init__(self, actor, instance_id, reason, source, target, dry_run):
        super().__init__(actor, instance_id, reason)
        self.source_id, self.target_id, self.dry_run = source, target, dry_run
        self.records_failures = not dry_run

    def prepare(self, step):
        live = _live_tasks(step.workflow)
        if self.source_id:
            live = [t for t in live if t.task_spec.bpmn_id == self.source_id]
        if not live:
            raise Conflict("El token no está en ese elemento.")
        self.source = live[0]
        spec = self.source.workflow.spec.task_specs.get(self.target_id or "")
        if spec is None or not getattr(spec, "bpmn_id", None):
            raise Conflict("El elemento de destino no existe en el mismo proceso que el token.")
        if spec is self.source.task_spec:
            raise Conflict("El token ya está en ese elemento.")
        self.target = spec
        self.element_id = spec.bpmn_id
        self.audit(step, spec.bpmn_id, before=_name(self.source), after=spec.bpmn_name or spec.bpmn_id)

    def act(self, workflow):
        source, parent = self.source, self.source.parent
        data = dict(source.data)
        source._drop_children(force=True)
        source._set_state(TaskState.CANCELLED)
        # Added as predicted so that updating it predicts its own outputs too, then (as after
        # any predecessor) inherits the parent's data and becomes READY.
        moved = parent._add_child(self.target, TaskState.LIKELY)
        moved.task_spec._update(moved)
        moved.set_data(**data)  # what the token carried (a correction included)

    def before_write(self, step, write):
        if self.dry_run:
            raise EndStep(self._result(step, write.values["status"]))

    def succeeded(self, step):
        incidents.resolve(step.session, step.instance.id, "moved", self.actor.user_id, step.ctx.now)

    def answer(self, step, new_tasks):
        return self._result(step, step.instance.status)

    def _result(self, step, status):
        ready = instances.ready_human_tasks(step.workflow).values()
        target = self.target.bpmn_name or self.target.bpmn_id
        waiting = sorted({_name(t) for t in ready})
        failed = step.failure.words if step.failure else None
        return MoveResult(step.instance.id, self.dry_run, status, _name(self.source), target, waiting, failed)

"""The one step path: every change to an instance — start, complete, message, timer, cancel,
retry, migrate — runs through ``StepPath.run``:

    lock the instance → load it → snapshot → set the step context → (the step's checks)
    → advance the engine under a budget → save state + index rows + events → answer
    and, when it fails, roll back and record the failure.

When an automatic element (script, service task, condition, timer, message) fails while a
step that ``keeps_progress`` advances — a person completed a task, a message or a timer
arrived, an operator retried — what came before the failure is kept: the step commits with
the instance stopped at the failing element (SpiffWorkflow leaves it in state ERROR), in
status ``error``, with an open incident (``engine.incidents``) and the operators told. Only
a failure the engine cannot stop at (between two tasks, a database error, a state or page
over its budget) rolls the step back, and is then recorded as an incident on its own.

The budget (``engine.budget``, ``EngineConfig.limits``) bounds the engine steps of one
advance, its wall time, the values scripts and services produce, the rendered instructions
of the tasks it makes ready and the state it stores: going over fails the step as an error
in a script does.

A ``Step`` says what is particular to one entry point (how the instance is found, what is
checked, what is done to the workflow, what is answered); ``engine.actions`` holds the seven.
One transaction per step; nothing here adds a statement to what a step must write.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import ClassVar

from jinja2 import TemplateError
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine import incidents
from engine import instances
from engine import uploads
from engine.actors import Actor
from engine.budget import Budget
from engine.budget import LimitExceeded
from engine.budget import current_budget
from engine.config import EngineConfig
from engine.context import StepContext
from engine.context import current_step
from engine.db import utcnow
from engine.errors import DomainError
from engine.errors import StepFailed
from engine.expressions import EngineScriptEngine
from engine.instances import LoadedVersion
from engine.instances import Snapshot
from engine.instructions import fill
from engine.mail import Mailer
from engine.models import HumanTask
from engine.models import ProcessInstance
from engine.redact import redact
from engine.registry import Domain
from engine.serialization import ready_task_data
from engine.store import Store
from engine.versions import VersionCache

INTERNAL_ERROR = "No fue posible continuar el trámite por un error interno."


def _cause(exc: BaseException) -> BaseException | None:
    """The error a Spiff exception wraps (``raise ... from`` or raised while handling it)."""
    return exc.__cause__ or exc.__context__


class EndStep(Exception):  # noqa: N818  (control flow, not an error)
    """Raised by a step to end early with ``answer``: nothing is written."""

    def __init__(self, answer: Any = None):
        super().__init__()
        self.answer = answer


@dataclass
class Loaded:
    """The instance a step works on, as loaded inside the step's transaction."""

    path: StepPath
    session: Session
    instance: ProcessInstance
    version: LoadedVersion
    workflow: BpmnWorkflow
    before: Snapshot
    ctx: StepContext
    budget: Budget
    failure: Failure | None = None  # the element the step stopped at (keeps_progress)


@dataclass(frozen=True)
class Failure:
    """A step that failed, in one place: what is recorded on the instance, and what anyone
    building on failures (incidents, alerts) needs.

    ``data`` is the (redacted) task data of the failing element when the engine knows it."""

    instance_id: int
    step: str
    actor: Actor
    element_id: str | None
    error: str  # for operators: the instance's error_message and the step_failed event
    message: str  # Spanish, shown to the user
    data: dict | None = None
    element_name: str | None = None
    words: str | None = None  # Spanish, for operators: what went wrong (engine.incidents.in_words)


class Step:
    """What one entry point does inside the step path. Subclasses override the hooks."""

    kind: ClassVar[str]
    records_failures: ClassVar[bool] = True  # a failure leaves the instance in status ``error``
    # A failing automatic element stops the instance there and the step commits what came
    # before it (see the module docstring) instead of rolling back.
    keeps_progress: ClassVar[bool] = False
    advance_engine: ClassVar[bool] = True  # run the engine to its next wait after ``act``

    actor: Actor
    instance_id: int | None = None  # known once located: failures are recorded on it
    element_id: str | None = None  # the element the step is about, if any
    completed_task_id: str | None = None  # the human task this step completes, if any
    ended: bool = False  # the step finished its instance (completed or cancelled)

    def locate(self, path: StepPath, session) -> ProcessInstance:
        """Find and lock the instance (raise EndStep when there is nothing to do)."""
        raise NotImplementedError

    def load(self, path: StepPath, session, instance) -> tuple[LoadedVersion, BpmnWorkflow, Snapshot]:
        version, workflow = path.load(session, instance)
        return version, workflow, Snapshot.of(workflow)

    def prepare(self, step: Loaded) -> None:
        """Checks and events before the engine runs (raise to refuse, EndStep to stop)."""

    def act(self, workflow: BpmnWorkflow) -> None:
        """The change this step makes; the engine then runs to its next wait."""

    def advanced(self, step: Loaded) -> None:
        """After the engine ran, before anything is written (raise EndStep to write nothing)."""

    def version_to_save(self, step: Loaded) -> LoadedVersion:
        return step.version

    def status_after(self, step: Loaded, status: str) -> str:
        """The instance's status once the step ran (``status``: as the workflow says)."""
        return status

    def before_write(self, step: Loaded, write) -> None:
        """The step ran and what it writes is known (raise EndStep to write nothing: a dry run)."""

    def succeeded(self, step: Loaded) -> None:
        """After a step that did not stop at a failure was written (same transaction)."""

    def answer(self, step: Loaded, new_tasks: list[HumanTask]) -> Any:
        return None


class StepPath:
    """Runs steps: see the module docstring. Shares the store, version cache and domain
    with the Runner that owns it."""

    def __init__(self, store: Store, versions: VersionCache, domain: Domain, config: EngineConfig):
        self.store = store
        self.versions = versions
        self.domain = domain
        self.config = config
        self.script_engine = EngineScriptEngine(domain.services)
        self.mailer = Mailer(domain.email_templates) if domain.email_templates is not None else None

    def load(self, session, instance: ProcessInstance) -> tuple[LoadedVersion, BpmnWorkflow]:
        """The instance's version (parsed once, cached) and its workflow, loaded from the row."""
        version = self.versions.get(session, instance.version_id)
        return version, instances.load(instance, version, self.script_engine)

    def ready_task(self, session, instance: ProcessInstance, task_id: str):
        """``(version, task_spec, data)`` of a READY human task, to draw its page: read from
        the saved state when that can be done without restoring the workflow, else loaded."""
        version = self.versions.get(session, instance.version_id)
        found = ready_task_data(instance.state, instance.serializer_version, version.spec, task_id)
        if found is None:
            task = instances.ready_task(instances.load(instance, version, self.script_engine), task_id)
            found = task.task_spec, task.data
        return version, *found

    def context(self, session, actor: Actor, instance: ProcessInstance) -> StepContext:
        return StepContext(
            session, actor, self.config, utcnow(), instance.id, instance.process_id, mailer=self.mailer
        )

    def run(self, step: Step) -> Any:
        """Run ``step`` in one transaction; record it on the instance if it fails."""
        try:
            with self.store.transaction() as session:
                answer = self._run(step, session)
        except EndStep as end:
            return end.answer
        except StepFailed as exc:
            if step.records_failures and step.instance_id is not None:
                self.record(self.failure(step, exc))
            raise
        if step.ended:
            # Uploads staged for a form that can no longer be sent: nothing is left behind.
            documents = self.domain.documents
            uploads.delete_staged_of(self.store.transaction, documents, self.config, step.instance_id)
        return answer

    def _run(self, step: Step, session) -> Any:
        instance = step.locate(self, session)
        step.instance_id = instance.id
        version, workflow, before = step.load(self, session, instance)
        ctx = self.context(session, step.actor, instance)
        ctx.document_titles = version.document_titles
        loaded = Loaded(self, session, instance, version, workflow, before, ctx, Budget(self.config.limits))
        step.prepare(loaded)
        token = current_budget.set(loaded.budget)
        try:
            try:
                self.advance(loaded, step.act, step.advance_engine)
            except StepFailed as exc:
                loaded.failure = self.stopped_at(step, loaded, exc)
                if loaded.failure is None:
                    raise
            if loaded.failure is None:
                step.advanced(loaded)
            ready = instances.ready_human_tasks(workflow)
            self.check_instructions(loaded, ready)
            to_save = step.version_to_save(loaded)
            write = instances.changes(instance, to_save, workflow, before, ctx, ready, step.completed_task_id)
        finally:
            current_budget.reset(token)
        limit = self.config.limits.state_chars
        if len(write.values["state"]) > limit:
            raise StepFailed(f"Los datos del trámite superan el tamaño máximo de {limit} caracteres.")
        write.values["status"] = step.status_after(loaded, write.values["status"])
        step.before_write(loaded, write)
        if loaded.failure is not None:
            write.values.update(status="error", error_message=loaded.failure.error)
            write.events.append(failed_event(loaded.failure, ctx.now))
        new_tasks = self.store.write_step(session, instance, write)
        if loaded.failure is not None:
            self.open_incident(session, loaded.failure, instance.process_id, ctx.now)
        else:
            step.succeeded(loaded)
        step.ended = write.values.get("status") in ("completed", "cancelled")
        return step.answer(loaded, new_tasks)

    def stopped_at(self, step: Step, loaded: Loaded, exc: StepFailed) -> Failure | None:
        """The failure to stop the instance at, when the step keeps progress and the engine
        left the failing element in state ERROR; None when the step must roll back."""
        if not step.keeps_progress or _database_error(exc):
            return None
        failed = [t for t in instances.all_tasks(loaded.workflow) if t.state == TaskState.ERROR]
        if not failed:
            return None
        task = failed[0]
        failure = self.failure(step, exc)
        return replace(
            failure,
            element_id=task.task_spec.bpmn_id or failure.element_id,
            element_name=task.task_spec.bpmn_name,
            data=redact(dict(task.data)),
            words=incidents.in_words(_root_cause(exc), task.task_spec.bpmn_name or task.task_spec.bpmn_id),
        )

    def open_incident(self, session, failure: Failure, process_id: str, now) -> None:
        """Open (or update) the instance's incident; tell the operators of a new one."""
        row, new = incidents.record(
            session, instance_id=failure.instance_id, process_id=process_id, element_id=failure.element_id,
            element_name=failure.element_name, step=failure.step,
            message=failure.words or incidents.in_words(None, failure.element_name or failure.element_id),
            detail=failure.error, data_keys=sorted(failure.data or {}), now=now,
        )  # fmt: skip
        if new:
            incidents.notify(session, self.domain.people, self.mailer, row, self.config.base_url, now)

    def advance(self, step: Loaded, action, run_engine: bool = True) -> None:
        """Run ``action`` and then the engine up to its next wait, with the step context set
        for service functions; engine failures become StepFailed (DomainError passes)."""
        token = current_step.set(step.ctx)
        try:
            action(step.workflow)
            if not run_engine:
                return
            step.workflow.refresh_timers()
            # Every task the engine runs is counted, and the clock read, before it runs.
            step.workflow.do_engine_steps(will_complete_task=step.budget.tick)
        except DomainError:
            raise
        except LimitExceeded as exc:  # from budget.tick: between two tasks
            raise StepFailed(exc.message, exc.element_id, exc.message) from exc
        except WorkflowTaskException as exc:
            cause = _cause(exc)
            if isinstance(cause, DomainError):
                raise cause from None
            spec = getattr(exc, "task_spec", None)
            task = getattr(exc, "task", None)
            data = redact(dict(task.data)) if task is not None else None
            if isinstance(cause, LimitExceeded):  # inside a script, an expression, a service call
                raise StepFailed(cause.message, getattr(spec, "bpmn_id", None), cause.message, data) from exc
            raise StepFailed(INTERNAL_ERROR, getattr(spec, "bpmn_id", None), str(exc), data) from exc
        except (SpiffWorkflowException, Exception) as exc:  # Spiff raises bare Exception too (timers)
            raise StepFailed(INTERNAL_ERROR, None, str(exc)) from exc
        finally:
            current_step.reset(token)

    def check_instructions(self, step: Loaded, ready: dict) -> None:
        """The instructions of every task this step makes ready fit the budget (rendered once
        here, so a template that would build a huge page fails the step that reaches it)."""
        limit = self.config.limits.instructions_chars
        for task_id in set(ready) - step.before.ready:
            task = ready[task_id]
            template = task.task_spec.extensions.get("instructionsForEndUser")
            if not template:
                continue
            try:
                fill(template, task.data, limit)
            except LimitExceeded:
                title = task.task_spec.bpmn_name or task.task_spec.bpmn_id
                message = f"Las instrucciones de la tarea «{title}» superan el máximo de {limit} caracteres."
                raise StepFailed(message, task.task_spec.bpmn_id, message) from None
            except TemplateError:
                pass  # drawn as "not available" on the page, as before

    @staticmethod
    def failure(step: Step, exc: StepFailed) -> Failure:
        return Failure(
            instance_id=step.instance_id,
            step=step.kind,
            actor=step.actor,
            element_id=exc.element_id or step.element_id,
            error=exc.detail or exc.message,
            message=exc.message,
            data=exc.data,
        )

    def record(self, failure: Failure) -> None:
        """Note a step that rolled back on its instance (status ``error``, a ``step_failed``
        event, an incident) in a transaction of its own, so operators see it and timers stop
        retrying it."""
        with self.store.transaction() as session:
            instance = self.store.mark_failed(session, failure.instance_id, failure.actor,
                                              failure.element_id, failure.error)  # fmt: skip
            if instance is not None:
                self.open_incident(session, failure, instance.process_id, utcnow())


def failed_event(failure: Failure, now) -> dict:
    """The ``step_failed`` row of the instance's history (StepWrite.events)."""
    return {
        "instance_id": failure.instance_id,
        "at": now,
        "actor": failure.actor.label,
        "user_id": failure.actor.user_id,
        "kind": "step_failed",
        "element_id": failure.element_id,
        "task_id": None,
        "data": {"error": failure.error[:2000], "message": failure.words},
    }


def _root_cause(exc: BaseException) -> BaseException | None:
    """The first error under Spiff's wrappers (a NameError in a script, a LimitExceeded...)."""
    cause = _cause(exc)
    while isinstance(cause, SpiffWorkflowException) and _cause(cause) is not None:
        cause = _cause(cause)
    return cause


def _database_error(exc: BaseException) -> bool:
    """A failed statement may have aborted the transaction: nothing can be kept."""
    seen = exc
    while seen is not None:
        if isinstance(seen, SQLAlchemyError):
            return True
        seen = _cause(seen)
    return False

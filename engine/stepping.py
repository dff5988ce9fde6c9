"""The machinery every step shares: transactions, row locks, loading a version, running
the engine with the step context set, and mapping engine failures to our errors."""

from __future__ import annotations

import contextlib
import uuid

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam
from sqlalchemy import select

from engine import instances
from engine.actors import Actor
from engine.context import StepContext
from engine.context import current_step
from engine.db import is_sqlite
from engine.errors import DomainError
from engine.errors import NotFound
from engine.errors import StepFailed
from engine.errors import TaskNotReady
from engine.failpoints import failpoint
from engine.lanes import may_work
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import ProcessInstance

# Built once: a statement built per call costs more to build and to key for SQLAlchemy's
# compiled cache than to run (about 0.13 ms of CPU each).
TASK_AND_INSTANCE = (
    select(HumanTask, ProcessInstance)
    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .where(HumanTask.id == bindparam("task_id"))
)
TASK_AND_LOCKED_INSTANCE = TASK_AND_INSTANCE.with_for_update(of=ProcessInstance)


class Stepping:
    """Base of Runner: needs ``session_factory`` and ``config``."""

    @contextlib.contextmanager
    def transaction(self):
        session = self.session_factory()
        try:
            with session.begin():
                yield session
                session.flush()
                failpoint("before_commit")  # the step ran and was written, not yet committed
        finally:
            session.close()

    @contextlib.contextmanager
    def _failures_recorded(self, actor: Actor):
        """A step that failed was rolled back; note it on the instance (status ``error``) in a
        transaction of its own so operators see it, and timers stop retrying it."""
        failing: dict = {}
        try:
            yield failing
        except StepFailed as exc:
            if failing.get("instance_id") is not None:
                with self.transaction() as session:
                    instance = session.get(ProcessInstance, failing["instance_id"])
                    instance.status = "error"
                    instance.error_message = exc.detail or exc.message
                    event = InstanceEvent(
                        instance_id=instance.id,
                        actor=actor.label,
                        user_id=actor.user_id,
                        kind="step_failed",
                        element_id=exc.element_id or failing.get("element_id"),
                        data={"error": (exc.detail or exc.message)[:2000]},
                    )
                    session.add(event)
            raise

    def _context(self, session, actor, instance, now) -> StepContext:
        return StepContext(session, actor, self.config, now, instance.id, instance.process_id)

    def _task_row(self, session, actor: Actor, task_id: str, for_update=False) -> HumanTask:
        query = select(HumanTask).where(HumanTask.id == _task_key(task_id))
        if for_update and not is_sqlite(session.get_bind()):
            query = query.with_for_update()
        return _workable(actor, session.scalar(query))

    def _task_and_locked_instance(self, session, actor: Actor, task_id: str):
        """The task row and its instance, the instance locked for the rest of the
        transaction, in one round trip (SQLite: BEGIN IMMEDIATE holds the lock)."""
        query = TASK_AND_INSTANCE if is_sqlite(session.get_bind()) else TASK_AND_LOCKED_INSTANCE
        found = session.execute(query, {"task_id": _task_key(task_id)}).first()
        return _workable(actor, found[0] if found else None), found[1]

    def _lock(self, session, instance_id: int, skip_locked=False) -> ProcessInstance | None:
        """Lock the instance row for the rest of the transaction (SQLite: BEGIN IMMEDIATE did)."""
        query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if not is_sqlite(session.get_bind()):
            query = query.with_for_update(skip_locked=skip_locked)
        instance = session.scalar(query)
        if instance is None and not skip_locked:
            raise NotFound("La instancia no existe.")
        return instance

    def _workflow(self, session, instance: ProcessInstance):
        """The instance's version (parsed once, cached) and its workflow, loaded from the row."""
        version = self._version(session, instance.version_id)
        return version, instances.load(instance, version, self.script_engine)

    @staticmethod
    def _instance_or_404(session, instance_id: int) -> ProcessInstance:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound("La instancia no existe.")
        return instance

    @staticmethod
    def _ready_task(workflow, row):
        try:
            task = workflow.get_task_from_id(uuid.UUID(row.id))
        except TaskNotFoundException:
            raise TaskNotReady("Esta tarea ya no está disponible.") from None
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady("Esta tarea ya fue atendida.")
        return task

    def _advance(self, workflow, ctx: StepContext, action) -> None:
        token = current_step.set(ctx)
        try:
            action(workflow)
            workflow.refresh_timers()
            workflow.do_engine_steps()
        except DomainError:
            raise
        except WorkflowTaskException as exc:
            cause = getattr(exc, "exception", None) or exc.__cause__
            if isinstance(cause, DomainError):
                raise cause from None
            spec = getattr(exc, "task_spec", None)
            raise StepFailed("No fue posible continuar el trámite por un error interno.",
                             getattr(spec, "bpmn_id", None), str(exc)) from exc  # fmt: skip
        except (SpiffWorkflowException, Exception) as exc:  # Spiff raises bare Exception too (timers)
            raise StepFailed(
                "No fue posible continuar el trámite por un error interno.", None, str(exc)
            ) from exc
        finally:
            current_step.reset(token)


def _task_key(task_id) -> str:
    try:
        uuid.UUID(str(task_id))
    except ValueError:
        raise NotFound("La tarea no existe.") from None
    return str(task_id)


def _workable(actor: Actor, row: HumanTask | None) -> HumanTask:
    """``row`` if this actor may work it now; else the error to show, revealing nothing
    about tasks of others."""
    if row is None or not may_work(actor, row):
        raise NotFound("La tarea no existe o no está asignada a usted.")
    if row.status != "ready":
        raise TaskNotReady("Esta tarea ya fue atendida.")
    return row

"""The Runner: the engine's whole vocabulary. Every public method is one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import forms
from engine import instances
from engine.actors import Actor
from engine.actors import load_actor
from engine.config import EngineConfig
from engine.context import CheckContext
from engine.db import Base
from engine.db import make_engine
from engine.db import make_session_factory
from engine.db import utcnow
from engine.deploy import Deployer
from engine.documents import Documents
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import NotFound
from engine.expressions import EngineScriptEngine
from engine.functions import load_domain
from engine.instructions import render_instructions
from engine.lanes import inbox_queues
from engine.lanes import may_work
from engine.lanes import token_hash
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import ProcessInstance
from engine.operations import Operations
from engine.redact import redact
from engine.serialization import SERIALIZER_VERSION
from engine.signals import Signals
from engine.stepping import Stepping
from engine.views import CompletionResult
from engine.views import InstanceView
from engine.views import StartResult
from engine.views import TaskSummary
from engine.views import TaskView

INSERT_INSTANCE = ProcessInstance.__table__.insert().returning(ProcessInstance.__table__.c.id)


class Runner(Signals, Documents, Operations, Deployer, Stepping):
    """Start, list, claim, complete, message, time and cancel process instances."""

    def __init__(self, session_factory: Callable[[], Session], config: EngineConfig | None = None):
        load_domain()
        self.session_factory = session_factory
        self.config = config or EngineConfig()
        self.script_engine = EngineScriptEngine()
        self._versions: dict[int, instances.LoadedVersion] = {}

    @classmethod
    def from_url(cls, url: str, config: EngineConfig | None = None, **engine_kwargs) -> Runner:
        return cls(make_session_factory(make_engine(url, **engine_kwargs)), config)

    def close(self) -> None:
        """Release pooled database connections."""
        bind = self.session_factory.kw.get("bind") if hasattr(self.session_factory, "kw") else None
        if bind is not None:
            bind.dispose()

    def create_schema(self) -> None:
        """Create every table (tests and the embedded demo; production runs migrations)."""
        with self.session_factory() as session:
            Base.metadata.create_all(session.get_bind())

    # ---- who is acting ------------------------------------------------------------------
    def actor_for_user(self, user_id: int | None, anonymous_tokens=()) -> Actor:
        """The actor for a logged-in user: platform roles and account memberships from the DB."""
        if user_id is None:
            return Actor.anonymous(*anonymous_tokens)
        with self.transaction() as session:
            return load_actor(session, user_id, anonymous_tokens)

    @staticmethod
    def _actor_in(session, actor: Actor) -> Actor:
        return load_actor(session, actor.user_id, actor.anonymous_tokens)

    def task_options(self, actor: Actor, task_id: str, field: str, filled: dict | None = None):
        """The choices of ``field`` (``x-options``) on a task this actor may work, given the
        values ``filled`` in so far (municipality after department).

        Option lists are served only through a task that needs them: whoever may not work
        the task gets NotFound, and the source applies its own policy to the actor."""
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id)
            version_id = session.scalar(
                select(ProcessInstance.version_id).where(ProcessInstance.id == row.instance_id)
            )
            version = self._version(session, version_id)
            schema_name, _ = version.form_names(version.task_spec(row.name))
            schema = version.forms.get(schema_name) if schema_name else None
            declared = forms.properties_of(schema or {})
            # Only the form's own fields, as text: nothing else reaches a source.
            known = {k: v for k, v in (filled or {}).items() if k in declared and isinstance(v, str)}
            check_ctx = CheckContext(session, actor, self.config, row.instance_id)
            lists = forms.FormOptions(schema or {}, check_ctx, known)
            if field not in lists:
                raise NotFound("Este campo no tiene lista de opciones.")
            return lists[field]

    # ---- instances ------------------------------------------------------------------------
    def start(self, process_id: str, actor: Actor, data: dict | None = None) -> StartResult:
        """Start the newest version of ``process_id`` and run it to its first wait."""
        anonymous_token = None if actor.user_id or actor.is_system else secrets.token_urlsafe(32)
        if anonymous_token:
            actor = Actor.anonymous(*actor.anonymous_tokens, anonymous_token)
        with self.transaction() as session:
            version = self._latest_version(session, process_id)
            workflow = BpmnWorkflow(version.spec, version.subprocess_specs, script_engine=self.script_engine)
            workflow.task_tree.data.update({**self.config.process_defaults, **(data or {})})
            now = utcnow()
            values = {
                "process_id": process_id,
                "version_id": version.id,
                "status": "running",
                "state": "{}",
                "serializer_version": SERIALIZER_VERSION,
                "lock_version": 1,
                "started_by": actor.user_id,
                "owner_user_id": actor.user_id,
                "anonymous_token_hash": token_hash(anonymous_token) if anonymous_token else None,
                "account_id": None,
                "created_at": now,
                "updated_at": now,
            }
            # A Core INSERT ... RETURNING: the ORM's flush cost 40% of a start's CPU.
            new_id = session.connection().execute(INSERT_INSTANCE, values).scalar_one()
            row = ProcessInstance(id=new_id, **values)
            before = instances.Snapshot.empty()
            ctx = self._context(session, actor, row, now)
            ctx.record("started", process=process_id, version=version.id)
            self._advance(workflow, ctx, lambda wf: None)
            new_rows = instances.save(session, row, version, workflow, before, ctx)
            next_tasks = [TaskSummary.of(t) for t in new_rows if may_work(actor, t)]
            return StartResult(row.id, anonymous_token, next_tasks)

    def inbox(
        self,
        actor: Actor,
        instance_id: int | None = None,
        process_id: str | None = None,
        role: str | None = None,
        account_id: int | None = None,
        limit: int = 200,
    ) -> list[TaskSummary]:
        """Ready tasks this actor may work, oldest first: the oldest ``limit`` of each queue
        (an index range each, never a sort of every open task), merged."""
        rows: dict[str, HumanTask] = {}
        with self.transaction() as session:
            for queue in inbox_queues(actor):
                query = select(HumanTask).where(HumanTask.status == "ready", queue)
                if instance_id is not None:
                    query = query.where(HumanTask.instance_id == instance_id)
                if process_id:
                    query = query.where(HumanTask.process_id == process_id)
                if role:
                    query = query.where(HumanTask.role == role)
                if account_id is not None:
                    query = query.where(HumanTask.account_id == account_id)
                for row in session.scalars(query.order_by(HumanTask.created_at, HumanTask.id).limit(limit)):
                    rows[row.id] = row
            ordered = sorted(rows.values(), key=lambda row: (row.created_at, row.id))[:limit]
            return [TaskSummary.of(row) for row in ordered]

    def task(self, actor: Actor, task_id: str) -> TaskView:
        """Everything needed to draw a task's form."""
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id)
            instance = session.get(ProcessInstance, row.instance_id)
            version, workflow = self._workflow(session, instance)
            task = self._ready_task(workflow, row)
            schema_name, ui_name = version.form_names(task.task_spec)
            schema = forms.effective_schema(version.forms[schema_name], task.data) if schema_name else None
            check_ctx = CheckContext(session, actor, self.config, instance.id)
            return TaskView(
                summary=TaskSummary.of(row),
                schema=schema,
                uischema=version.forms.get(ui_name, {}) if ui_name else {},
                instructions=render_instructions(
                    task.task_spec.extensions.get("instructionsForEndUser"), task.data
                ),
                documentation=task.task_spec.documentation or "",
                data=forms.prefill(schema, task.data) if schema else {},
                options=dict(forms.FormOptions(schema, check_ctx, task.data)) if schema else {},
            )

    def task_form(self, actor: Actor, task_id: str) -> TaskView:
        """The task's form alone (schemas; option lists read when asked for), without
        loading the instance. Draw pages with ``task``."""
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id)
            version_id = session.scalar(
                select(ProcessInstance.version_id).where(ProcessInstance.id == row.instance_id)
            )
            version = self._version(session, version_id)
            check_ctx = CheckContext(session, actor, self.config, row.instance_id)
            view = self._form_view(version, version.task_spec(row.name), row, check_ctx, {})
            # The lists are read now: the transaction ends here.
            view.options = dict(view.options)
            return view

    @staticmethod
    def _form_view(version, task_spec, row, check_ctx, task_data) -> TaskView:
        schema_name, ui_name = version.form_names(task_spec)
        schema = version.forms.get(schema_name) if schema_name else None
        return TaskView(
            summary=TaskSummary.of(row),
            schema=schema,
            uischema=version.forms.get(ui_name, {}) if ui_name else {},
            instructions="",
            documentation="",
            data={},
            options=forms.FormOptions(schema, check_ctx, task_data) if schema else {},
        )

    def complete_task(
        self, actor: Actor, task_id: str, data: dict | Callable[[TaskView], dict]
    ) -> CompletionResult:
        """Validate, authorise, run to the next wait and commit — or change nothing.

        ``data`` is the submission, or a function that reads it from the task's form (its
        schemas and option lists): a browser post is then parsed inside this one
        transaction instead of a transaction of its own before it."""
        with self._failures_recorded(actor) as failing:
            return self._complete_task(actor, task_id, data, failing)

    def _complete_task(self, actor, task_id, data, failing) -> CompletionResult:
        with self.transaction() as session:
            row, instance = self._task_and_locked_instance(session, actor, task_id)
            failing.update(instance_id=row.instance_id, element_id=row.name)
            if row.claimed_by is not None and row.claimed_by != actor.user_id:
                raise Conflict("Otra persona tomó esta tarea. Pídale que la libere.")
            version, workflow = self._workflow(session, instance)
            task = self._ready_task(workflow, row)
            before = instances.Snapshot.of(workflow)
            schema_name, _ = version.form_names(task.task_spec)
            check_ctx = CheckContext(session, actor, self.config, instance.id)
            if callable(data):
                data = data(self._form_view(version, task.task_spec, row, check_ctx, task.data))
            clean = {}
            if schema_name:
                clean, errors = forms.validate(version.forms[schema_name], data or {}, check_ctx, task.data)
                if errors:
                    raise FormInvalid(errors)
            now = utcnow()
            ctx = self._context(session, actor, instance, now)
            ctx.events.append(
                {"kind": "task_completed", "element_id": row.name, "task_id": row.id, "data": dict(clean)}
            )

            def run(wf):
                # Spiff's UserTask honours the BPMN ``variable`` property; other manual tasks merge.
                if hasattr(task.task_spec, "add_data_from_form"):
                    task.task_spec.add_data_from_form(task, clean)
                else:
                    task.set_data(**clean)
                task.run()

            self._advance(workflow, ctx, run)
            new_rows = instances.save(
                session, instance, version, workflow, before, ctx, completed_task_id=row.id
            )
            if actor.user_id is not None and any(t.lane_kind == "account" for t in new_rows):
                # The step may have just made this user a member (registering an account
                # makes the registrant its Administrador): judge the next tasks with that.
                actor = self._actor_in(session, actor)
            return CompletionResult(
                instance.id,
                instance.status,
                [TaskSummary.of(t) for t in new_rows if may_work(actor, t)],
                redact(instances.current_data(workflow)),
            )

    def claim(self, actor: Actor, task_id: str) -> None:
        """Take a shared task so colleagues see it is being worked."""
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id, for_update=True)
            if row.claimed_by not in (None, actor.user_id):
                raise Conflict("Otra persona ya tomó esta tarea.")
            row.claimed_by = actor.user_id
            session.add(
                InstanceEvent(
                    instance_id=row.instance_id,
                    actor=actor.label,
                    user_id=actor.user_id,
                    kind="task_claimed",
                    element_id=row.name,
                    task_id=row.id,
                )
            )

    def release(self, actor: Actor, task_id: str) -> None:
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id, for_update=True)
            if row.claimed_by != actor.user_id:
                raise Conflict("Solo quien tomó la tarea puede liberarla.")
            row.claimed_by = None
            session.add(
                InstanceEvent(
                    instance_id=row.instance_id,
                    actor=actor.label,
                    user_id=actor.user_id,
                    kind="task_released",
                    element_id=row.name,
                    task_id=row.id,
                )
            )

    def cancel(self, actor: Actor, instance_id: int, reason: str) -> None:
        """Cancel a running instance; the reason is required and audited."""
        if not (reason or "").strip():
            raise FormInvalid({"reason": ["Indique el motivo."]})
        with self.transaction() as session:
            instance = self._lock(session, instance_id)
            if instance.status in ("completed", "cancelled"):
                raise Conflict("La instancia ya terminó.")
            version, workflow = self._workflow(session, instance)
            before = instances.Snapshot.of(workflow)
            ctx = self._context(session, actor, instance, utcnow())
            ctx.record("cancelled", reason=reason.strip())
            workflow.cancel()
            instances.save(session, instance, version, workflow, before, ctx)

    def instance(self, instance_id: int) -> InstanceView:
        """An instance as operators see it (callers decide who may see it)."""
        with self.transaction() as session:
            instance = self._instance_or_404(session, instance_id)
            version, workflow = self._workflow(session, instance)
            tasks = session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
            ).all()
            events = session.scalars(
                select(InstanceEvent)
                .where(InstanceEvent.instance_id == instance_id)
                .order_by(InstanceEvent.id)
            ).all()
            data = instances.current_data(workflow)
            return InstanceView(
                id=instance.id, process_id=instance.process_id, version_id=instance.version_id,
                status=instance.status, data=redact(dict(data)), created_at=instance.created_at,
                updated_at=instance.updated_at, error_message=instance.error_message,
                tasks=[TaskSummary.of(t) for t in tasks],
                events=[{"at": e.at, "actor": e.actor, "kind": e.kind, "element_id": e.element_id,
                         "data": e.data} for e in events],
            )  # fmt: skip

    def count_instances(self, process_id: str | None = None) -> int:
        with self.transaction() as session:
            query = select(func.count(ProcessInstance.id))
            if process_id:
                query = query.where(ProcessInstance.process_id == process_id)
            return session.scalar(query)

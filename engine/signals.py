"""Things that happen to instances from outside a form: messages and due timers."""

from __future__ import annotations

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from sqlalchemy import select

from engine import instances
from engine.actors import Actor
from engine.db import utcnow
from engine.errors import MessageNotExpected
from engine.errors import StepFailed
from engine.models import MessageSubscription
from engine.models import ProcessInstance


class Signals:
    """Mixed into Runner."""

    def deliver_message(
        self, name: str, correlation_value: str, payload: dict | None = None, actor: Actor | None = None
    ) -> int:
        """Deliver message ``name`` to the instance waiting for it with this correlation value."""
        actor = actor or Actor.system()
        with self._failures_recorded(actor) as failing:
            return self._deliver_message(name, correlation_value, payload, actor, failing)

    def _deliver_message(self, name, correlation_value, payload, actor, failing) -> int:
        with self.transaction() as session:
            instance_id = session.scalar(
                select(MessageSubscription.instance_id)
                .where(MessageSubscription.message_name == name,
                       MessageSubscription.correlation_value == str(correlation_value))
                .limit(1)
            )  # fmt: skip
            if instance_id is None:
                raise MessageNotExpected("El enlace ya fue usado, venció o no es válido.")
            failing["instance_id"] = instance_id
            instance = self._lock(session, instance_id)
            version, workflow = self._workflow(session, instance)
            before = instances.Snapshot.of(workflow)
            if (name, str(correlation_value)) not in before.subscriptions:
                raise MessageNotExpected("El enlace ya fue usado, venció o no es válido.")
            ctx = self._context(session, actor, instance, utcnow())
            ctx.record("message_delivered", message=name)
            self._advance(
                workflow, ctx, lambda wf: self._send(wf, name, str(correlation_value), payload or {})
            )
            instances.save(session, instance, version, workflow, before, ctx)
            return instance.id

    def _send(self, workflow, name, value, payload):
        for task in workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            if (
                getattr(definition, "name", None) == name
                and instances._correlation_value(task, definition) == value
            ):
                payload = dict(payload)
                for prop in definition.correlation_properties:
                    if prop.retrieval_expression.isidentifier():
                        payload.setdefault(prop.retrieval_expression, value)
                correlations = definition.calculate_correlations(
                    workflow.script_engine, definition.correlation_properties, payload
                )
                workflow.send_event(BpmnEvent(definition, payload, correlations))
                return
        raise MessageNotExpected("El enlace ya fue usado, venció o no es válido.")

    def fire_due_timers(self, now=None, limit: int = 100) -> int:
        """Advance every instance whose earliest timer is due. Returns how many moved."""
        now = now or utcnow()
        with self.transaction() as session:
            due = session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= now)
                .order_by(ProcessInstance.next_timer_at).limit(limit)
            ).all()  # fmt: skip
        fired = 0
        for instance_id in due:
            try:
                with self._failures_recorded(Actor.system()) as failing:
                    failing["instance_id"] = instance_id
                    fired += self._fire_timer(instance_id, now)
            except StepFailed:
                continue  # recorded on the instance; the other due instances still fire
        return fired

    def _fire_timer(self, instance_id: int, now) -> int:
        with self.transaction() as session:
            instance = self._lock(session, instance_id, skip_locked=True)
            if instance is None or instance.next_timer_at is None or instance.next_timer_at > now:
                return 0  # another worker fired it first
            version, workflow = self._workflow(session, instance)
            before = instances.Snapshot.of(workflow)
            ctx = self._context(session, Actor.system(), instance, utcnow())
            ctx.record("timer_fired")
            self._advance(workflow, ctx, lambda wf: None)
            if instances.completed_ids(workflow) == before.completed:
                # SpiffWorkflow judges due-ness by the real clock: nothing fired yet.
                return 0
            instances.save(session, instance, version, workflow, before, ctx)
            return 1

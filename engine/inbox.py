"""The inbox as people work it: queues read in index order, who holds which task (claim,
release, delegate, a supervisor's reassign and unclaim), the queue of tasks nobody can work,
and the escalation of overdue tasks to their queue's supervisors.

Who may do what (checked here, on every call, whatever page or API asked):

- anyone who may work a task (engine.lanes.may_work) takes it ("Tomar") while nobody holds
  it, and hands it to a colleague who may work it too ("Delegar");
- its holder gives it back ("Liberar");
- a supervisor of its queue (engine.people.Supervision) takes it back from whoever holds it
  ("Quitar") and hands it to anyone who may work it ("Reasignar"), with a reason; a platform
  supervisor may also name *any* active person for a task nobody can work, who may then work
  that one task without the lane's role.

Every change is one transaction that locks the task row and writes an instance event
(``task_claimed``, ``task_released``, ``task_delegated``, ``task_reassigned``,
``task_unclaimed``, ``task_escalated``) with who, when, from whom, to whom and why.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_
from sqlalchemy import not_
from sqlalchemy import select

from engine.actors import Actor
from engine.config import EngineConfig
from engine.db import is_sqlite
from engine.db import utcnow
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import NotFound
from engine.errors import TaskNotReady
from engine.lanes import by_lane
from engine.lanes import inbox_queues
from engine.lanes import may_work
from engine.lanes import supervised_queues
from engine.lanes import supervises
from engine.lanes import task_key
from engine.lanes import workable
from engine.mail import Mailer
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.people import Person
from engine.registry import Domain
from engine.store import Store
from engine.views import TaskSummary

# ``due`` filters of a listing: overdue now, due within a week, without a due date.
DUE_FILTERS = ("vencidas", "proximas", "sin_fecha")
ORDERS = ("creada", "vence")
SOON = dt.timedelta(days=7)
REASON_REQUIRED = {"reason": ["Indique el motivo."]}
MAX_REASON = 500


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise FormInvalid({"reason": [f"El motivo admite hasta {MAX_REASON} caracteres."]})
    return text


def _due_clause(due: str | None, now: dt.datetime):
    if due == "vencidas":
        return HumanTask.due_at < now
    if due == "proximas":
        return and_(HumanTask.due_at >= now, HumanTask.due_at < now + SOON)
    if due == "sin_fecha":
        return HumanTask.due_at.is_(None)
    return None


def _order(order: str | None):
    """Index order of one queue's read: oldest first, or soonest due first (no due date last)."""
    if order == "vence":
        return (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
    return (HumanTask.created_at, HumanTask.id)


def _sort_key(order: str | None):
    if order == "vence":
        far = dt.datetime.max
        return lambda row: (row.due_at is None, row.due_at or far, row.created_at, row.id)
    return lambda row: (row.created_at, row.id)


def _event(row: HumanTask, actor: Actor, kind: str, data: dict | None = None) -> InstanceEvent:
    return InstanceEvent(instance_id=row.instance_id, actor=actor.label, user_id=actor.user_id, kind=kind,
                         element_id=row.name, task_id=row.id, data=data)  # fmt: skip


class Inbox:
    """Reads and changes the human-task index (never a workflow's state: nothing here runs
    the engine). Shares the Runner's store, domain and config."""

    def __init__(self, store: Store, domain: Domain, config: EngineConfig):
        self.store = store
        self.domain = domain
        self.config = config
        self.people = domain.people
        self.supervision = domain.people.supervision if domain.people is not None else None

    # ---- reading ----------------------------------------------------------------------
    def _read(self, session, queues, filters, order, limit) -> list[TaskSummary]:
        """The first ``limit`` ready tasks of each queue in index order, merged."""
        rows: dict[str, HumanTask] = {}
        for queue in queues:
            query = select(HumanTask).where(HumanTask.status == "ready", queue, *filters)
            for row in session.scalars(query.order_by(*_order(order)).limit(limit)):
                rows[row.id] = row
        ordered = sorted(rows.values(), key=_sort_key(order))[:limit]
        return [TaskSummary.of(row) for row in ordered]

    def tasks(self, actor: Actor, instance_id=None, process_id=None, role=None, account_id=None,
              due=None, order=None, limit: int = 200, now=None) -> list[TaskSummary]:  # fmt: skip
        """Ready tasks this actor may work: the first ``limit`` of each queue (an index range
        each, never a sort of every open task), merged; oldest first, or soonest due."""
        filters = []
        if instance_id is not None:
            filters.append(HumanTask.instance_id == instance_id)
        if process_id:
            filters.append(HumanTask.process_id == process_id)
        if role:
            filters.append(HumanTask.role == role)
        if account_id is not None:
            filters.append(HumanTask.account_id == account_id)
        clause = _due_clause(due, now or utcnow())
        if clause is not None:
            filters.append(clause)
        with self.store.transaction() as session:
            return self._read(session, inbox_queues(actor), filters, order, limit)

    def supervised(self, actor: Actor, process_id=None, due=None, order=None, limit: int = 200,
                   now=None) -> list[TaskSummary]:  # fmt: skip
        """Ready tasks of the queues this actor supervises, whoever holds them."""
        filters = [HumanTask.process_id == process_id] if process_id else []
        clause = _due_clause(due, now or utcnow())
        if clause is not None:
            filters.append(clause)
        with self.store.transaction() as session:
            return self._read(session, supervised_queues(actor, self.supervision), filters, order, limit)

    def unworkable(self, actor: Actor, limit: int = 200) -> list[TaskSummary]:
        """Ready tasks nobody may work (no active person holds the lane's role, nobody was
        named for them): a platform supervisor's queue. Others get an empty list."""
        if not self._platform_supervisor(actor):
            return []
        nobody = and_(not_(self.people.holder_exists()), HumanTask.assigned_by.is_(None))
        with self.store.transaction() as session:
            return self._read(session, [nobody], [], None, limit)

    def _platform_supervisor(self, actor: Actor) -> bool:
        role = self.supervision.platform_role if self.supervision else None
        return role is not None and role in actor.platform_roles

    def supervised_task(self, actor: Actor, task_id: str) -> TaskSummary:
        """A ready task of a queue this actor supervises (NotFound for anyone else)."""
        with self.store.transaction() as session:
            return TaskSummary.of(self._supervised_row(session, actor, task_id))

    def _supervised_row(self, session, actor: Actor, task_id: str, for_update=False) -> HumanTask:
        row = self.store.task(session, task_key(task_id), for_update)
        if row is None or not supervises(actor, row, self.supervision):
            raise NotFound("La tarea no existe o no está en una cola que usted supervise.")
        if row.status != "ready":
            raise TaskNotReady("Esta tarea ya fue atendida.")
        return row

    def candidates(self, actor: Actor, task_id: str, limit: int = 200) -> list[Person]:
        """The people this actor may hand the task to (its holder excluded), by name: who may
        work it by its lane. Empty without a domain that knows people."""
        with self.store.transaction() as session:
            row = self._visible_row(session, actor, task_id)
            if self.people is None:
                return []
            return [p for p in self.people.holders(session, row, limit + 1) if p.user_id != row.claimed_by][
                :limit
            ]

    def _visible_row(self, session, actor: Actor, task_id: str, for_update=False) -> HumanTask:
        """The ready task if the actor may work it or supervises its queue; else NotFound."""
        row = self.store.task(session, task_key(task_id), for_update)
        if row is not None and supervises(actor, row, self.supervision):
            if row.status != "ready":
                raise TaskNotReady("Esta tarea ya fue atendida.")
            return row
        return workable(actor, row)

    # ---- who holds a task -------------------------------------------------------------
    def claim(self, actor: Actor, task_id: str) -> TaskSummary:
        """Take a shared task so colleagues see it is being worked."""
        with self.store.transaction() as session:
            row = workable(actor, self.store.task(session, task_key(task_id), for_update=True))
            if row.claimed_by not in (None, actor.user_id):
                raise Conflict("Otra persona ya tomó esta tarea.")
            if row.claimed_by is None:
                row.claimed_by, row.claimed_at, row.assigned_by = actor.user_id, utcnow(), None
            session.add(_event(row, actor, "task_claimed"))
            return TaskSummary.of(row)

    def release(self, actor: Actor, task_id: str) -> TaskSummary:
        """Give a task one holds back to its queue."""
        with self.store.transaction() as session:
            row = workable(actor, self.store.task(session, task_key(task_id), for_update=True))
            if row.claimed_by != actor.user_id:
                raise Conflict("Solo quien tomó la tarea puede liberarla.")
            row.claimed_by = row.claimed_at = row.assigned_by = None
            session.add(_event(row, actor, "task_released"))
            return TaskSummary.of(row)

    def unclaim(self, actor: Actor, task_id: str, reason: str | None) -> TaskSummary:
        """A supervisor takes a task back from whoever holds it: it returns to its queue."""
        with self.store.transaction() as session:
            row = self._supervised_row(session, actor, task_id, for_update=True)  # who asks, first
            reason = _reason(reason)
            if not reason:
                raise FormInvalid(REASON_REQUIRED)
            if row.claimed_by is None:
                raise Conflict("Nadie tiene esta tarea: ya está en su cola.")
            holder = row.claimed_by
            row.claimed_by = row.claimed_at = row.assigned_by = None
            session.add(_event(row, actor, "task_unclaimed", {"from": holder, "reason": reason}))
            return TaskSummary.of(row)

    def reassign(self, actor: Actor, task_id: str, user_id: int | None, reason: str | None = None):
        """Hand a task to the person ``user_id`` (None: nobody by that name, refused as such).

        Its holder (or, while nobody holds it, anyone who may work it) delegates to a colleague
        who may work it too; a supervisor of its queue reassigns it, with a reason, to anyone
        who may work it, or — a platform supervisor, for a task nobody can work — to any
        active person."""
        with self.store.transaction() as session:
            row = self._visible_row(session, actor, task_id, for_update=True)  # who asks, first
            reason = _reason(reason)
            supervisor = supervises(actor, row, self.supervision)
            worker = may_work(actor, row) and row.claimed_by in (None, actor.user_id)
            if not worker and not supervisor:
                raise Conflict("Otra persona tiene esta tarea: solo ella o un supervisor puede pasarla.")
            if supervisor and not worker and not reason:
                raise FormInvalid(REASON_REQUIRED)
            target = self.people.person(session, user_id) if self.people and user_id is not None else None
            if target is None:
                raise FormInvalid({"user": ["No hay una persona activa con ese usuario."]})
            if target.user_id == row.claimed_by:
                raise FormInvalid({"user": ["Esa persona ya tiene la tarea."]})
            named = None
            if not by_lane(self.domain.load_actor(session, target.user_id), row):
                override = supervisor and self._platform_supervisor(actor)
                if not (override and self._nobody_can_work(session, row)):
                    message = f"{target.name} no puede atender esta tarea: no tiene el rol de su cola."
                    raise FormInvalid({"user": [message]})
                named = actor.user_id
            kind = "task_delegated" if worker else "task_reassigned"
            data = {"from": row.claimed_by, "to": target.user_id, "reason": reason or None}
            if named is not None:
                data["without_role"] = True
            row.claimed_by, row.claimed_at, row.assigned_by = target.user_id, utcnow(), named
            session.add(_event(row, actor, kind, data))
            return TaskSummary.of(row)

    def _nobody_can_work(self, session, row: HumanTask) -> bool:
        query = select(HumanTask.id).where(HumanTask.id == row.id, not_(self.people.holder_exists()))
        return session.scalar(query) is not None

    # ---- overdue tasks ----------------------------------------------------------------
    def escalate_overdue(self, now=None, limit: int = 100) -> int:
        """Tell the supervisors of each shared queue, by email through the outbox, about its
        tasks whose due date passed (once per task); the worker calls it every round.
        Several workers never escalate a task twice (SKIP LOCKED, ``escalated_at``)."""
        now = now or utcnow()
        with self.store.transaction() as session:
            query = (
                select(HumanTask)
                .where(HumanTask.status == "ready", HumanTask.escalated_at.is_(None), HumanTask.due_at <= now,
                       HumanTask.lane_kind != "owner")
                .order_by(HumanTask.due_at)
                .limit(limit)
            )  # fmt: skip
            if not is_sqlite(session.get_bind()):
                query = query.with_for_update(skip_locked=True)
            rows = list(session.scalars(query))
            mailer = Mailer(self.domain.email_templates) if self.domain.email_templates is not None else None
            for row in rows:
                notices = self.people.escalation(session, row, self.config.base_url) if self.people else []
                sent = []
                for notice in notices if mailer is not None else []:
                    mailer.queue_notice(session, notice, row.instance_id, now)
                    sent.append(notice.to)
                row.escalated_at = now
                session.add(_event(row, Actor.system(), "task_escalated",
                                   {"due_at": row.due_at.isoformat(), "to": sent}))  # fmt: skip
            return len(rows)

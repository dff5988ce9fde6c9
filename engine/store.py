"""The engine's storage: sessions and transactions, row locks, and the statements every
step runs, built once.

A statement built per call costs more to build and to key for SQLAlchemy's compiled cache
than to run (about 0.13 ms of CPU each), and the ORM's unit of work cost more than the
workflow engine itself: what a step writes goes through the Core statements below.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from collections.abc import Iterator

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.attributes import set_committed_value

from engine.db import Base
from engine.db import is_sqlite
from engine.errors import Conflict
from engine.errors import NotFound
from engine.failpoints import failpoint
from engine.instances import StepWrite
from engine.models import ElementVisit
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import MessageSubscription
from engine.models import ProcessInstance
from engine.models import ProcessVersion

_TASKS = HumanTask.__table__
_INSTANCES = ProcessInstance.__table__
_INSTANCE_FIELDS = (
    "version_id owner_user_id account_id status completed_at error_message state serializer_version "
    "next_timer_at updated_at lock_version"
).split()

INSERT_INSTANCE = _INSTANCES.insert().returning(_INSTANCES.c.id)
# Read through Core and turned into objects by ``_loaded``: the ORM's loading (result setup,
# identity map, per-row processors) cost more than the statement itself.
TASK_AND_INSTANCE = (
    select(*_TASKS.c, *_INSTANCES.c)
    .join(_INSTANCES, _INSTANCES.c.id == _TASKS.c.instance_id)
    .where(_TASKS.c.id == bindparam("task_id"))
)
TASK_AND_LOCKED_INSTANCE = TASK_AND_INSTANCE.with_for_update(of=_INSTANCES)
_TASK_KEYS = tuple(inspect(HumanTask).get_property_by_column(column).key for column in _TASKS.c)
_INSTANCE_KEYS = tuple(inspect(ProcessInstance).get_property_by_column(column).key for column in _INSTANCES.c)
SUBSCRIBER = (
    select(MessageSubscription.instance_id)
    .where(
        MessageSubscription.message_name == bindparam("name"),
        MessageSubscription.correlation_value == bindparam("value"),
    )
    .limit(1)
)
NEWEST_VERSION = (
    select(ProcessVersion.id, ProcessVersion.number, ProcessVersion.content_hash)
    .where(ProcessVersion.process_id == bindparam("process_id"))
    .order_by(ProcessVersion.number.desc())
    .limit(1)
)
FINISH_TASK = (
    _TASKS.update()
    .where(_TASKS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        completed_at=bindparam("completed_at"),
        completed_by=bindparam("completed_by"),
    )
)
INSERT_TASK = _TASKS.insert()
READY_TASKS_OF = (
    select(HumanTask)
    .where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.status == "ready")
    .order_by(HumanTask.created_at, HumanTask.id)
)
UPDATE_INSTANCE = (
    _INSTANCES.update()
    .where(_INSTANCES.c.id == bindparam("b_id"), _INSTANCES.c.lock_version == bindparam("b_lock"))
    .values({name: bindparam(name) for name in _INSTANCE_FIELDS})
)
INSERT_VISIT = ElementVisit.__table__.insert()
INSERT_EVENT = InstanceEvent.__table__.insert()
DELETE_SUBSCRIPTIONS = MessageSubscription.__table__.delete().where(
    MessageSubscription.__table__.c.instance_id == bindparam("b_instance")
)
INSERT_SUBSCRIPTION = MessageSubscription.__table__.insert()

# The first key of the advisory locks of Store.serialise_starts (the second is the user id):
# "st" in ASCII, a namespace no other lock of the engine uses.
STARTS_LOCK = 0x7374


def _loaded(cls, columns) -> Base:
    """An object of mapped class ``cls`` holding a row read or written through Core
    (``columns``: a mapping or (name, value) pairs), set as the ORM's loader sets them: no
    events, no pending changes (1.4 us, where ``cls(**columns)`` took 27). It is not in the
    session — nothing tracks or flushes it, like the new instance ``insert_instance``
    returns: a step writes through the Core statements above, and ``write_step`` sets the
    instance's new values on it with ``set_committed_value``."""
    if not cls.__mapper__.configured:  # what the ORM's constructor would have done first
        configure_mappers()
    obj = cls._sa_class_manager.new_instance()
    obj.__dict__.update(columns)
    return obj


def _task_and_instance(row) -> tuple[HumanTask | None, ProcessInstance | None]:
    if row is None:
        return None, None
    split = len(_TASK_KEYS)
    return (
        _loaded(HumanTask, zip(_TASK_KEYS, row[:split], strict=True)),
        _loaded(ProcessInstance, zip(_INSTANCE_KEYS, row[split:], strict=True)),
    )


class Store:
    """Transactions and the rows of instances, tasks and versions, on one session factory."""

    def __init__(self, session_factory: Callable[[], Session]):
        self.session_factory = session_factory

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self.session_factory()
        try:
            with session.begin():
                yield session
                session.flush()
                failpoint("before_commit")  # the step ran and was written, not yet committed
        finally:
            session.close()

    def close(self) -> None:
        """Release pooled database connections."""
        bind = self.session_factory.kw.get("bind") if hasattr(self.session_factory, "kw") else None
        if bind is not None:
            bind.dispose()

    def create_schema(self) -> None:
        """Create every table (tests and the embedded demo; production runs migrations)."""
        with self.transaction() as session:
            Base.metadata.create_all(session.get_bind())

    # ---- reading and locking --------------------------------------------------------------
    @staticmethod
    def lock_instance(session, instance_id: int, skip_locked=False) -> ProcessInstance | None:
        """Lock the instance row for the rest of the transaction (SQLite: BEGIN IMMEDIATE did).
        None when it is locked by someone else and ``skip_locked``."""
        query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if not is_sqlite(session.get_bind()):
            query = query.with_for_update(skip_locked=skip_locked)
        instance = session.scalar(query)
        if instance is None and not skip_locked:
            raise NotFound("La instancia no existe.")
        return instance

    @staticmethod
    def serialise_starts(session, user_id: int) -> None:
        """Hold the lock of this person's starts by hand until the transaction ends, so two
        starts at once run one after the other (the second sees what the first wrote).
        PostgreSQL: a transaction-scoped advisory lock keyed by the user id (no row of the
        domain's is locked); SQLite: BEGIN IMMEDIATE already serialises every writer."""
        if not is_sqlite(session.get_bind()):
            session.execute(select(func.pg_advisory_xact_lock(STARTS_LOCK, user_id)))

    @staticmethod
    def task_and_locked_instance(session, task_id: str) -> tuple[HumanTask | None, ProcessInstance | None]:
        """The task row and its instance, the instance locked for the rest of the transaction,
        in one round trip (SQLite: BEGIN IMMEDIATE holds the lock). Both ``_loaded``."""
        query = TASK_AND_INSTANCE if is_sqlite(session.get_bind()) else TASK_AND_LOCKED_INSTANCE
        return _task_and_instance(session.connection().execute(query, {"task_id": task_id}).first())

    @staticmethod
    def task_and_instance(session, task_id: str) -> tuple[HumanTask | None, ProcessInstance | None]:
        """The task row and its instance in one round trip, nothing locked (to draw a page).
        Both ``_loaded``."""
        return _task_and_instance(
            session.connection().execute(TASK_AND_INSTANCE, {"task_id": task_id}).first()
        )

    @staticmethod
    def task(session, task_id: str, for_update=False) -> HumanTask | None:
        query = select(HumanTask).where(HumanTask.id == task_id)
        if for_update and not is_sqlite(session.get_bind()):
            query = query.with_for_update()
        return session.scalar(query)

    @staticmethod
    def ready_tasks(session, instance_id: int) -> list[HumanTask]:
        return list(session.scalars(READY_TASKS_OF, {"instance_id": instance_id}))

    @staticmethod
    def instance(session, instance_id: int) -> ProcessInstance:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound("La instancia no existe.")
        return instance

    @staticmethod
    def subscriber(session, name: str, correlation_value: str) -> int | None:
        """The instance waiting for message ``name`` with this correlation value."""
        return session.scalar(SUBSCRIBER, {"name": name, "value": correlation_value})

    @staticmethod
    def newest_version_id(session, process_id: str) -> int | None:
        return session.scalar(NEWEST_VERSION, {"process_id": process_id})

    @staticmethod
    def newest_version(session, process_id: str):
        """(id, number, content_hash) of the process's newest version, or None."""
        return session.execute(NEWEST_VERSION, {"process_id": process_id}).first()

    # ---- writing --------------------------------------------------------------------------
    @staticmethod
    def insert_instance(session, values: dict) -> ProcessInstance:
        """A new instance row (a Core INSERT ... RETURNING: the ORM's flush cost 40% of a
        start's CPU), returned as a transient object holding ``values``."""
        new_id = session.connection().execute(INSERT_INSTANCE, values).scalar_one()
        return ProcessInstance(id=new_id, **values)

    @staticmethod
    def write_step(session, row: ProcessInstance, write: StepWrite) -> list[HumanTask]:
        """Write what a step changed; the instance row only if nobody else moved it since it
        was read (``lock_version``), else Conflict. Returns the new human-task rows."""
        connection = session.connection()
        if write.finished:
            connection.execute(FINISH_TASK, write.finished)
        if write.new_tasks:
            connection.execute(INSERT_TASK, write.new_tasks)
        if write.subscriptions is not None:
            connection.execute(DELETE_SUBSCRIPTIONS, {"b_instance": row.id})
            if write.subscriptions:
                connection.execute(INSERT_SUBSCRIPTION, write.subscriptions)
        params = {**write.values, "b_id": row.id, "b_lock": row.lock_version}
        if connection.execute(UPDATE_INSTANCE, params).rowcount != 1:
            raise Conflict("Otra persona actualizó este trámite al mismo tiempo. Intente de nuevo.")
        for key, value in write.values.items():
            set_committed_value(row, key, value)
        if write.visits:
            connection.execute(INSERT_VISIT, write.visits)
        if write.events:
            connection.execute(INSERT_EVENT, write.events)
        return [_loaded(HumanTask, values) for values in write.new_tasks]

    @staticmethod
    def mark_failed(session, instance_id: int, actor, element_id: str | None, error: str):
        """Status ``error`` and a ``step_failed`` event (in a transaction of its own: the
        step's was rolled back). The instance, or None if it does not exist."""
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            return None
        instance.status = "error"
        instance.error_message = error
        session.add(
            InstanceEvent(
                instance_id=instance.id,
                actor=actor.label,
                user_id=actor.user_id,
                kind="step_failed",
                element_id=element_id,
                data={"error": error[:2000]},
            )
        )
        return instance

"""The engine's tables: deployed versions, instances, the human-task index, the event log,
message subscriptions, the email outbox and the rate-limit counters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.db import Base
from engine.db import utcnow

# BigInteger on PostgreSQL, INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer, "sqlite")


class ProcessVersion(Base):
    """One deployed version of one process: its parsed spec, stored once, plus the source
    files (diagrams, DMN, forms) it was built from, so forms are versioned with diagrams."""

    __tablename__ = "process_version"
    # Unique by number, not by content: re-uploading an earlier set is a rollback, a new
    # version with old content (migration 0007).
    __table_args__ = (UniqueConstraint("process_id", "number", name="uq_process_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deployed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Where the version came from: "repository" (flask deploy-diagrams, a new installation's
    # seed), "browser" (the modeler or an upload), "api", or "restore" (an earlier version made
    # the newest). A repository deploy never replaces a version of another origin unless forced.
    origin: Mapped[str] = mapped_column(String(20), default="repository", server_default="repository")
    # Why (required in the browser when deploying a draft; "--force" and restores say so).
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProcessDraft(Base):
    """An analyst's unpublished change to one process: its files as they would be deployed,
    built on ``base_version_id``. One per process, shared by its analysts; ``revision`` grows
    with every save, and a save must name the revision and version it started from
    (optimistic concurrency: a stale save is refused, never silently applied)."""

    __tablename__ = "process_draft"

    process_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProcessPlay(Base):
    """An analyst's run of a draft in the sandbox ("Probar el borrador"): only the steps taken
    so far (the scenario format, engine.scenarios); every look replays them on a fresh sandbox,
    so no server keeps a running copy."""

    __tablename__ = "process_play"

    process_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProcessScenario(Base):
    """A scenario test saved from a play: it runs, with the committed ones of
    ``workflows/scenarios``, before every deploy of its process (engine.scenarios)."""

    __tablename__ = "process_scenario"
    __table_args__ = (UniqueConstraint("process_id", "name", name="uq_process_scenario_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_status_process", "status", "process_id"),
        # The operators' list: "running, newest first", read in index order up to a page.
        Index("ix_process_instance_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    # running: waiting for people/messages/timers; completed; cancelled; error
    status: Mapped[str] = mapped_column(String(20), default="running")
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(10))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    started_by: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # The user the "owner" lane belongs to once known (set from task data `user_id`).
    owner_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    anonymous_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    next_timer_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    # instances.save writes UPDATE ... WHERE lock_version = <loaded>: a concurrent writer
    # that slipped past the row lock makes the step fail instead of overwriting.


class HumanTask(Base):
    """Index row per ready or finished user task, so inboxes are plain SQL."""

    __tablename__ = "human_task"
    __table_args__ = (
        # One index per kind of queue, each ending in created_at: an inbox reads every queue
        # in order and stops at its limit instead of sorting all open tasks.
        Index("ix_human_task_queue_role", "status", "lane_kind", "role", "created_at"),
        Index("ix_human_task_queue_account", "status", "account_id", "role", "created_at"),
        Index("ix_human_task_queue_owner", "status", "owner_user_id", "created_at"),
        Index("ix_human_task_queue_anonymous", "status", "anonymous_token_hash", "created_at"),
        # Tasks a supervisor named someone to (engine.lanes.inbox_queues).
        Index("ix_human_task_queue_claimed", "status", "claimed_by", "created_at"),
        # The worker's escalation round: ready, not yet escalated, due before now.
        Index("ix_human_task_due", "status", "escalated_at", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # Spiff task uuid
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))  # bpmn id of the task spec
    title: Mapped[str] = mapped_column(String(200))
    # What the task is about (its inboxSubject filled from the task data), e.g. an entity's name.
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lane: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # owner | account | platform (see workflows/lanes.json)
    lane_kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str | None] = mapped_column(String(50), nullable=True)
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    anonymous_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    form_schema: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="ready")  # ready | completed | cancelled
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The supervisor who named ``claimed_by`` (None for a task its holder took). The person a
    # supervisor names may work the task without the lane's role: the way out for a task
    # nobody can work (an account without an Administrador), audited (engine.inbox).
    assigned_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # When the worker told the queue's supervisors the task was overdue (once per task).
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class InstanceEvent(Base):
    """Append-only audit log: who did what to which instance, with redacted data."""

    __tablename__ = "instance_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(BigId, index=True, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(50))
    element_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ElementVisit(Base):
    """One pass of a token through a diagram element, for heatmaps and coloured diagrams.

    ``seconds`` is the time from the token's arrival (its parent task finishing) until the
    element completed: a user task's waiting time, a timer's delay, ~0 for a gateway.
    """

    __tablename__ = "element_visit"
    __table_args__ = (Index("ix_element_visit_heat", "process_id", "completed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(BigId, index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    version_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(100))
    completed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    seconds: Mapped[float] = mapped_column(Float)


class ElementVisitDay(Base):
    """The heatmap's rollup: the visits of one element of one process version on one day
    whose seconds fall in one histogram bucket (engine.heat). Folded in by the worker from
    ``element_visit`` past a high-water mark, never by the step that writes the visits.

    ``instances`` counts the visits that were their instance's first pass through the
    element, so sums over any days give distinct instances; ``seconds`` is the bucket's sum
    (its mean estimates a median that falls in it)."""

    __tablename__ = "element_visit_day"
    # Keyed in the heatmap's GROUP BY order and, on SQLite, stored in it (no rowid): the
    # all-time heatmap streams the process's rows instead of sorting them (3x faster at 1M).
    __table_args__ = {"sqlite_with_rowid": False}

    process_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    instances: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class ElementVisitMark(Base):
    """One row: the highest ``element_visit.id`` folded into ``element_visit_day``."""

    __tablename__ = "element_visit_mark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(BigId, default=0)


class MessageSubscription(Base):
    """Which instance waits for which message with which correlation value."""

    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_lookup", "message_name", "correlation_value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    message_name: Mapped[str] = mapped_column(String(100))
    correlation_value: Mapped[str] = mapped_column(String(200))


class OutboxEmail(Base):
    """An email queued in the same transaction as the step that caused it."""

    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class RateCounter(Base):
    """One fixed-window counter of a rate limit (failed logins, registrations started). In
    the database so that every web process counts against the same limit (engine/counters.py)."""

    __tablename__ = "rate_counter"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # a digest, never the username
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch


class Incident(Base):
    """An automatic step that failed and stopped its instance (engine.incidents): open until
    a retry runs the element, or an operator skips it, moves the token or cancels."""

    __tablename__ = "incident"
    # The operators' queue: open ones, oldest first.
    __table_args__ = (Index("ix_incident_status_opened", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    element_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    element_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    step: Mapped[str] = mapped_column(String(30))  # what ran: complete_task, timer, message, retry...
    message: Mapped[str] = mapped_column(Text)  # Spanish, in words
    detail: Mapped[str] = mapped_column(Text)  # technical, for whoever fixes the diagram
    data_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # names, never values
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    failures: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(30), nullable=True)  # retried | skipped | ...

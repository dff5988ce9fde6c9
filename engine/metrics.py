"""The figures operators watch, read from the database when they are asked for (a Prometheus
scrape, the dashboard page): instances by process and state, open incidents, task ages per
queue, the outbox's backlog and failures, timer lag and overdue tasks not yet escalated.

Read at scrape time, they are right however many web processes and workers there are: no
process keeps a count of its own. Each is one aggregate over an index (a few milliseconds
on 100 000 instances); nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select

from engine import incidents
from engine.models import HumanTask
from engine.models import OutboxEmail
from engine.models import ProcessInstance

# Upper bounds (seconds) of the task-age histogram: an hour, four hours, a day, three days,
# a week, a month. Due dates are days (dueInDays), so days are what operators compare.
AGE_BUCKETS = (3600.0, 4 * 3600.0, 86400.0, 3 * 86400.0, 7 * 86400.0, 30 * 86400.0)


@dataclass(frozen=True)
class QueueFigures:
    """Ready tasks of one queue (a diagram lane: "Mesa de Servicio", "Administrador de la
    Entidad", "Usuario"): how many, how many overdue, held by someone, the oldest one's age
    and how many are at most each ``AGE_BUCKETS`` old (cumulative, as Prometheus's ``le``)."""

    lane: str
    tasks: int
    overdue: int
    claimed: int
    oldest_seconds: float
    ages: tuple[int, ...]


@dataclass
class Figures:
    at: dt.datetime
    instances: dict[tuple[str, str], int] = field(default_factory=dict)  # (process, status) -> count
    incidents: dict[str, int] = field(default_factory=dict)  # process -> open incidents
    queues: list[QueueFigures] = field(default_factory=list)
    outbox: dict[str, int] = field(default_factory=dict)  # status -> emails
    outbox_retrying: int = 0  # pending after at least one failed attempt
    outbox_lag_seconds: float = 0.0  # how long the oldest due email has waited
    timers_due: int = 0
    timer_lag_seconds: float = 0.0  # how late the most overdue timer is
    escalations_due: int = 0  # overdue shared-queue tasks the worker has not escalated yet


def _seconds(now: dt.datetime, since: dt.datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def figures(session, now: dt.datetime) -> Figures:
    """Every figure, read in one transaction."""
    found = Figures(at=now)
    rows = session.execute(
        select(ProcessInstance.process_id, ProcessInstance.status, func.count())
        .group_by(ProcessInstance.process_id, ProcessInstance.status)
    )
    found.instances = {(process, status): count for process, status, count in rows}
    found.incidents = incidents.open_counts(session)
    found.queues = _queues(session, now)
    by_status = select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
    found.outbox = {status: count for status, count in session.execute(by_status)}
    found.outbox_retrying = session.scalar(
        select(func.count()).where(OutboxEmail.status == "pending", OutboxEmail.attempts > 0)
    )
    oldest = session.scalar(
        select(func.min(OutboxEmail.next_attempt_at))
        .where(OutboxEmail.status.in_(("pending", "sending")), OutboxEmail.next_attempt_at <= now)
    )
    found.outbox_lag_seconds = _seconds(now, oldest)
    due, earliest = session.execute(
        select(func.count(), func.min(ProcessInstance.next_timer_at))
        .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= now)
    ).one()
    found.timers_due, found.timer_lag_seconds = due, _seconds(now, earliest)
    found.escalations_due = session.scalar(
        select(func.count()).where(HumanTask.status == "ready", HumanTask.escalated_at.is_(None),
                                   HumanTask.due_at <= now, HumanTask.lane_kind != "owner")
    )  # fmt: skip
    return found


def _queues(session, now: dt.datetime) -> list[QueueFigures]:
    lane = func.coalesce(HumanTask.lane, "")
    age = [func.sum(case((HumanTask.created_at >= now - dt.timedelta(seconds=b), 1), else_=0))
           for b in AGE_BUCKETS]  # fmt: skip
    rows = session.execute(
        select(
            lane,
            func.count(),
            func.sum(case((HumanTask.due_at < now, 1), else_=0)),
            func.count(HumanTask.claimed_by),
            func.min(HumanTask.created_at),
            *age,
        )
        .where(HumanTask.status == "ready")
        .group_by(lane)
        .order_by(lane)
    )
    return [
        QueueFigures(name, count, int(overdue or 0), claimed, _seconds(now, oldest),
                     tuple(int(a or 0) for a in ages))  # fmt: skip
        for name, count, overdue, claimed, oldest, *ages in rows
    ]

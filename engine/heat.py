"""The heatmap, read from a daily rollup of element visits instead of every visit.

``element_visit_day`` holds, per process, day, element, version and seconds bucket, the
visits, the first passes of instances and the sum of seconds. The worker folds new visits
into it (``fold``: everything past a high-water mark, in batches); the heatmap adds the
visits past the mark live, so it is never stale, and folds first when that tail is long.
The step that writes a visit writes nothing more.

Precision: counts are exact. "Instances" counts an instance in the period in which it first
passed the element (the same as every instance that passed it, unless it came back on a
later day). The period is whole days: ``since`` counts from the start of its day, ``until``
up to the end of the day before it (a time after midnight includes that day). The median is
estimated from a histogram of 4 buckets per doubling of the seconds (each bucket 19% wide):
the mean of the bucket that holds the middle visit, exact when that visit is alone in its
bucket, otherwise off by less than the bucket's width (19%).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from engine.db import utcnow
from engine.models import ElementVisit
from engine.models import ElementVisitDay
from engine.models import ElementVisitMark

BUCKETS_PER_DOUBLING = 4
FLOOR_BUCKET = -10 * BUCKETS_PER_DOUBLING  # ~1 ms and less (gateways, script tasks)
BATCH = 20_000  # visits folded per statement round
TAIL_MAX = 5_000  # the heatmap folds first when more visits than this wait past the mark
# A visit is folded only once this old: a transaction still open with a smaller visit id
# (ids are handed out before commit) must have committed by then, or its visit is missed.
SETTLE = dt.timedelta(seconds=60)


def bucket(seconds: float) -> int:
    if seconds <= 0:
        return FLOOR_BUCKET
    return max(FLOOR_BUCKET, math.floor(BUCKETS_PER_DOUBLING * math.log2(seconds)))


def _day_bounds(since, until):
    first = since.date() if since else None
    last = None
    if until:
        last = until.date() if until.time() == dt.time() else until.date() + dt.timedelta(days=1)
    return first, last


def _visits(mark: int):
    """Visits past ``mark`` (``_with_first`` tells which were first passes)."""
    return select(
        ElementVisit.id, ElementVisit.instance_id, ElementVisit.process_id, ElementVisit.version_id,
        ElementVisit.element_id, ElementVisit.completed_at, ElementVisit.seconds,
    ).where(ElementVisit.id > mark)  # fmt: skip


FIRST_CHUNK = 1_000  # instance ids per statement of ``_with_first``


def _with_first(session, rows) -> list[tuple]:
    """``(row, first)`` for each visit: whether it was its instance's first pass of the
    element (the smallest visit id of that instance and element). One grouped read per
    thousand instances: a correlated "no earlier visit" subquery per row was quadratic
    whenever PostgreSQL planned it on stale statistics (a seq scan of the table per visit:
    folding 3,000 fresh visits took 5-8 s and held back every timer of the worker)."""
    instance_ids = sorted({row.instance_id for row in rows})
    first_ids: set[int] = set()
    for start in range(0, len(instance_ids), FIRST_CHUNK):
        first_ids.update(session.scalars(
            select(func.min(ElementVisit.id))
            .where(ElementVisit.instance_id.in_(instance_ids[start : start + FIRST_CHUNK]))
            .group_by(ElementVisit.instance_id, ElementVisit.element_id)
        ))  # fmt: skip
    return [(row, row.id in first_ids) for row in rows]


def _mark(session, lock: bool = False) -> int:
    query = select(ElementVisitMark.visit_id).where(ElementVisitMark.id == 1)
    value = session.scalar(query.with_for_update() if lock else query)
    if value is None and lock:
        session.add(ElementVisitMark(id=1, visit_id=0))
        session.flush()
        value = 0
    return value or 0


def fold(session, now: dt.datetime | None = None, batch: int | None = None) -> int:
    """Fold one batch of settled visits past the mark into the rollup; returns how many
    (call until 0). The mark row is locked, so workers fold one at a time."""
    mark = _mark(session, lock=True)
    cutoff = (now or utcnow()) - SETTLE
    rows = session.execute(_visits(mark).order_by(ElementVisit.id).limit(batch or BATCH)).all()
    settled = []
    for row in rows:
        if row.completed_at >= cutoff:
            break  # later ids wait too: an older transaction may still commit below them
        settled.append(row)
    if not settled:
        return 0
    sums: dict[tuple, list] = {}
    for row, first in _with_first(session, settled):
        key = (row.process_id, row.element_id, bucket(row.seconds), row.completed_at.date(), row.version_id)
        entry = sums.setdefault(key, [0, 0, 0.0])
        entry[0] += 1
        entry[1] += int(first)
        entry[2] += row.seconds
    table = ElementVisitDay.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = [
        {"process_id": p, "element_id": e, "bucket": b, "day": d, "version_id": v,
         "visits": n, "instances": i, "seconds": s}
        for (p, e, b, d, v), (n, i, s) in sums.items()
    ]  # fmt: skip
    for start in range(0, len(values), 500):
        insert = dialect.insert(table).values(values[start : start + 500])
        session.execute(insert.on_conflict_do_update(
            index_elements=[table.c.process_id, table.c.element_id, table.c.bucket, table.c.day,
                            table.c.version_id],
            set_={"visits": table.c.visits + insert.excluded.visits,
                  "instances": table.c.instances + insert.excluded.instances,
                  "seconds": table.c.seconds + insert.excluded.seconds},
        ))  # fmt: skip
    session.execute(update(ElementVisitMark).where(ElementVisitMark.id == 1).values(visit_id=settled[-1].id))
    return len(settled)


def tail_is_long(session) -> bool:
    mark = _mark(session)
    waiting = select(literal(1)).where(ElementVisit.id > mark).limit(TAIL_MAX + 1).subquery()
    return session.scalar(select(func.count()).select_from(waiting)) > TAIL_MAX


def heatmap(session, process_id: str, since=None, until=None) -> dict[str, tuple[int, float]]:
    """bpmn id -> (instances that passed, median seconds spent there) over whole days."""
    first, last = _day_bounds(since, until)
    mark = _mark(session)
    r = ElementVisitDay
    query = (
        select(r.element_id, r.bucket, func.sum(r.visits), func.sum(r.instances), func.sum(r.seconds))
        .where(r.process_id == process_id)
        .group_by(r.element_id, r.bucket)
    )
    if first:
        query = query.where(r.day >= first)
    if last:
        query = query.where(r.day < last)
    # element -> bucket -> [visits, instances, seconds]
    hist: dict[str, dict[int, list]] = {}
    for element, number, visits, instances, seconds in session.execute(query):
        hist.setdefault(element, {})[number] = [int(visits), int(instances), float(seconds)]
    tail = _visits(mark).where(ElementVisit.process_id == process_id)
    if first:
        tail = tail.where(ElementVisit.completed_at >= dt.datetime.combine(first, dt.time()))
    if last:
        tail = tail.where(ElementVisit.completed_at < dt.datetime.combine(last, dt.time()))
    for row, first in _with_first(session, session.execute(tail).all()):
        entry = hist.setdefault(row.element_id, {}).setdefault(bucket(row.seconds), [0, 0, 0.0])
        entry[0] += 1
        entry[1] += int(first)
        entry[2] += row.seconds
    return {element: (sum(e[1] for e in buckets.values()), _median(buckets))
            for element, buckets in hist.items()}  # fmt: skip


def _median(buckets: dict[int, list]) -> float:
    ordered = [buckets[b] for b in sorted(buckets)]
    total = sum(e[0] for e in ordered)

    def at(rank: int) -> float:  # the mean of the bucket holding the rank-th visit (1-based)
        seen = 0
        for visits, _instances, seconds in ordered:
            seen += visits
            if seen >= rank:
                return seconds / visits
        return 0.0

    if total % 2:
        return at(total // 2 + 1)
    return (at(total // 2) + at(total // 2 + 1)) / 2

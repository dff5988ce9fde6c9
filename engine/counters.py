"""Fixed-window counters in the database: every process that shares the database shares them.

A counter lives until ``expires_at``; the first hit after that starts a new window. Each
call is one statement (an upsert with RETURNING on SQLite 3.35+ and PostgreSQL), so two
processes counting at once never lose a hit. Run them on a connection in autocommit (or
commit right after): a counter must not be rolled back with the request that counted it.
"""

from __future__ import annotations

import random

from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from engine.models import RateCounter

_table = RateCounter.__table__
PRUNE_ONE_IN = 200  # expired windows are deleted now and then, not on every hit


def increment(conn, name: str, expiry: float, amount: int, now: float) -> int:
    """Add ``amount`` to counter ``name`` (a new window of ``expiry`` seconds if none is
    live) and return its value. A negative amount gives hits back: only to a live window,
    never below zero."""
    c = _table.c
    if amount < 0:
        conn.execute(
            update(_table)
            .where(c.name == name, c.expires_at > now)
            .values(hits=case((c.hits + amount < 0, 0), else_=c.hits + amount))
        )
        return value(conn, name, now)
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(_table)
    insert = insert.values(name=name, hits=amount, expires_at=now + expiry)
    live = c.expires_at > now  # in the SET clause: the row already stored
    upsert = insert.on_conflict_do_update(
        index_elements=[c.name],
        set_={
            "hits": case((live, c.hits + insert.excluded.hits), else_=insert.excluded.hits),
            "expires_at": case((live, c.expires_at), else_=insert.excluded.expires_at),
        },
    ).returning(c.hits)
    hits = conn.execute(upsert).scalar_one()
    if random.randrange(PRUNE_ONE_IN) == 0:
        conn.execute(delete(_table).where(c.expires_at <= now))
    return hits


def value(conn, name: str, now: float) -> int:
    """The hits of the live window, 0 without one."""
    c = _table.c
    return conn.scalar(select(c.hits).where(c.name == name, c.expires_at > now)) or 0


def expires_at(conn, name: str, now: float) -> float:
    """When the live window ends (seconds since the epoch); ``now`` without one."""
    c = _table.c
    return conn.scalar(select(c.expires_at).where(c.name == name, c.expires_at > now)) or now


def clear(conn, name: str | None = None) -> int:
    """Forget one counter, or every counter; returns how many were deleted."""
    statement = delete(_table)
    if name is not None:
        statement = statement.where(_table.c.name == name)
    return conn.execute(statement).rowcount

"""Database plumbing: the declarative base every table hangs on, and engine creation.

webui adopts these models through ``SQLAlchemy(model_class=Base)``; the engine itself never
needs an application context.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import sessionmaker

from engine.errors import InvalidInput

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Naive UTC now: both SQLite and PostgreSQL columns store naive UTC timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def is_sqlite(bind) -> bool:
    return bind.dialect.name == "sqlite"


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout and immediate transactions: writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite so we can BEGIN IMMEDIATE (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writer lock up front: a deferred transaction that read first would fail with
        # "database is locked" when it later writes after another writer committed. Sent on
        # the driver's connection: through exec_driver_sql (an execution context, the
        # statement events) it cost 20 us more per transaction, a third of an empty one.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")


def refuse_nul_parameters(engine: Engine) -> None:
    """Refuse any statement carrying a NUL character in a text parameter, on both databases.

    PostgreSQL cannot store NUL in text and answered every such query (a filter, a login, a
    correlation value) with a DataError, a 500; SQLite stored it. Checked here, where every
    path meets, the request fails the same clean way everywhere (``InvalidInput``)."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before(conn, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else ()
            if any(isinstance(value, str) and "\x00" in value for value in values):
                raise InvalidInput("El texto contiene caracteres no permitidos.")
        return statement, parameters


def make_engine(url: str, **kwargs) -> Engine:
    """Create an SQLAlchemy engine for ``url`` with the settings this project relies on."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # An error's message never carries the statement's values (names, emails, documents):
    # exceptions end up in logs, and a log is no place for personal data.
    kwargs["hide_parameters"] = True
    engine = create_engine(url, **kwargs)
    if is_sqlite(engine):
        configure_sqlite(engine)
    refuse_nul_parameters(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)

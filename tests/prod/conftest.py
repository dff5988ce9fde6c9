"""Fixtures for production tests: empty databases (no ``create_all``: migrations make the
schema), on SQLite and on the PostgreSQL server named by ``TEST_DATABASE_URL``."""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tests.conftest import IN_CI
from tests.conftest import _pid_alive
from tests.conftest import _postgres_url_or_skip

_counter = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "scale: the multi-process production run (gunicorn, workers, SMTP, PostgreSQL); "
        "-m 'not scale' leaves it out",
    )


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database ``<configured>_prod_<pid>_<n>`` on the test server, dropped after.

    Databases left by killed runs (their pid is gone) are dropped first.
    """
    from engine.db import make_engine

    url = _postgres_url_or_skip()
    parts = urlsplit(url)
    base = parts.path.lstrip("/")
    prefix = f"{base}_prod_"
    name = f"{prefix}{os.getpid()}_{next(_counter)}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            for (stale,) in conn.execute(
                text("select datname from pg_database where starts_with(datname, :p)"), {"p": prefix}
            ):
                pid = stale[len(prefix) :].split("_", 1)[0]
                if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                    conn.execute(text(f'drop database if exists "{stale}" with (force)'))
            conn.execute(text(f'create database "{name}"'))
    except DBAPIError as exc:
        admin.dispose()
        message = f"cannot create a database on {parts.netloc} (needs CREATEDB): {exc.orig}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="pg", marks=pytest.mark.postgres),
    ]
)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """A database with no tables at all, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def clean_env(monkeypatch):
    """No deployment variables from the developer's shell leak into these apps."""
    for name in (
        "APP_ENV",
        "FLASK_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "LOG_FORMAT",
        "SMTP_HOST",
        "MAIL_BACKEND",
        "MAX_UPLOAD_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def restore_logging():
    """A production app installs a JSON handler on the root logger: take it away after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    spiff = logging.getLogger("spiff").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("spiff").setLevel(spiff)

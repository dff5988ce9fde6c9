"""Shared fixtures: databases (SQLite and PostgreSQL), engine runners, a live web server and
Debian's chromium driven by Playwright.

Every engine test that takes ``database_url`` (directly or through ``runner``) runs twice:
``[sqlite]`` on a fresh file and ``[pg]`` on the server named by ``TEST_DATABASE_URL``
(``make test`` sets it through ``scripts/ensure_postgres.sh``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import socket
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import pytest
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Every module that declares tables on engine.db.Base (migrations/env.py imports the same).
MODEL_MODULES = ("engine.models", "engine.domain.models")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# --------------------------------------------------------------------------- markers


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "chromium_browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if "postgres_url" in fixtures:
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixtures can react to failures (screenshots).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --------------------------------------------------------------------------- databases


def load_models():
    """Import every model module that exists so ``Base.metadata`` knows all tables."""
    from engine.db import Base

    for name in MODEL_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base.metadata


def _server_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2).close()
    except OSError:
        return False
    return True


def _postgres_url_or_skip() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        fallback = "postgresql://postgres@127.0.0.1:5432/secop_test"
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set (run the suite through `make test`)")
        if not _server_reachable(fallback):
            pytest.skip("no TEST_DATABASE_URL and no PostgreSQL on 127.0.0.1:5432")
        url = fallback
    if not _server_reachable(url):
        message = f"PostgreSQL at {urlsplit(url).netloc} does not accept connections"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_database(url: str) -> tuple[str, Callable[[], None] | None]:
    """A database of this pytest process's own next to the configured one.

    Several suites run at once on one machine (developers, xdist workers, CI): each gets
    ``<db>_run_<pid>``, dropped at the end; ones left by killed runs are dropped on the next.
    Without the CREATEDB privilege the configured database itself is used.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from engine.db import make_engine

    parts = urlsplit(url)
    base = parts.path.lstrip("/")
    name = f"{base}_run_{os.getpid()}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            prefix = f"{base}_run_"
            for (stale,) in conn.execute(
                text("select datname from pg_database where starts_with(datname, :p)"), {"p": prefix}
            ):
                pid = stale[len(prefix) :]
                if pid.isdigit() and (int(pid) == os.getpid() or not _pid_alive(int(pid))):
                    conn.execute(text(f'drop database if exists "{stale}" with (force)'))
            conn.execute(text(f'create database "{name}"'))
    except DBAPIError:
        admin.dispose()
        return url, None

    def drop() -> None:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'drop database if exists "{name}" with (force)'))
        finally:
            admin.dispose()

    return urlunsplit(parts._replace(path="/" + name)), drop


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database with the current schema, created once per test process."""
    from sqlalchemy import text

    from engine.db import make_engine

    url, drop = _run_database(_postgres_url_or_skip())
    metadata = load_models()
    engine = make_engine(url)
    try:
        # Start from an empty schema: the models change between runs and create_all never
        # alters or drops a table (this matters when the configured database is reused).
        with engine.begin() as conn:
            conn.execute(text("drop schema if exists public cascade"))
            conn.execute(text("create schema public"))
        metadata.create_all(engine)
    except Exception as exc:  # the connection failing is not a reason to skip in CI
        engine.dispose()
        raise RuntimeError(
            f"cannot prepare the PostgreSQL test database at {urlsplit(url).netloc}"
            " (scripts/ensure_postgres.sh creates it)"
        ) from exc
    yield url
    engine.dispose()
    if drop is not None:
        drop()


def truncate_all(url: str) -> None:
    """Empty every table and reset identities, so ids start at 1 as on a fresh SQLite file."""
    from sqlalchemy import text

    from engine.db import make_engine

    metadata = load_models()
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    if not tables:
        return
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            # A connection a previous test leaked must not make the whole suite hang.
            conn.execute(text("set local lock_timeout = '10s'"))
            conn.execute(text(f"truncate table {tables} restart identity cascade"))
    finally:
        engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="pg", marks=pytest.mark.postgres),
    ]
)
def database_url(request, tmp_path) -> str:
    """An empty database with all tables: a new SQLite file, or the truncated PostgreSQL one."""
    if request.param == "sqlite":
        from engine.db import make_engine

        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        try:
            load_models().create_all(engine)
        finally:
            engine.dispose()
        return url
    url = request.getfixturevalue("postgres_url")
    truncate_all(url)
    return url


# --------------------------------------------------------------------------- engine


def _close_runner(runner) -> None:
    close = getattr(runner, "close", None)
    if callable(close):
        close()
        return
    # Runner.from_url owns its engine: give its pooled connections back, or a long PostgreSQL
    # run exhausts max_connections and TRUNCATE waits on idle transactions.
    engine = getattr(runner, "engine", None) or getattr(runner.session_factory, "kw", {}).get("bind")
    if engine is not None and hasattr(engine, "dispose"):
        engine.dispose()


@pytest.fixture
def make_runner(database_url, tmp_path):
    """Factory: ``make_runner(workflows_dir=None, forms_dir=None, deploy=True, domain=None, **config)``.

    Builds a ``Runner`` on this test's database with uploads under ``tmp_path``; the schema
    exists already (see ``database_url``) and the diagrams are deployed unless ``deploy=False``.
    The domain is SECOP's unless another one is given.
    """
    from engine import EngineConfig
    from engine import Runner
    from engine.domain import secop_domain

    made = []

    def factory(workflows_dir=None, forms_dir=None, deploy=True, domain=None, **config):
        config.setdefault("upload_dir", tmp_path / "uploads")
        if workflows_dir is not None:
            config["workflows_dir"] = Path(workflows_dir)
        if forms_dir is not None:
            config["forms_dir"] = Path(forms_dir)
        runner = Runner.from_url(database_url, EngineConfig(**config), domain=domain or secop_domain())
        made.append(runner)
        if database_url.startswith("sqlite"):
            runner.create_schema()
        if deploy:
            runner.deploy()
        return runner

    yield factory
    for runner in made:
        _close_runner(runner)


@pytest.fixture
def runner(make_runner):
    """A Runner with the project's own workflows/ and forms/ deployed."""
    return make_runner()


# --------------------------------------------------------------------------- web


class _Deferred:
    """WSGI app filled in after the socket is bound, so the app can know its own URL."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture
def live_server():
    """Factory: ``live_server(test_config=None, app=None) -> base URL``.

    Serves ``webui.create_app(test_config)`` (or the given ``app``) from a background thread on
    127.0.0.1 and a free port; ``BASE_URL`` defaults to that URL so emailed links work.
    """
    from werkzeug.serving import make_server

    servers = []

    def start(test_config=None, app=None):
        deferred = _Deferred()
        server = make_server("127.0.0.1", 0, deferred, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        if app is None:
            import webui

            config = {"TESTING": True, "BASE_URL": base_url, **(test_config or {})}
            app = webui.create_app(config)
        deferred.app = app
        thread = threading.Thread(target=server.serve_forever, name=f"live-server-{server.server_port}")
        thread.daemon = True
        thread.start()
        servers.append((server, thread))
        return base_url

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        _dispose_app_engines(server.app.app)


def _dispose_app_engines(app) -> None:
    """Close the Flask-SQLAlchemy pools of a served app (see ``_close_runner``)."""
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is None:
        return
    with app.app_context():
        for engine in extension.engines.values():
            engine.dispose()


# --------------------------------------------------------------------------- mail


class _Mailbox:
    """aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email import policy

        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1: ``.hostname``, ``.port``, ``.messages`` (email.message objects)."""
    from aiosmtpd.controller import Controller

    mailbox = _Mailbox()
    # aiosmtpd cannot bind port 0: it connects to the port to check the server is up.
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    controller.messages = mailbox.messages
    try:
        yield controller
    finally:
        controller.stop()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """tests/artifacts/: screenshots and traces (gitignored)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's chromium, headless, through Playwright (Playwright's own download is not used)."""
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium package)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(request, chromium_browser, artifacts_dir):
    """A fresh browser context and page; a screenshot lands in tests/artifacts/ if the test fails."""
    context = chromium_browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)
        try:
            page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)
        except Exception as exc:  # the page may have crashed: the test failure says why
            print(f"screenshot failed: {exc}")
    context.close()

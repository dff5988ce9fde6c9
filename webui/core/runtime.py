"""The engine Runner this app talks to, built from the app's settings and database."""

from __future__ import annotations

from sqlalchemy import event

from engine import Runner
from engine.db import make_engine
from engine.db import make_session_factory
from engine.db import refuse_nul_parameters
from engine.domain import secop_domain
from webui.core.config import engine_config
from webui.core.extensions import db


def sqlite_pragmas(engine) -> None:
    """WAL and a busy timeout for webui's own SQLite connections (readers never block)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def init_app(app) -> None:
    """Put the Runner in ``app.extensions["runner"]``."""
    with app.app_context():
        refuse_nul_parameters(db.engine)  # webui's own queries too (make_engine's do already)
        runner_engine = db.engine
        if db.engine.dialect.name == "sqlite":
            # The engine's SQLite setup opens every transaction with BEGIN IMMEDIATE (a write
            # lock). Flask-SQLAlchemy's session lives for the whole request, so it must not hold
            # that lock while the Runner works: webui reads through its own engine (WAL, busy
            # timeout), and the Runner gets the engine's configuration on the same file.
            sqlite_pragmas(db.engine)
            runner_engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        # The SECOP domain is handed to the engine here: the engine core never imports it.
        app.extensions["runner"] = Runner(
            make_session_factory(runner_engine), engine_config(app.config), domain=secop_domain()
        )

"""SECOP II onboarding web UI: the application factory."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

from engine.config import EngineConfig
from engine.db import make_engine
from engine.db import make_session_factory
from webui.extensions import csrf
from webui.extensions import db
from webui.extensions import login_manager

ENV_KEYS = (
    "SECRET_KEY",
    "BASE_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "UPLOAD_DIR",
    "ACTIVATION_LINK_TTL",
    "MAIL_BACKEND",
    "MAX_UPLOAD_BYTES",
    "WORKFLOWS_DIR",
    "FORMS_DIR",
    "MAIL_FROM",
)


def _database_uri(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _defaults(instance_path: str) -> dict:
    return {
        "SECRET_KEY": "dev",
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'secop.db'}",
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_HOST": "",
        "SMTP_PORT": 25,
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": False,
        "UPLOAD_DIR": str(Path(instance_path) / "uploads"),
        "ACTIVATION_LINK_TTL": "PT48H",
        "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        "PASSWORD_RESET_TTL": 3600,
        "MAIL_FROM": "SECOP II <no-responder@secop.example>",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _from_environment(config) -> None:
    for key in ("DATABASE_URL", *ENV_KEYS):
        if key in os.environ:
            config[key] = os.environ[key]
    for key in ("SMTP_PORT", "MAX_UPLOAD_BYTES"):
        config[key] = int(config[key])
    if isinstance(config["SMTP_STARTTLS"], str):
        config["SMTP_STARTTLS"] = config["SMTP_STARTTLS"].lower() in ("1", "true", "yes", "on")


def sqlite_pragmas(engine) -> None:
    """WAL and a busy timeout for webui's own SQLite connections (readers never block)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def engine_config(config) -> EngineConfig:
    """The engine's settings, taken from the Flask config."""
    kwargs = {
        "upload_dir": Path(config["UPLOAD_DIR"]),
        "base_url": config["BASE_URL"].rstrip("/"),
        "secret_key": config["SECRET_KEY"],
        "max_upload_bytes": int(config["MAX_UPLOAD_BYTES"]),
        "process_defaults": {"activation_link_ttl": config["ACTIVATION_LINK_TTL"]},
        "mail_from": config["MAIL_FROM"],
    }
    for key in ("WORKFLOWS_DIR", "FORMS_DIR"):
        if config.get(key):
            kwargs[key.lower()] = Path(config[key])
    return EngineConfig(**kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config (defaults < instance/config.py < environment < test_config)."""
    app = Flask(__name__, instance_relative_config=True)
    from webui.sessions import SlidingCookieSessions

    app.session_interface = SlidingCookieSessions()
    app.config.from_mapping(_defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    _from_environment(app.config)
    if test_config is not None:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(
        app.config.get("SQLALCHEMY_DATABASE_URI") or app.config["DATABASE_URL"]
    )
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] * 8
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    from webui import production

    production.init_app(app)  # SECRET_KEY guard, migrations, /healthz /readyz, JSON logs, commands

    from engine import Runner

    with app.app_context():
        runner_engine = db.engine
        if db.engine.dialect.name == "sqlite":
            # The engine's SQLite setup opens every transaction with BEGIN IMMEDIATE (a write
            # lock). Flask-SQLAlchemy's session lives for the whole request, so it must not hold
            # that lock while the Runner works: webui reads through its own engine (WAL, busy
            # timeout), and the Runner gets the engine's configuration on the same file.
            sqlite_pragmas(db.engine)
            runner_engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions["runner"] = Runner(make_session_factory(runner_engine), engine_config(app.config))

    from webui import accounts
    from webui import api
    from webui import auth
    from webui import cli
    from webui import documents
    from webui import errors
    from webui import filters
    from webui import mailbox
    from webui import mesa
    from webui import public
    from webui import settings
    from webui import tasks
    from webui.identity import init_identity
    from webui.profile import document_types

    init_identity(app)
    filters.init_app(app)
    app.jinja_env.globals["document_types"] = document_types
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(tasks.bp, url_prefix="/tareas")
    app.register_blueprint(accounts.bp, url_prefix="/cuenta")
    app.register_blueprint(settings.bp, url_prefix="/usuario")
    app.register_blueprint(mesa.bp, url_prefix="/mesa")
    if app.config["MAIL_BACKEND"] == "dev":  # never outside development (production.py)
        app.register_blueprint(mailbox.bp, url_prefix="/correo")
    app.register_blueprint(documents.bp, url_prefix="/documentos")
    app.register_blueprint(api.bp, url_prefix="/api")
    from webui import platform

    platform.init_app(app)  # analysts, operators, role admin and the JSON API v1
    from webui import security

    security.init_app(app)  # after the blueprints: it wraps the login view with rate limits
    return app

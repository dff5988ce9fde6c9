"""Production settings of the web app: the SECRET_KEY guard, /healthz and /readyz, request
ids and JSON log lines, and the worker's SMTP settings."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import socket
import sys
import types

import pytest
from flask import g

from engine.logs import JsonFormatter
from tests.prod.helpers import migrate_to_head


def make_app(tmp_path, **config):
    import webui

    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        **config,
    }
    return webui.create_app(settings)


# --------------------------------------------------------------------------- SECRET_KEY


@pytest.mark.parametrize("secret", [None, "dev", "dev-only-secret", "changeme", "short-secret-15"])
def test_production_refuses_a_default_or_short_secret(clean_env, tmp_path, secret):
    from webui.core.config import InsecureConfiguration

    clean_env.setenv("APP_ENV", "production")
    config = {} if secret is None else {"SECRET_KEY": secret}
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        make_app(tmp_path, **config)


def test_production_starts_with_a_random_secret_and_logs_json(clean_env, tmp_path, restore_logging):
    clean_env.setenv("APP_ENV", "production")
    key = secrets.token_urlsafe(32)
    app = make_app(tmp_path, SECRET_KEY=key, SMTP_HOST="smtp.example")
    assert app.config["SECRET_KEY"] == key
    root = logging.getLogger()
    assert any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    assert logging.getLogger("spiff").getEffectiveLevel() >= logging.WARNING  # no task data in logs


def test_gunicorn_without_a_secret_refuses_even_without_app_env(clean_env, tmp_path):
    from webui.core.config import InsecureConfiguration

    # What being served by gunicorn looks like from inside the app.
    clean_env.setitem(sys.modules, "gunicorn.arbiter", types.ModuleType("gunicorn.arbiter"))

    with pytest.raises(InsecureConfiguration):
        make_app(tmp_path)
    make_app(tmp_path, TESTING=True)  # tests keep working with the default
    clean_env.setenv("APP_ENV", "development")
    make_app(tmp_path)  # an explicit local trial too


# --------------------------------------------------------------------------- health


def test_healthz_needs_no_database(clean_env, tmp_path):
    app = make_app(tmp_path, TESTING=True, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"} and response.headers["Cache-Control"] == "no-store"
    # Anyone may ask: the answer names no host and no process (issue 17).
    assert socket.gethostname() not in response.get_data(as_text=True)
    assert str(os.getpid()) not in response.get_data(as_text=True)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert response.json["checks"]["database"].startswith("error: ")


def test_readyz_on_a_database_without_tables(clean_env, tmp_path):
    response = make_app(tmp_path, TESTING=True).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["diagrams"].startswith("error: ")


def test_readyz_waits_for_the_diagrams(clean_env, tmp_path):
    app = make_app(tmp_path, TESTING=True)
    app.extensions["runner"].create_schema()
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "schema": "unversioned", "diagrams": "none deployed"}
    app.extensions["runner"].deploy()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert "registro_usuario" in response.json["processes"]


def test_readyz_in_production_wants_the_migrated_schema(clean_env, tmp_path, restore_logging):
    from sqlalchemy import text

    from webui.core.extensions import db

    clean_env.setenv("APP_ENV", "production")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate_to_head(url)
    app = make_app(tmp_path, SECRET_KEY=secrets.token_urlsafe(32), MAIL_BACKEND="log")
    app.extensions["runner"].deploy()
    client = app.test_client()
    assert client.get("/readyz").json["checks"]["schema"] == "ok"

    def set_revision(value):
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("delete from alembic_version"))
            if value:
                conn.execute(text("insert into alembic_version values (:v)"), {"v": value})

    set_revision(None)  # behind: `flask db upgrade` was not run
    response = client.get("/readyz")
    assert (response.status_code, response.json["checks"]["schema"]) == (503, "behind")
    set_revision("ffffffffffff")  # a later release migrated already: expand-only, keep serving
    response = client.get("/readyz")
    assert (response.status_code, response.json["checks"]["schema"]) == (200, "newer")


def test_readyz_in_production_without_migrations_is_not_ready(clean_env, tmp_path, restore_logging):
    clean_env.setenv("APP_ENV", "production")
    app = make_app(tmp_path, SECRET_KEY=secrets.token_urlsafe(32), MAIL_BACKEND="log")
    app.extensions["runner"].create_schema()
    app.extensions["runner"].deploy()
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.json["checks"]["schema"]) == (503, "not migrated")


# --------------------------------------------------------------------------- request ids and logs


def test_request_id_is_generated_or_kept_and_echoed(clean_env, tmp_path):
    client = make_app(tmp_path, TESTING=True).test_client()
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-1234.abc"}).headers["X-Request-ID"] == (
        "proxy-1234.abc"
    )
    hostile = "a b;<c>" + "x" * 200
    assert client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"] != hostile


def test_log_lines_carry_request_and_instance_ids_and_no_secrets(clean_env, tmp_path):
    from webui.core.logs import RequestContextFilter

    app = make_app(tmp_path, TESTING=True)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("tests.prod.view")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    @app.get("/_prueba_log")
    def _view():
        g.instance_id = 42
        logger.info("task completed", extra={"form": {"username": "ana", "password": "Secreta-1"}})
        return "ok"

    @app.get("/_prueba_instancia/<int:instance_id>")
    def _instance_view(instance_id):
        logger.warning("instance page")
        return "ok"

    try:
        client = app.test_client()
        client.get("/_prueba_log", headers={"X-Request-ID": "req-7"})
        client.get("/_prueba_instancia/99", headers={"X-Request-ID": "req-8"})
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["msg"] == "task completed" and first["level"] == "INFO"
    assert first["request_id"] == "req-7" and first["instance_id"] == 42
    assert first["form"] == {"username": "ana", "password": "[oculto]"}
    assert (second["request_id"], second["instance_id"], second["level"]) == ("req-8", 99, "WARNING")


def test_spiff_task_data_never_reaches_a_log_line():
    record = logging.LogRecord("spiff.task", logging.INFO, __file__, 1, "State changed to READY", (), None)
    record.data = {"password": "Secreta-1", "email": "ana@prueba.gov.co"}
    record.internal_data = {"x": 1}
    record.task_spec = "registrar_usuario"
    entry = json.loads(JsonFormatter().format(record))
    assert "data" not in entry and "internal_data" not in entry
    assert entry["task_spec"] == "registrar_usuario"


# --------------------------------------------------------------------------- worker settings


def test_worker_smtp_settings_follow_the_app(clean_env, tmp_path):
    from webui.core.config import smtp_settings

    dev = make_app(tmp_path, TESTING=True)
    assert smtp_settings(dev.config) is None  # no SMTP_HOST: the development mailbox
    app = make_app(
        tmp_path,
        TESTING=True,
        SMTP_HOST="smtp.relay.example",
        SMTP_PORT=587,
        SMTP_USER="secop",
        SMTP_PASSWORD="clave",
        SMTP_STARTTLS=True,
    )
    settings = smtp_settings(app.config)
    assert (settings.host, settings.port, settings.user, settings.starttls) == (
        "smtp.relay.example",
        587,
        "secop",
        True,
    )
    assert "worker" in app.cli.commands and "deploy-diagrams" in app.cli.commands and "db" in app.cli.commands


def test_limits_come_from_the_environment(clean_env, tmp_path):
    from webui.core.config import smtp_settings

    clean_env.setenv("LOGIN_LIMIT_PER_USER", "3 per 5 minutes")
    clean_env.setenv("SMTP_TIMEOUT", "7.5")
    clean_env.setenv("MAX_UPLOAD_BYTES", "2048")
    app = make_app(tmp_path, TESTING=True, SMTP_HOST="smtp.relay.example")
    assert app.config["LOGIN_LIMIT_PER_USER"] == "3 per 5 minutes"
    assert app.config["MAX_UPLOAD_BYTES"] == 2048
    assert app.extensions["runner"].config.max_upload_bytes == 2048
    assert smtp_settings(app.config).timeout == 7.5

"""Settings that are only safe on a developer's machine are refused everywhere else.

Regression tests for the security issue's findings 1 (the development mailbox served in
production handed out password-reset links: an account takeover) and 15 (a default or
repetitive SECRET_KEY accepted outside ``APP_ENV=production``)."""

from __future__ import annotations

import logging
import re
import secrets
import subprocess
import sys
import types

import pytest

from tests.prod.test_production import make_app

GOOD_KEY = secrets.token_urlsafe(32)


@pytest.mark.parametrize("app_env", ["production", "staging", None])
def test_without_smtp_outside_development_the_app_refuses_to_start(clean_env, tmp_path, app_env):
    from webui.core.config import InsecureConfiguration

    if app_env:
        clean_env.setenv("APP_ENV", app_env)
    with pytest.raises(InsecureConfiguration, match="SMTP_HOST"):
        make_app(tmp_path, SECRET_KEY=GOOD_KEY)


@pytest.mark.parametrize("app_env", ["production", "staging", None])
def test_the_development_mailbox_is_refused_outside_development(clean_env, tmp_path, app_env):
    from webui.core.config import InsecureConfiguration

    if app_env:
        clean_env.setenv("APP_ENV", app_env)
    with pytest.raises(InsecureConfiguration, match="MAIL_BACKEND=dev"):
        make_app(tmp_path, SECRET_KEY=GOOD_KEY, MAIL_BACKEND="dev")


def test_an_unknown_mail_backend_is_refused(clean_env, tmp_path):
    from webui.core.config import InsecureConfiguration

    with pytest.raises(InsecureConfiguration, match="'carrier-pigeon'"):
        make_app(tmp_path, SECRET_KEY=GOOD_KEY, MAIL_BACKEND="carrier-pigeon", APP_ENV="development")


def test_the_takeover_fails_with_the_log_only_backend(clean_env, tmp_path, restore_logging):
    """The attack as found: ask a reset for a victim, read the link at /correo/, set a password."""
    from tests.webui.helpers import World

    clean_env.setenv("APP_ENV", "production")
    app = make_app(tmp_path, SECRET_KEY=GOOD_KEY, MAIL_BACKEND="log", SESSION_COOKIE_SECURE=False)
    app.extensions["runner"].create_schema()
    World(app).user("victima")  # victima@example.gov.co
    client = app.test_client()
    form = client.get("/recuperar").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/recuperar", data={"correo": "victima@example.gov.co", "csrf_token": token})
    assert answer.status_code == 302
    from engine.models import OutboxEmail

    with app.extensions["runner"].transaction() as session:
        assert session.query(OutboxEmail).filter_by(to_addr="victima@example.gov.co").count() == 1
    for path in ("/correo/", "/correo/1", "/correo/?para=victima@example.gov.co"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "restablecer" not in response.get_data(as_text=True).lower()
    assert "/correo" not in client.get("/").get_data(as_text=True)  # no link to it either


def test_development_keeps_the_mailbox(clean_env, tmp_path):
    clean_env.setenv("APP_ENV", "development")
    app = make_app(tmp_path)
    assert app.config["MAIL_BACKEND"] == "dev"
    app.extensions["runner"].create_schema()
    assert app.test_client().get("/correo/").status_code == 200


@pytest.mark.parametrize(
    "key",
    ["a" * 16, "aaaaaaaaaaaaaaaa", "a" * 64, "abcd" * 12, "0123456789" * 4, "dev", "changeme"],
)
@pytest.mark.parametrize("app_env", ["production", "staging"])
def test_repetitive_or_default_keys_are_refused(clean_env, tmp_path, key, app_env):
    from webui.core.config import InsecureConfiguration

    clean_env.setenv("APP_ENV", app_env)
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        make_app(tmp_path, SECRET_KEY=key, MAIL_BACKEND="log")


@pytest.mark.parametrize("key", [secrets.token_urlsafe(32), secrets.token_hex(16), secrets.token_hex(32)])
def test_random_keys_are_accepted(clean_env, tmp_path, restore_logging, key):
    clean_env.setenv("APP_ENV", "production")
    assert make_app(tmp_path, SECRET_KEY=key, MAIL_BACKEND="log").config["SECRET_KEY"] == key


def test_gunicorn_in_staging_without_a_key_refuses(clean_env, tmp_path):
    """The attack as found: APP_ENV=staging under gunicorn served with the key ``dev``."""
    from webui.core.config import InsecureConfiguration

    clean_env.setitem(sys.modules, "gunicorn.arbiter", types.ModuleType("gunicorn.arbiter"))
    clean_env.setenv("APP_ENV", "staging")
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        make_app(tmp_path, MAIL_BACKEND="log")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"APP_ENV": "production"}, "SMTP_HOST"),
        ({"APP_ENV": "staging"}, "SMTP_HOST"),
        ({"APP_ENV": "production", "MAIL_BACKEND": "dev"}, "SMTP_HOST"),
    ],
)
def test_the_worker_refuses_to_run_without_mail_outside_development(clean_env, tmp_path, env, needle):
    environ = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-m", "engine", "worker"], env=environ, capture_output=True, text=True, timeout=60,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
    )  # fmt: skip
    assert result.returncode == 2
    assert needle in result.stderr


def test_the_log_backend_marks_mail_sent_and_logs_no_body(tmp_path, caplog):
    from engine.config import EngineConfig
    from engine.config import mail_transport_from_env
    from engine.db import utcnow
    from engine.models import OutboxEmail
    from engine.runner import Runner
    from engine.worker import Worker

    runner = Runner.from_url(f"sqlite:///{tmp_path / 'log.db'}", EngineConfig(upload_dir=tmp_path))
    runner.create_schema()
    with runner.transaction() as session:
        session.add(OutboxEmail(to_addr="ana@example.gov.co", subject="Restablecer contraseña",
                                body="Enlace secreto: https://x/restablecer/TOKEN-123", template="reset",
                                next_attempt_at=utcnow()))  # fmt: skip
    settings, transport = mail_transport_from_env({"APP_ENV": "production", "MAIL_BACKEND": "log"})
    with caplog.at_level(logging.INFO, logger="engine.outbox"):
        assert Worker(runner, settings, transport=transport).run_once() == (0, 1)
    assert "TOKEN-123" not in caplog.text
    assert any(getattr(r, "to", None) == "ana@example.gov.co" for r in caplog.records)
    with runner.transaction() as session:
        assert session.get(OutboxEmail, 1).status == "sent"
    runner.close()

"""Issue 17 point 3, as deployed: gunicorn with two processes enforces one login limit (the
counters were in each process's memory, so N processes allowed N times the limit), and
production refuses a storage that is not shared."""

from __future__ import annotations

import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.prod.helpers import Browser
from tests.prod.helpers import Service
from tests.prod.helpers import csrf_token
from tests.prod.helpers import free_port
from tests.prod.helpers import python_module
from tests.prod.helpers import run_command
from tests.prod.helpers import wait_for

PASSWORD = "Clave-segura-1"
ATTEMPTS = 12


def test_two_gunicorn_processes_enforce_one_limit(postgres_database_url, tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": postgres_database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "BASE_URL": base_url,
        "PORT": str(port),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "MAIL_BACKEND": "log",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "LOGIN_LIMIT_PER_USER": "5 per 10 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "100 per 10 minutes",
    }
    env.pop("FLASK_ENV", None)
    env.pop("RATELIMIT_STORAGE_URI", None)  # the default: the app's own database
    flask = python_module("flask", "--app", "webui")
    run_command([*flask, "db", "upgrade"], env)
    run_command([*flask, "create-user", "victima", "victima@prueba.gov.co", "--password", PASSWORD], env)
    web = Service(
        "gunicorn", python_module("gunicorn", "-c", "gunicorn.conf.py", "webui:create_app()"), env, tmp_path
    )
    web.start()
    try:

        def up():
            assert web.alive(), web.output()
            try:
                return Browser(base_url, "probe").get("/healthz")[0] == 200
            except OSError:
                return False

        wait_for(up, 60, interval=0.2, message="gunicorn /healthz")
        browsers = [Browser(base_url, f"b{n}") for n in range(ATTEMPTS + 1)]
        tokens = [csrf_token(browser.get("/entrar")[2]) for browser in browsers]
        barrier = threading.Barrier(ATTEMPTS)

        def attempt(n):
            barrier.wait(30)  # all at once, spread over both processes
            form = {"usuario": "victima", "contrasena": f"intento-{n}", "csrf_token": tokens[n]}
            return browsers[n].post("/entrar", form)[0]

        with ThreadPoolExecutor(ATTEMPTS) as pool:
            codes = sorted(pool.map(attempt, range(ATTEMPTS)))
        right = {"usuario": "victima", "contrasena": PASSWORD, "csrf_token": tokens[ATTEMPTS]}
        blocked = browsers[ATTEMPTS].post("/entrar", right)[0]
    finally:
        assert web.stop() == 0, web.output()
    assert codes == [401] * 5 + [429] * (ATTEMPTS - 5)
    assert blocked == 429


@pytest.mark.parametrize("app_env", [None, "production", "staging"])
def test_per_process_counters_are_refused_outside_development(clean_env, tmp_path, app_env):
    import webui
    from webui.core.config import InsecureConfiguration

    if app_env:
        clean_env.setenv("APP_ENV", app_env)
    settings = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "MAIL_BACKEND": "log",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    with pytest.raises(InsecureConfiguration, match="RATELIMIT_STORAGE_URI"):
        webui.create_app(settings)

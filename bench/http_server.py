"""A real server for the HTTP benchmarks: database prepared, a user created, gunicorn started."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.browser import Browser
from bench.common import ROOT
from engine import EngineConfig
from engine import Runner
from engine.db import Base
from engine.domain import secop_domain

PASSWORD = "Clave-bench-1"
COUNTED = os.environ.get("BENCH_CPU_COUNTERS", "1") != "0"
APP = "bench.cpu_counters:create_app()" if COUNTED else "webui:create_app()"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str, workflows_dir: Path, usernames=("bench",)) -> Runner:
    """Tables, the diagram set deployed, and active users with a known password."""
    from argon2 import PasswordHasher

    from engine.domain.models import User

    runner = Runner.from_url(
        url,
        EngineConfig(workflows_dir=workflows_dir, forms_dir=workflows_dir / "forms"),
        domain=secop_domain(),
    )
    with runner.transaction() as session:
        Base.metadata.create_all(session.get_bind())
    runner.deploy()
    password_hash = PasswordHasher().hash(PASSWORD)
    with runner.transaction() as session:
        for username in usernames:
            session.add(
                User(
                    username=username,
                    email=f"{username}@bench.gov.co",
                    password_hash=password_hash,
                    first_names="Bench",
                    last_names="Mark",
                    document_type="Cédula de ciudadanía",
                    document_number="1234567",
                    phone="3000000000",
                    time_zone="(UTC-05:00) Bogotá, Lima, Quito",
                    status="Activo",
                )
            )
    return runner


@contextmanager
def gunicorn(url: str, workflows_dir: Path, workers: int = 2):
    """Serve webui with gunicorn (the production server) and yield its base URL.

    The application carries the benchmark's CPU counters (bench/cpu_counters.py) unless
    ``BENCH_CPU_COUNTERS=0``."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + "x" * 40,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "WORKFLOWS_DIR": str(workflows_dir),
        "FORMS_DIR": str(workflows_dir / "forms"),
        "UPLOAD_DIR": str(workflows_dir.parent / "uploads"),
        "PYTHONPATH": str(ROOT),
        # Measure processes as they are: no recycling after N requests (gunicorn.conf.py).
        "GUNICORN_MAX_REQUESTS": "0",
        # Production marks the session cookie Secure, which a client on plain-HTTP loopback
        # never sends back; everything else about the server is the production setup.
        "APP_ENV": "development",
        "ACCESS_LOG": "",
        # The load generator registers from one address, far past the per-address limits.
        "REGISTRATION_LIMIT_PER_ADDRESS": "1000000 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "1000000 per minute",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", APP]  # fmt: skip
    log = open(workflows_dir.parent / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError((workflows_dir.parent / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def logged_in_client(base: str, username: str = "bench") -> tuple[Browser, str]:
    client = Browser(base)
    token = client.get("/entrar").csrf_token()
    response = client.post("/entrar", {"usuario": username, "contrasena": PASSWORD, "csrf_token": token})
    if response.status != 302:
        raise RuntimeError(f"login failed: {response.status}")
    # Logging in starts a new session (fixation defence), so the form token changes too.
    return client, client.get("/tareas/").csrf_token()

"""The production topology on one machine: PostgreSQL, gunicorn with 2 processes, 2 worker
processes (``python -m engine worker`` and ``flask --app webui worker``) and an SMTP server
on loopback. 50 people register at once over HTTP; every activation email arrives exactly
once, every activation link's expiry timer fires exactly once, and no log line is an error.

The schema comes from ``flask db upgrade`` and the diagrams from ``deploy-diagrams``,
as on a real deploy; ``ACTIVATION_LINK_TTL=PT3S`` makes the links expire within the test.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func
from sqlalchemy import select

from engine.db import make_engine
from engine.models import InstanceEvent
from engine.models import OutboxEmail
from engine.models import ProcessInstance
from tests.prod.helpers import Browser
from tests.prod.helpers import HoldingMailbox
from tests.prod.helpers import Service
from tests.prod.helpers import SmtpServer
from tests.prod.helpers import csrf_token
from tests.prod.helpers import free_port
from tests.prod.helpers import location_path
from tests.prod.helpers import problems_in
from tests.prod.helpers import python_module
from tests.prod.helpers import read_json_logs
from tests.prod.helpers import run_command
from tests.prod.helpers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.scale, pytest.mark.timeout(180)]

REGISTRATIONS = 50
PASSWORD = "Clave-segura-1"


def register(base_url: str, n: int, tag: str) -> dict:
    """Home → "Registro" → "Registrar usuario" form → "Continuar", like a browser would."""
    browser = Browser(base_url, f"{tag}-{n}")
    status, _, html = browser.get("/")
    assert status == 200, html[:500]
    status, headers, html = browser.post("/registro", {"csrf_token": csrf_token(html)})
    assert status == 302, html[:500]
    task = location_path(headers)
    assert task.startswith("/tareas/"), task
    status, _, html = browser.get(task)
    assert status == 200, html[:500]
    email = f"carga{n}.{tag}@prueba.gov.co"
    form = {
        "csrf_token": csrf_token(html),
        "first_names": "Ana María",
        "last_names": f"Pérez {n}",
        "document_type": "Cédula de ciudadanía",
        "document_number": f"{71000000 + n}",
        "email": email,
        "phone": "3001234567",
        "username": f"carga{n}{tag}",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
        "entity_name": "ALCALDIA DE PRUEBA",
        "accept_terms": "true",
    }
    status, headers, html = browser.post(task, form)
    assert status == 302, html[:3000]
    assert location_path(headers) == "/registro/confirmar"
    assert all(sent == echoed for sent, echoed in browser.request_ids), browser.request_ids
    return {"email": email, "request_ids": [sent for sent, _ in browser.request_ids]}


def count(url: str, query) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(query)
    finally:
        engine.dispose()


def test_fifty_registrations_across_processes(postgres_database_url, tmp_path):
    url = postgres_database_url
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    mailbox = HoldingMailbox()
    with SmtpServer(mailbox) as smtp:
        env = {
            **os.environ,
            "APP_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "BASE_URL": base_url,
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "ACTIVATION_LINK_TTL": "PT3S",
            "LOG_FORMAT": "json",
            # 50 people at once from one address (loopback): past the per-address default.
            "REGISTRATION_LIMIT_PER_ADDRESS": "1000 per minute",
        }
        env.pop("FLASK_ENV", None)
        flask = python_module("flask", "--app", "webui")
        run_command([*flask, "db", "upgrade"], env)
        run_command([*flask, "deploy-diagrams"], env)

        logs = tmp_path / "logs"
        web = Service(
            "gunicorn", python_module("gunicorn", "-c", "gunicorn.conf.py", "webui:create_app()"), env, logs
        )
        workers = [
            Service("worker-engine", python_module("engine", "worker", "--poll", "0.2"), env, logs),
            Service("worker-flask", [*flask, "worker", "--poll", "0.2"], env, logs),
        ]
        services = [web, *workers]
        try:
            for service in services:
                service.start()

            def ready():
                assert web.alive(), web.output()
                try:
                    status, _, body = Browser(base_url, "probe").get("/readyz")
                except OSError:
                    return False
                return status == 200 and json.loads(body)

            readiness = wait_for(ready, 60, interval=0.2, message="gunicorn /readyz")
            assert "registro_usuario" in readiness["processes"]
            assert readiness["checks"]["schema"] == "ok"

            tag = secrets.token_hex(3)
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=REGISTRATIONS) as pool:
                barrier = threading.Barrier(REGISTRATIONS)

                def one(n):
                    barrier.wait(30)  # all 50 start together
                    return register(base_url, n, tag)

                results = list(pool.map(one, range(REGISTRATIONS)))
            registering = time.monotonic() - started
            emails = {r["email"] for r in results}
            assert len(emails) == REGISTRATIONS

            wait_for(lambda: mailbox.count() >= REGISTRATIONS, 60, message="50 activation emails")
            fired = select(func.count()).where(InstanceEvent.kind == "timer_fired")
            wait_for(lambda: count(url, fired) >= REGISTRATIONS, 60, message="50 expiry timers")
            time.sleep(2)  # a second send or a second firing would show up now
            for service in services:
                assert service.alive(), service.output()
        finally:
            codes = {service.name: service.stop() for service in services}

    # Every activation email delivered once, to the address that registered.
    recipients = Counter(str(message["To"]) for message in mailbox.messages)
    assert set(recipients) == emails
    assert set(recipients.values()) == {1}, recipients.most_common(3)
    assert len({m["Message-ID"] for m in mailbox.messages}) == REGISTRATIONS
    assert all("/activar/" in m.get_content() for m in mailbox.messages)
    sent_once = select(func.count()).where(OutboxEmail.status == "sent", OutboxEmail.attempts == 1)
    assert count(url, sent_once) == REGISTRATIONS
    assert count(url, select(func.count()).select_from(OutboxEmail)) == REGISTRATIONS

    # Every expiry timer fired once, and no timer is left pending.
    per_instance = (
        select(InstanceEvent.instance_id, func.count())
        .where(InstanceEvent.kind == "timer_fired")
        .group_by(InstanceEvent.instance_id)
    )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            firings = dict(conn.execute(per_instance).all())
            instances = conn.scalars(
                select(ProcessInstance.id).where(ProcessInstance.process_id == "registro_usuario")
            ).all()
            pending = conn.scalar(select(func.count()).where(ProcessInstance.next_timer_at.is_not(None)))
            failed = conn.scalar(select(func.count()).where(ProcessInstance.status == "error"))
    finally:
        engine.dispose()
    assert len(instances) == REGISTRATIONS
    assert firings == {instance: 1 for instance in instances}
    assert pending == 0 and failed == 0

    # Clean shutdown, structured logs, no errors; the access log carries our request ids.
    assert codes == {name: 0 for name in codes}, codes
    entries, other = read_json_logs(*services)
    assert problems_in(entries, other) == []
    everything = "".join(service.output() for service in services)
    assert PASSWORD not in everything and "password_confirmation" not in everything
    access = [e for e in entries if e.get("logger") == "gunicorn.access"]
    logged_ids = {e["request_id"] for e in access}
    for result in results:
        assert set(result["request_ids"]) <= logged_ids
    assert all(e["status"] < 400 for e in access), [e for e in access if e["status"] >= 400][:3]
    worker_pids = {e["pid"] for e in entries if e.get("logger") == "engine.worker" and e.get("emails_sent")}
    print(f"{REGISTRATIONS} registrations in {registering:.1f} s; emails sent by worker pids {worker_pids}")

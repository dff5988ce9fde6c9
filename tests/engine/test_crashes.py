"""Processes killed at the worst moments (a real os._exit in a subprocess): the database
holds the state before or after a step, never between; an email is never lost, and a
worker killed during the SMTP conversation does not make it arrive twice."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from engine import Actor
from engine.db import utcnow
from engine.failpoints import CRASH_EXIT_CODE
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import OutboxEmail
from engine.models import ProcessInstance
from engine.outbox import SmtpTransport
from engine.outbox import send_due

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO = ROOT / "tests" / "data" / "engine_demo"


def _crash(script: str, failpoint: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ENGINE_FAILPOINT": failpoint, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _snapshot(runner, instance_id):
    with runner.transaction() as session:
        row = session.get(ProcessInstance, instance_id)
        events = session.scalar(select(func.count()).where(InstanceEvent.instance_id == instance_id))
        ready = session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
        ).all()
        return row.state, row.lock_version, row.status, events, sorted(ready)


def test_killed_between_the_step_and_the_commit(make_runner, database_url):
    runner = make_runner(DEMO, DEMO / "forms", process_defaults={"review_ttl": "PT1H", "nombre": "Ana"})
    started = runner.start("demo_solicitud", Actor.anonymous())
    before = _snapshot(runner, started.instance_id)
    script = f"""
        from pathlib import Path
        from engine import Actor, EngineConfig, Runner
        demo = Path({str(DEMO)!r})
        runner = Runner.from_url({database_url!r}, EngineConfig(workflows_dir=demo, forms_dir=demo / "forms"))
        runner.complete_task(Actor.anonymous({started.anonymous_token!r}), {started.next_tasks[0].id!r},
                             {{"monto": 5000, "codigo": "CRA001", "correo": "a@b.co"}})
        print("the process should have died before this line")
    """
    result = _crash(script, "before_commit")
    assert result.returncode == CRASH_EXIT_CODE, result.stderr
    assert "should have died" not in result.stdout
    assert _snapshot(runner, started.instance_id) == before  # the previous state, whole

    # After the "restart" the same submission goes through, once.
    user = Actor.anonymous(started.anonymous_token)
    data = {"monto": 5000, "codigo": "CRA001", "correo": "a@b.co"}
    runner.complete_task(user, started.next_tasks[0].id, data)
    after = _snapshot(runner, started.instance_id)
    assert after[1] == before[1] + 1 and after[4] != before[4]


def _queue_one(runner) -> int:
    with runner.transaction() as session:
        email = OutboxEmail(
            to_addr="ana@ejemplo.gov.co",
            subject="Active su usuario",
            body="Enlace de activación",
            template="prueba",
            status="pending",
            next_attempt_at=utcnow(),
        )
        session.add(email)
        session.flush()
        return email.id


def _send_script(database_url, port):
    return f"""
        from engine import EngineConfig, Runner
        from engine.outbox import SmtpSettings, SmtpTransport, send_due
        runner = Runner.from_url({database_url!r}, EngineConfig())
        settings = SmtpSettings(host="127.0.0.1", port={port}, timeout=5)
        send_due(runner.session_factory, SmtpTransport(settings), settings)
    """


def test_worker_killed_mid_conversation_delivers_once(make_runner, database_url, smtp):
    inbox, settings = smtp
    runner = make_runner(DEMO, DEMO / "forms")
    email_id = _queue_one(runner)
    result = _crash(_send_script(database_url, settings.port), "smtp_connected")
    assert result.returncode == CRASH_EXIT_CODE, result.stderr
    assert inbox.messages == []
    with runner.transaction() as session:
        row = session.get(OutboxEmail, email_id)
        assert (row.status, row.sent_at) == ("sending", None)  # claimed, not lost
    # Another worker takes it over once the dead one's lease has expired.
    transport = SmtpTransport(settings)
    assert send_due(runner.session_factory, transport, settings) == 0  # lease still held
    later = utcnow() + dt.timedelta(minutes=3)
    assert send_due(runner.session_factory, transport, settings, now=later) == 1
    assert send_due(runner.session_factory, transport, settings, now=later) == 0
    assert [m["Message-ID"] for m in inbox.messages] == [f"<outbox-{email_id}@secop.local>"]


def test_worker_killed_after_the_server_accepted_resends_with_the_same_message_id(
    make_runner,
    database_url,
    smtp,
):
    """The one window no mailer can close (the server accepted, the worker died before
    recording it): the email is re-sent rather than lost, with the same Message-ID so the
    receiving side can drop the copy."""
    inbox, settings = smtp
    runner = make_runner(DEMO, DEMO / "forms")
    email_id = _queue_one(runner)
    result = _crash(_send_script(database_url, settings.port), "smtp_accepted")
    assert result.returncode == CRASH_EXIT_CODE, result.stderr
    later = utcnow() + dt.timedelta(minutes=3)
    assert send_due(runner.session_factory, SmtpTransport(settings), settings, now=later) == 1
    ids = [m["Message-ID"] for m in inbox.messages]
    assert ids == [f"<outbox-{email_id}@secop.local>"] * 2

"""The outbox against a real SMTP server on loopback (aiosmtpd): delivery, retries with
backoff, and two workers that never send the same email."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from engine.db import utcnow
from engine.models import OutboxEmail
from engine.outbox import SmtpSettings
from engine.outbox import SmtpTransport
from engine.outbox import send_due


@pytest.fixture
def engine_runner(make_runner, tmp_path):
    from pathlib import Path

    demo = Path(__file__).resolve().parent.parent / "data" / "engine_demo"
    return make_runner(demo, demo / "forms")


def _queue(runner, count: int) -> None:
    with runner.transaction() as session:
        for number in range(count):
            session.add(
                OutboxEmail(
                    to_addr=f"persona{number}@ejemplo.gov.co",
                    subject=f"Prueba {number}",
                    body="Hola, ñandú con tildes: áéíóú.",
                    template="prueba",
                    status="pending",
                    next_attempt_at=utcnow(),
                )
            )


def _rows(runner):
    with runner.transaction() as session:
        return list(session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_delivers_each_email_once(engine_runner, smtp):
    inbox, settings = smtp
    _queue(engine_runner, 3)
    transport = SmtpTransport(settings)
    assert send_due(engine_runner.session_factory, transport, settings) == 3
    assert send_due(engine_runner.session_factory, transport, settings) == 0
    assert sorted(m["To"] for m in inbox.messages) == [f"persona{n}@ejemplo.gov.co" for n in range(3)]
    assert inbox.messages[0].get_payload(decode=True).decode().strip() == "Hola, ñandú con tildes: áéíóú."
    assert {m["Message-ID"] for m in inbox.messages} == {f"<outbox-{n}@secop.local>" for n in (1, 2, 3)}
    assert [(r.status, r.attempts) for r in _rows(engine_runner)] == [("sent", 1)] * 3


def test_temporary_refusal_backs_off_then_delivers(engine_runner, smtp):
    inbox, settings = smtp
    inbox.refuse = 1
    _queue(engine_runner, 1)
    transport = SmtpTransport(settings)
    assert send_due(engine_runner.session_factory, transport, settings) == 0
    [row] = _rows(engine_runner)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Intente más tarde" in row.last_error
    assert row.next_attempt_at > utcnow() + dt.timedelta(seconds=20)
    assert send_due(engine_runner.session_factory, transport, settings) == 0  # not due yet
    later = utcnow() + dt.timedelta(minutes=1)
    assert send_due(engine_runner.session_factory, transport, settings, now=later) == 1
    assert [(r.status, r.attempts) for r in _rows(engine_runner)] == [("sent", 2)]
    assert len(inbox.messages) == 1


def test_unreachable_server_keeps_the_email(engine_runner):
    settings = SmtpSettings(host="127.0.0.1", port=1, timeout=2)
    _queue(engine_runner, 1)
    assert send_due(engine_runner.session_factory, SmtpTransport(settings), settings) == 0
    [row] = _rows(engine_runner)
    assert row.status == "pending" and row.sent_at is None and row.last_error


def test_two_workers_never_send_the_same_email(engine_runner, smtp):
    inbox, settings = smtp
    _queue(engine_runner, 40)
    barrier = threading.Barrier(2)
    sent = []

    def work():
        transport = SmtpTransport(settings)
        barrier.wait()
        total = 0
        for _ in range(10):
            total += send_due(engine_runner.session_factory, transport, settings, batch=5)
        sent.append(total)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 40
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 40 and len(set(ids)) == 40

"""A batch of emails that outlives its lease (a slow relay): the rows still waiting in the
slow worker's batch are taken over by another worker, and the slow worker must not send
them again when it gets to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine.db import utcnow
from engine.models import OutboxEmail
from engine.outbox import SmtpSettings
from engine.outbox import send_due


class Recorder:
    """A transport that records what it sends; ``during_first`` runs inside the first send."""

    def __init__(self, sent: list, during_first=None):
        self.sent, self.during_first = sent, during_first

    def send(self, message):
        if self.during_first is not None:
            hook, self.during_first = self.during_first, None
            hook()
        self.sent.append(message["Message-ID"])


def test_a_batch_that_outlived_its_lease_sends_nothing_twice(make_runner):
    runner = make_runner(deploy=False)
    with runner.transaction() as session:
        for n in range(3):
            session.add(
                OutboxEmail(
                    to_addr=f"a{n}@prueba.gov.co",
                    subject="Asunto",
                    body="Cuerpo",
                    template="prueba",
                    status="pending",
                    next_attempt_at=utcnow() - dt.timedelta(hours=1),
                )
            )
    settings = SmtpSettings(host="unused")
    sent: list[str] = []
    lease = dt.timedelta(minutes=2)
    # Worker A claimed its batch ten minutes ago and is still on its first email; meanwhile
    # worker B, running now, takes over the rows whose lease has run out.
    other = Recorder(sent)
    slow = Recorder(sent, during_first=lambda: send_due(runner.session_factory, other, settings, lease=lease))
    long_ago = utcnow() - dt.timedelta(minutes=10)
    delivered_by_a = send_due(runner.session_factory, slow, settings, lease=lease, now=long_ago)

    assert sorted(sent) == sorted(set(sent)) and len(sent) == 3  # each once
    assert delivered_by_a == 1  # its first email (lease renewed before sending); B did the rest
    with runner.transaction() as session:
        rows = session.execute(select(OutboxEmail.status, OutboxEmail.attempts)).all()
    assert sorted(rows) == [("sent", 1), ("sent", 2), ("sent", 2)]

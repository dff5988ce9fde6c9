"""A real ``python -m engine worker`` process killed with SIGKILL in the middle of an SMTP
conversation: the email is neither lost nor sent twice. The SMTP server holds the first
conversation (at RCPT, or after the message body but before accepting it) until the test
has killed the worker, so the kill lands mid-send every time."""

from __future__ import annotations

import os
import secrets
import time

import pytest
from sqlalchemy import select

from engine.db import make_engine
from engine.db import make_session_factory
from engine.db import utcnow
from engine.models import OutboxEmail
from tests.prod.helpers import HoldingMailbox
from tests.prod.helpers import Service
from tests.prod.helpers import SmtpServer
from tests.prod.helpers import migrate_to_head
from tests.prod.helpers import python_module
from tests.prod.helpers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

LEASE_SECONDS = 3


def _queue(url: str, count: int) -> list[int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            rows = [
                OutboxEmail(
                    to_addr=f"destino{n}@prueba.gov.co",
                    subject="Active su usuario",
                    body=f"Enlace de activación {n}",
                    template="prueba",
                    status="pending",
                    next_attempt_at=utcnow(),
                )
                for n in range(count)
            ]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]
    finally:
        engine.dispose()


def _rows(url: str) -> dict[int, tuple[str, int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(select(OutboxEmail.id, OutboxEmail.status, OutboxEmail.attempts))
            return {row.id: (row.status, row.attempts) for row in result}
    finally:
        engine.dispose()


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_sigkilled_worker_loses_no_email_and_sends_none_twice(stage, postgres_database_url, tmp_path):
    url = postgres_database_url
    migrate_to_head(url)
    ids = _queue(url, 3)
    mailbox = HoldingMailbox(hold_at=stage)
    with SmtpServer(mailbox) as smtp:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "SMTP_TIMEOUT": "60",  # the worker waits for the held server: only the kill ends it
            "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_FORMAT": "json",
        }
        first = Service("worker-1", python_module("engine", "worker", "--poll", "0.1"), env, tmp_path).start()
        second = None
        try:
            wait_for(mailbox.holding.is_set, 60, message=f"the worker to reach {stage}")
            assert first.alive()
            first.kill()  # SIGKILL mid-conversation: no cleanup, no rollback
            wait_for(mailbox.cut_off.is_set, 10, message="the server to see the client vanish")
            mailbox.released.set()

            rows = _rows(url)
            assert mailbox.count() == 0
            held = [i for i, (status, _) in rows.items() if status == "sending"]
            assert len(held) >= 1, rows  # the batch it claimed: still claimed, not lost

            # A second worker (the Flask entry point this time) takes over once the lease ends.
            second = Service(
                "worker-2",
                python_module("flask", "--app", "webui", "worker", "--poll", "0.1"),
                {**env, "SECRET_KEY": secrets.token_urlsafe(32), "UPLOAD_DIR": str(tmp_path / "uploads")},
                tmp_path,
            ).start()
            wait_for(lambda: mailbox.count() >= len(ids), 30, message="every email to be delivered")
            wait_for(
                lambda: all(status == "sent" for status, _ in _rows(url).values()), 10, message="rows sent"
            )
            time.sleep(LEASE_SECONDS + 1)  # give a duplicate every chance to show up
        finally:
            if second is not None:
                assert second.stop() == 0, second.output()
            if first.alive():
                first.kill()

    message_ids = sorted(m["Message-ID"] for m in mailbox.messages)
    assert message_ids == sorted(f"<outbox-{i}@secop.local>" for i in ids)  # each once
    rows = _rows(url)
    assert all(status == "sent" for status, _ in rows.values()), rows
    # The interrupted ones were attempted twice (claimed by the dead worker, then sent).
    assert {rows[i][1] for i in held} == {2}
    assert "Traceback" not in second.output()

"""Sending the email outbox: claim a batch under a lease, send, mark — retries with backoff.

A row is claimed (status ``sending``, ``locked_until`` = now + lease) and committed *before*
the SMTP conversation, so two workers never send the same row at once. A worker killed
mid-conversation leaves the row claimed; once the lease expires another worker sends it
again. The server drops a message whose DATA never completed, so nothing is lost and
nothing doubled. The one window left — the server accepted but the worker died before
recording it — is covered by a stable ``Message-ID`` per row, for receivers to de-duplicate.
Each row's lease is renewed just before its own conversation, and only while the row is
still held by this batch, so a slow batch never sends a row another worker has taken over;
the lease must outlast one conversation (a few SMTP timeouts).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from engine.db import is_sqlite
from engine.db import utcnow
from engine.failpoints import failpoint
from engine.models import OutboxEmail

MAX_ATTEMPTS = 8
log = logging.getLogger("engine.outbox")


@dataclass
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    mail_from: str = "SECOP II <no-responder@secop.example>"


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def describe(exc: Exception) -> str:
    """A readable error for operators ("451 4.3.0 Try later"), not a bytes repr."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in exc.recipients.items()
        )
    return f"{type(exc).__name__}: {exc}"


def build_message(row: OutboxEmail, settings: SmtpSettings, domain: str = "secop.local") -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.to_addr
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<outbox-{row.id}@{domain}>"
    message.set_content(row.body)
    return message


class SmtpTransport:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as client:
            if s.starttls:
                client.starttls(context=ssl.create_default_context())
            if s.user:
                client.login(s.user, s.password or "")
            failpoint("smtp_connected")  # killed mid-conversation: the server gets no message
            client.send_message(message)
        failpoint("smtp_accepted")  # the server has it; the outbox does not know yet


class LogTransport:
    """``MAIL_BACKEND=log``: deliver nothing, log who would have received which subject.

    For deployments without a relay that must still run (a staging copy). The body, which
    may hold an activation or password-reset link, stays in the outbox table and never
    reaches a log line or a page."""

    def send(self, message: EmailMessage) -> None:
        log.warning(
            "email not sent (MAIL_BACKEND=log)",
            extra={"to": message["To"], "subject": message["Subject"], "message_id": message["Message-ID"]},
        )


def claim(session_factory, now: dt.datetime, batch: int, lease: dt.timedelta) -> list[int]:
    """Take up to ``batch`` due rows for this worker (SKIP LOCKED on PostgreSQL)."""
    session = session_factory()
    try:
        with session.begin():
            due = (
                select(OutboxEmail.id)
                .where(
                    OutboxEmail.status.in_(("pending", "sending")),
                    OutboxEmail.next_attempt_at <= now,
                    or_(OutboxEmail.locked_until.is_(None), OutboxEmail.locked_until < now),
                )
                .order_by(OutboxEmail.id)
                .limit(batch)
            )
            if not is_sqlite(session.get_bind()):
                due = due.with_for_update(skip_locked=True)
            ids = list(session.scalars(due))
            if ids:
                session.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.id.in_(ids))
                    .values(status="sending", locked_until=now + lease, attempts=OutboxEmail.attempts + 1)
                )
            return ids
    finally:
        session.close()


def send_due(
    session_factory,
    transport,
    settings: SmtpSettings,
    batch: int = 20,
    lease: dt.timedelta = dt.timedelta(minutes=2),
    now: dt.datetime | None = None,
) -> int:
    """Send what is due; returns how many were delivered."""
    now = now or utcnow()
    held = now + lease  # the lease claim() writes on every row of this batch
    delivered = 0
    for email_id in claim(session_factory, now, batch, lease):
        session = session_factory()
        try:
            with session.begin():
                # A slow batch can outlive its lease, and another worker may have taken the
                # rows still waiting here: renew this row's lease only while it is still ours.
                until = max(now, utcnow()) + lease
                mine = session.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.id == email_id, OutboxEmail.status == "sending",
                           OutboxEmail.locked_until == held)
                    .values(locked_until=until)
                ).rowcount  # fmt: skip
                if mine:
                    row = session.get(OutboxEmail, email_id)
                    message = build_message(row, settings)
                    attempts = row.attempts
            if not mine:
                continue
            # No transaction is held open during the SMTP conversation.
            try:
                transport.send(message)
            except (smtplib.SMTPException, OSError) as exc:
                failed = attempts >= MAX_ATTEMPTS
                with session.begin():
                    session.execute(
                        update(OutboxEmail)
                        .where(OutboxEmail.id == email_id, OutboxEmail.locked_until == until)
                        .values(status="failed" if failed else "pending", locked_until=None,
                                next_attempt_at=utcnow() + backoff(attempts), last_error=describe(exc)[:1000])
                    )  # fmt: skip
                continue
            with session.begin():
                session.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.id == email_id)
                    .values(status="sent", sent_at=utcnow(), locked_until=None, last_error=None)
                )
            delivered += 1
        finally:
            session.close()
    return delivered

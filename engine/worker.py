"""The background worker: fires due timers, tells supervisors about overdue tasks, sends the
outbox, deletes expired staged uploads and folds element visits into the heatmap's rollup,
forever, politely.

Several workers may run at once, on one machine or many: timers, overdue tasks and emails are
claimed with row locks (SKIP LOCKED on PostgreSQL), so each fires or is sent by one worker.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time

from engine import heat
from engine.outbox import SmtpSettings
from engine.outbox import SmtpTransport
from engine.outbox import send_due

log = logging.getLogger("engine.worker")
CLEANUP_SECONDS = 60.0
FOLD_SECONDS = 10.0  # how often new element visits are folded into the heatmap's rollup


class Worker:
    def __init__(
        self,
        runner,
        smtp_settings=None,
        poll_seconds: float = 0.25,
        transport=None,
        lease: dt.timedelta = dt.timedelta(minutes=2),
    ):
        self.runner = runner
        self.lease = lease
        # A transport without a relay (MAIL_BACKEND=log) still builds messages: From only.
        self.smtp = smtp_settings or SmtpSettings(host="", mail_from=runner.config.mail_from)
        self.transport = transport or (SmtpTransport(smtp_settings) if smtp_settings else None)
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.next_cleanup = 0.0  # monotonic time of the next sweep of expired staged uploads
        self.next_fold = 0.0  # monotonic time of the next fold of visits into the heatmap's rollup

    def run_once(self) -> tuple[int, int]:
        """One round: (timers fired, emails sent); overdue tasks are escalated (their emails
        sent in the same round), expired staged uploads deleted once a minute, new element
        visits folded into the heatmap's rollup every few seconds."""
        fired = self.runner.fire_due_timers()
        escalated = self.runner.escalate_overdue()
        if escalated:
            log.info("overdue tasks escalated", extra={"tasks_escalated": escalated})
        sent = 0
        if self.transport is not None:
            sent = send_due(self.runner.session_factory, self.transport, self.smtp, lease=self.lease)
        if time.monotonic() >= self.next_cleanup:
            self.next_cleanup = time.monotonic() + CLEANUP_SECONDS
            expired = self.runner.expire_staged_uploads()
            if expired:
                log.info("expired staged uploads", extra={"documents_deleted": expired})
        if time.monotonic() >= self.next_fold:
            folded = self.runner.fold_heatmap(batches=1)
            # A full batch may have more behind it: the next round folds on, after its timers.
            self.next_fold = time.monotonic() + (0.0 if folded >= heat.BATCH else FOLD_SECONDS)
        return fired, sent

    def run_forever(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        log.info("worker started", extra={"smtp": bool(self.transport)})
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                fired, sent = self.run_once()
                if fired or sent:
                    log.info("worker round", extra={"timers_fired": fired, "emails_sent": sent})
            except Exception:  # keep serving: one bad round must not stop timers for everyone
                log.exception("worker round failed")
            self.stopping.wait(max(0.0, self.poll_seconds - (time.monotonic() - started)))
        log.info("worker stopped")

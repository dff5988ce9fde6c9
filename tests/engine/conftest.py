"""Fixtures for engine tests: a real SMTP server on loopback."""

from __future__ import annotations

import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from engine.outbox import SmtpSettings


class Inbox:
    """An SMTP handler that keeps what it accepts; ``refuse`` answers "try later" N times."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Intente más tarde"
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's readiness check needs a real port, not 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = SmtpSettings(host="127.0.0.1", port=port, timeout=5)
    yield inbox, settings
    controller.stop()

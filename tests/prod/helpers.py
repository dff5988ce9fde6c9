"""Helpers for production tests: real processes (gunicorn, workers) with their logs in
files, a minimal cookie-keeping HTTP client, an SMTP server that can hold a conversation,
and the JSON log reader."""

from __future__ import annotations

import asyncio
import email
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from email import policy
from pathlib import Path
from urllib.parse import urlencode
from urllib.parse import urlsplit

from alembic import command
from alembic.config import Config

from engine.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrate_to_head(url: str) -> None:
    """``flask db upgrade`` without the subprocess: the schema comes from migrations."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            config = Config(str(ROOT / "migrations" / "alembic.ini"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def wait_for(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


# --------------------------------------------------------------------------- processes


@dataclass
class Service:
    """One child process whose stdout and stderr go to files under ``log_dir``."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_dir: Path
    process: subprocess.Popen | None = None

    @property
    def stdout_path(self) -> Path:
        return self.log_dir / f"{self.name}.out"

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / f"{self.name}.err"

    def start(self) -> Service:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=err, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM and wait (SIGKILL past ``timeout``); returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def output(self) -> str:
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)


def python_module(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def run_command(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


# --------------------------------------------------------------------------- logs


def read_json_logs(*services: Service) -> tuple[list[dict], list[str]]:
    """Every log line of the services: (parsed JSON objects, lines that were not JSON)."""
    entries, other = [], []
    for service in services:
        for path in (service.stdout_path, service.stderr_path):
            if not path.exists():
                continue
            for line in path.read_text(errors="replace").splitlines():
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    other.append(f"{path.name}: {line}")
                    continue
                if isinstance(entry, dict):
                    entry["_source"] = path.name
                    entries.append(entry)
                else:
                    other.append(f"{path.name}: {line}")
    return entries, other


def problems_in(entries: list[dict], other: list[str]) -> list[str]:
    """Error-level lines, tracebacks and unstructured lines."""
    bad = [
        f"{e['_source']}: {json.dumps(e)[:2000]}" for e in entries if e.get("level") in ("ERROR", "CRITICAL")
    ]
    bad += [f"{e['_source']}: {e['exc'][:2000]}" for e in entries if e.get("exc")]
    bad += other
    return bad


# --------------------------------------------------------------------------- HTTP


class Browser:
    """Just enough of a browser: one cookie jar, no redirect following, X-Request-ID sent."""

    def __init__(self, base_url: str, name: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.name = name
        self.cookies: dict[str, str] = {}
        self.sent = 0
        self.request_ids: list[tuple[str, str | None]] = []

    def request(self, method: str, path: str, form: dict | None = None):
        self.sent += 1
        request_id = f"{self.name}-{self.sent}"
        headers = {"X-Request-ID": request_id}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        self.request_ids.append((request_id, response.headers.get("X-Request-ID")))
        return response.status, response.headers, text

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)


def location_path(headers) -> str:
    location = headers.get("Location", "")
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, f"no csrf_token in the page:\n{html[:1000]}"
    return match.group(1)


# --------------------------------------------------------------------------- SMTP


@dataclass
class HoldingMailbox:
    """aiosmtpd handler. Keeps every message; with ``hold_at`` ("RCPT" or "DATA") the first
    conversation stops at that command, before anything is accepted, until ``release``.

    If the client vanishes meanwhile, aiosmtpd cancels the handler: the message is dropped,
    as a real server drops a message whose conversation never completed.
    """

    hold_at: str | None = None
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.holding = threading.Event()  # a conversation is being held now
        self.released = threading.Event()
        self.cut_off = threading.Event()  # the held client went away
        self._held_once = False

    async def _maybe_hold(self, stage: str) -> None:
        if self.hold_at != stage or self._held_once:
            return
        self._held_once = True
        self.holding.set()
        try:
            while not self.released.is_set():
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            self.cut_off.set()
            raise

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._maybe_hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await self._maybe_hold("DATA")
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port, with a HoldingMailbox."""

    def __init__(self, mailbox: HoldingMailbox):
        from aiosmtpd.controller import Controller

        self.mailbox = mailbox
        self.port = free_port()
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.mailbox.released.set()
        self.controller.stop()

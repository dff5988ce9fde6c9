"""Rate limits that every web process shares: failed logins per address and per username,
registrations started and recovery emails asked for per address (and per email).

Counters live where ``RATELIMIT_STORAGE_URI`` says: by default in the app's own database
(engine/counters.py), so N gunicorn processes on N hosts enforce one limit; ``redis://…``
uses Redis instead (the ``limits`` library's storage, with the ``redis`` package);
``memory://`` (one process's memory) only in development.

An attempt is counted *before* the work it limits, in one atomic increment, and given back
when it turns out not to count (a successful login): parallel attempts cannot all pass a
check that only one of them should pass. Identifiers are hashed: the counters hold no
username, email or address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from dataclasses import field

from flask import current_app
from flask import render_template
from flask import request
from limits import parse
from limits.storage import Storage
from limits.storage import storage_from_string
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engine import counters
from webui.core.config import InsecureConfiguration
from webui.core.config import development_mode
from webui.core.identity import identity_connection
from webui.core.proxies import ip_address

LIMITS = (
    "LOGIN_LIMIT_PER_ADDRESS",
    "LOGIN_LIMIT_PER_USER",
    "REGISTRATION_LIMIT_PER_ADDRESS",
    "RECOVERY_LIMIT_PER_ADDRESS",
    "RECOVERY_LIMIT_PER_EMAIL",
)


class DatabaseStorage(Storage):
    """``limits`` storage on the ``rate_counter`` table, through ``connect()`` (a connection
    in autocommit: a count is never rolled back with the request that made it)."""

    STORAGE_SCHEME = None  # built by the app, never from a URI

    def __init__(self, connect):
        super().__init__()
        self._connect = connect

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self._connect() as conn:
            return counters.increment(conn, _digest(key), expiry, amount, time.time())

    def get(self, key: str) -> int:
        with self._connect() as conn:
            return counters.value(conn, _digest(key), time.time())

    def get_expiry(self, key: str) -> float:
        with self._connect() as conn:
            return counters.expires_at(conn, _digest(key), time.time())

    def check(self) -> bool:
        with self._connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def reset(self) -> int | None:
        with self._connect() as conn:
            return counters.clear(conn)

    def clear(self, key: str) -> None:
        with self._connect() as conn:
            counters.clear(conn, _digest(key))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Ticket:
    """Attempts counted by ``Throttle.take``; ``give_back`` un-counts them."""

    storage: Storage
    taken: list[tuple[str, int]] = field(default_factory=list)

    def give_back(self) -> None:
        for key, expiry in self.taken:
            self.storage.incr(key, expiry, amount=-1)
        self.taken = []


class Throttle:
    def __init__(self, storage: Storage, config):
        self.storage, self.config = storage, config

    def take(self, *limits: tuple[str, str]) -> Ticket | None:
        """Count one attempt against each ``(setting, identifier)`` limit, e.g.
        ``("LOGIN_LIMIT_PER_USER", "ana")``. None, with nothing counted, when any is spent."""
        ticket = Ticket(self.storage)
        for setting, identifier in limits:
            item = parse(self.config[setting])
            # The identifier is hashed before it is a key: any length, nothing personal stored.
            key = item.key_for(setting.lower(), hashlib.sha256(identifier.encode()).hexdigest())
            expiry = item.get_expiry()
            hits = self.storage.incr(key, expiry)
            ticket.taken.append((key, expiry))
            if hits > item.amount:
                ticket.give_back()
                return None
        return ticket


def client_address() -> str:
    """Who is asking, as a limit counts them: the client's address (see webui.core.proxies);
    an IPv6 client by its /64, which one subscriber usually holds whole."""
    raw = request.remote_addr or ""
    address = ip_address(raw)
    if address is None:
        return raw
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def throttle() -> Throttle:
    return current_app.extensions["throttle"]


def too_many(message: str):
    """The 429 page: what happened and what to do."""
    response = current_app.make_response(
        (render_template("errors/error.html", title="Demasiados intentos", message=message, code=429), 429)
    )
    response.headers["Retry-After"] = "60"
    return response


def storage_for(app, connect=identity_connection) -> Storage:
    """The counters' storage named by ``RATELIMIT_STORAGE_URI`` (the app's database if empty)."""
    uri = (app.config.get("RATELIMIT_STORAGE_URI") or "").strip()
    if not uri:
        return DatabaseStorage(connect)
    if uri.startswith("memory://") and not development_mode(app):
        raise InsecureConfiguration(
            "RATELIMIT_STORAGE_URI=memory:// keeps each process's own counts, so N processes "
            "allow N times every limit: only allowed with APP_ENV=development. Leave it empty "
            "(the app's database) or use redis://host:6379 (docs/deploy.md)."
        )
    return storage_from_string(uri)


def init_app(app) -> None:
    """Check every limit setting now (a typo must stop the start, not the first login)."""
    for setting in LIMITS:
        try:
            parse(app.config[setting])
        except ValueError:
            raise InsecureConfiguration(
                f"{setting}={app.config[setting]!r} is not a rate limit such as '5 per 10 minutes'."
            ) from None
    app.extensions["throttle"] = Throttle(storage_for(app), app.config)

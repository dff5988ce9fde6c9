"""Issue 17 point 3: rate limits that count what the login really checks, see the client's
address behind a trusted proxy (and only then), live in storage every process shares, and
cover anonymous registration starts and recovery emails too."""

from __future__ import annotations

import os
import re
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import IN_CI
from tests.webui.helpers import PASSWORD
from tests.webui.helpers import World

PROXY = "10.0.0.1"


def _login(app, username, password="mala-clave-1", query="", address="127.0.0.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.test_client().post(
        "/entrar" + query,
        data={"usuario": username, "contrasena": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_the_username_in_the_query_string_is_not_what_is_checked(app, world):
    """The limit counted the form's username while the login checked the query string's:
    an attacker tried as many passwords of the victim as they wanted."""
    world.user("victima")
    app.config["LOGIN_LIMIT_PER_USER"] = "3 per 10 minutes"
    for n in range(5):
        response = _login(app, f"otro{n}", query="?usuario=victima", address=f"10.1.0.{n}")
        assert response.status_code == 401
    # Whatever the query string says, the form's username is the one checked (and counted).
    guessed = _login(app, "otro9", PASSWORD, query="?usuario=victima", address="10.1.0.9")
    assert guessed.status_code == 401
    for n in range(3):
        assert _login(app, "victima", address=f"10.2.0.{n}").status_code == 401
    assert _login(app, "  VICTIMA ", PASSWORD, address="10.2.0.9").status_code == 429


def test_parallel_failures_cannot_overshoot_the_limit(app, world):
    """Each attempt is counted before the password is checked, atomically: 12 wrong
    passwords at once against a limit of 5 get exactly 5 answers, then "Demasiados"."""
    world.user("victima")
    app.config["LOGIN_LIMIT_PER_USER"] = "5 per 10 minutes"
    barrier = threading.Barrier(12)

    def attempt(n):
        barrier.wait(20)
        return _login(app, "victima", f"intento-{n}", address=f"10.3.0.{n}").status_code

    with ThreadPoolExecutor(12) as pool:
        codes = sorted(pool.map(attempt, range(12)))
    assert codes == [401] * 5 + [429] * 7


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(make_app, world):
    app = make_app(TRUSTED_PROXIES=f"{PROXY}, 192.168.0.0/16", LOGIN_LIMIT_PER_ADDRESS="3 per 10 minutes")
    World(app).user("ana")
    # Three clients fail three times each: every one of them is limited on its own.
    for client in ("203.0.113.5", "203.0.113.6", "2001:db8:1:2::7"):
        for n in range(3):
            assert _login(app, f"nadie{n}", address=PROXY, forwarded=client).status_code == 401
        assert _login(app, "nadie", address=PROXY, forwarded=client).status_code == 429
    # Another client behind the same proxy is not locked out by them.
    assert _login(app, "ana", PASSWORD, address=PROXY, forwarded="198.51.100.20").status_code == 302
    # An IPv6 subscriber holds a whole /64: changing the last bits changes nothing.
    assert _login(app, "nadie", address=PROXY, forwarded="2001:db8:1:2::8").status_code == 429
    # A chain of proxies: the first address that is not one of ours is the client; what the
    # client wrote before it (a spoofed address) is never reached.
    chain = "1.2.3.4, 203.0.113.5, 192.168.7.7"
    assert _login(app, "nadie", address=PROXY, forwarded=chain).status_code == 429
    # A proxy that writes the client's port: still that client, not the proxy.
    assert _login(app, "nadie", address=PROXY, forwarded="203.0.113.5:4711").status_code == 429
    assert _login(app, "nadie", address=PROXY, forwarded="[2001:db8:1:2::9]:4711").status_code == 429
    assert _login(app, "nadie", address=PROXY, forwarded="198.51.100.30:4711").status_code == 401


def test_the_login_history_shows_the_client_not_the_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=PROXY)
    World(app).user("ana")
    client = app.test_client()
    client.post(
        "/entrar",
        data={"usuario": "ana", "contrasena": PASSWORD},
        environ_base={"REMOTE_ADDR": PROXY},
        headers={"X-Forwarded-For": "203.0.113.77"},
    )
    html = client.get("/usuario/accesos", environ_base={"REMOTE_ADDR": PROXY}).get_data(as_text=True)
    assert "203.0.113.77" in html and PROXY not in html


def test_forwarded_for_is_ignored_from_anyone_else(make_app, world):
    """Off by default, and only from the configured proxies: a client cannot choose its
    address by sending the header itself."""
    apps = (
        make_app(LOGIN_LIMIT_PER_ADDRESS="3 per 10 minutes"),
        make_app(TRUSTED_PROXIES=PROXY, LOGIN_LIMIT_PER_ADDRESS="3 per 10 minutes"),
    )
    for number, app in enumerate(apps):
        address = f"198.51.100.{number}"
        codes = [
            _login(app, f"nadie{n}", address=address, forwarded=f"203.0.113.{n}").status_code
            for n in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        address_later = _login(app, "x", address="198.51.100.200", forwarded=address).status_code
        assert address_later == 401  # its count is its own


def test_an_unknown_proxy_setting_stops_the_start(make_app):
    from webui.core.config import InsecureConfiguration

    with pytest.raises(InsecureConfiguration, match="TRUSTED_PROXIES"):
        make_app(TRUSTED_PROXIES="10.0.0.1, proxy.example")
    with pytest.raises(InsecureConfiguration, match="LOGIN_LIMIT_PER_USER"):
        make_app(LOGIN_LIMIT_PER_USER="cinco por minuto")


def test_counts_are_kept_in_the_database_for_every_process(make_app, world):
    """Another process (here: another app on the same database, as after a restart or on
    the next gunicorn worker) sees the same counts. They were in each process's memory."""
    world.user("victima")
    first = make_app(LOGIN_LIMIT_PER_USER="3 per 10 minutes")
    for n in range(3):
        assert _login(first, "victima", address=f"10.4.0.{n}").status_code == 401
    second = make_app(LOGIN_LIMIT_PER_USER="3 per 10 minutes")
    assert _login(second, "victima", PASSWORD, address="10.4.0.9").status_code == 429
    from sqlalchemy import select

    from engine.models import RateCounter
    from webui.core.extensions import db

    with second.app_context():
        names = db.session.scalars(select(RateCounter.name)).all()
    assert names and not any("victima" in name or "10.4.0" in name for name in names)  # digests only


def _redis_or_skip() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    host, port = re.match(r"redis://([^:/]+):?(\d*)", url).groups()
    try:
        socket.create_connection((host, int(port or 6379)), timeout=2).close()
    except OSError:
        if IN_CI:
            pytest.fail(f"no Redis at {url} (the machine runs one on 127.0.0.1:6379)")
        pytest.skip(f"no Redis at {url}")
    return url


def test_counts_can_live_in_redis(make_app, world):
    url = _redis_or_skip()
    victim = "victima" + uuid.uuid4().hex[:8]  # keys of their own on a shared server
    world.user(victim)
    first = make_app(RATELIMIT_STORAGE_URI=url, LOGIN_LIMIT_PER_USER="2 per 10 minutes")
    second = make_app(RATELIMIT_STORAGE_URI=url, LOGIN_LIMIT_PER_USER="2 per 10 minutes")
    assert _login(first, victim).status_code == 401
    assert _login(second, victim).status_code == 401
    assert _login(first, victim, PASSWORD).status_code == 429
    first.extensions["throttle"].storage.reset()


def test_registration_starts_are_limited_per_address(make_app):
    """20 instances in 0.6 s from one address: each start is a process instance and rows."""
    app = make_app(TRUSTED_PROXIES=PROXY, REGISTRATION_LIMIT_PER_ADDRESS="3 per 10 minutes")
    app.extensions["runner"].deploy()

    def start(client, forwarded="203.0.113.9"):
        return client.post(
            "/registro", environ_base={"REMOTE_ADDR": PROXY}, headers={"X-Forwarded-For": forwarded}
        )

    for _ in range(3):
        assert start(app.test_client()).headers["Location"].startswith("/tareas/")
    refused = start(app.test_client())
    assert refused.status_code == 429 and "demasiados registros" in refused.get_data(as_text=True).lower()
    assert refused.headers["Retry-After"]
    # Somebody else is not refused; and resuming one's own open registration is not a start.
    other = app.test_client()
    first = start(other, "203.0.113.10").headers["Location"]
    assert all(start(other, "203.0.113.10").headers["Location"] == first for _ in range(4))
    from sqlalchemy import func
    from sqlalchemy import select

    from engine.models import ProcessInstance
    from webui.core.extensions import db

    with app.app_context():
        started = db.session.scalar(
            select(func.count()).where(ProcessInstance.process_id == "registro_usuario")
        )
    assert started == 4


def test_recovery_emails_are_limited(make_app, world):
    app = make_app(RECOVERY_LIMIT_PER_EMAIL="2 per hour", RECOVERY_LIMIT_PER_ADDRESS="4 per 10 minutes")
    World(app).user("ana")
    from sqlalchemy import func
    from sqlalchemy import select

    from engine.models import OutboxEmail
    from webui.core.extensions import db

    ask = {"correo": "ana@example.gov.co"}
    answers = [
        app.test_client().post("/recuperar", data=ask, environ_base={"REMOTE_ADDR": f"10.5.0.{n}"})
        for n in range(4)
    ]
    # The same answer every time (nothing tells the email is registered), two emails only.
    assert {r.status_code for r in answers} == {302}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 2
    client = app.test_client()
    codes = [client.post("/recuperar", data={"correo": f"x{n}@example.gov.co"}).status_code for n in range(5)]
    assert codes == [302] * 4 + [429]

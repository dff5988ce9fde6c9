"""Issue 17 point 5: every single-use link is used once, even when a browser (or an
attacker) sends it many times at once — real concurrent HTTP requests to a threaded server,
on SQLite and on PostgreSQL. Also what a new password revokes, and the API tokens' expiry
(point 17)."""

from __future__ import annotations

import datetime as dt
import http.client
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import change_password
from tests.webui.helpers import login

PARALLEL = 8


def _at_once(base_url: str, method: str, path: str, forms: list[dict | None]) -> list[tuple[int, str]]:
    """Send one request per form, all released together; (status, Location) of each."""
    parts = urlsplit(base_url)
    barrier = threading.Barrier(len(forms))

    def send(form):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        body = urlencode(form) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        try:
            barrier.wait(30)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.headers.get("Location", "")
        finally:
            connection.close()

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(send, forms))


def _outbox(app, template: str) -> list[str]:
    from engine.models import OutboxEmail
    from webui.core.extensions import db

    with app.app_context():
        return db.session.scalars(
            select(OutboxEmail.body).where(OutboxEmail.template == template).order_by(OutboxEmail.id)
        ).all()


def _reset_link(app, client, email="ana@example.gov.co") -> str:
    client.post("/recuperar", data={"correo": email})
    return re.findall(r"http://localhost(/recuperar/\S+)", _outbox(app, "recuperar_contrasena")[-1])[0]


def test_parallel_posts_of_one_reset_link_change_the_password_once(app, world, live_server):
    world.user("ana")
    link = _reset_link(app, app.test_client())
    base = live_server(app=app)
    passwords = [f"Nueva-clave-{n}!" for n in range(PARALLEL)]
    answers = _at_once(base, "POST", link, [{"contrasena": p, "confirmacion": p} for p in passwords])
    won = [n for n, (status, location) in enumerate(answers) if location.startswith("/entrar")]
    assert len(won) == 1, answers  # it changed the password 8 times (SQLite) / 4 (PostgreSQL)
    assert all(location.endswith("/recuperar") for n, (_, location) in enumerate(answers) if n not in won)
    from engine.domain.models import User
    from webui.core import users
    from webui.core.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User))
        assert [users.check_password(user, password) for password in passwords].count(True) == 1
    assert login(app.test_client(), "ana", passwords[won[0]]).status_code == 302


def test_a_reset_link_ends_every_session_and_dies_with_any_new_password(app, world):
    world.user("ana")
    elsewhere = app.test_client()
    login(elsewhere, "ana")
    client = app.test_client()
    first = _reset_link(app, client)
    second = _reset_link(app, client)
    assert client.get(first).status_code == 200
    assert (
        client.post(first, data={"contrasena": "Nueva-clave-2", "confirmacion": "Nueva-clave-2"}).status_code
        == 302
    )
    assert elsewhere.get("/usuario/").status_code == 302  # every session ended
    assert client.get(first).headers["Location"] == "/recuperar"  # used
    assert client.get(second).headers["Location"] == "/recuperar"  # the password it would reset changed
    # A link asked for before a password change on "Accesos del usuario" is void too.
    third = _reset_link(app, client)
    login(client, "ana", "Nueva-clave-2")
    change_password(client, "Nueva-clave-2", "Otra-clave-3")
    assert app.test_client().get(third).headers["Location"] == "/recuperar"


def test_an_expired_reset_link_is_refused(app, world):
    from engine.domain.models import PasswordReset
    from webui.core.extensions import db

    world.user("ana")
    client = app.test_client()
    link = _reset_link(app, client)
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    response = client.post(link, data={"contrasena": "Nueva-clave-2", "confirmacion": "Nueva-clave-2"})
    assert response.headers["Location"] == "/recuperar"
    assert login(app.test_client(), "ana").status_code == 302  # unchanged


def test_parallel_clicks_on_an_activation_link_activate_once(actions, deployed, live_server):
    link = actions.register_user("ana.perez", "ana@example.gov.co", activate=False)
    base = live_server(app=deployed)
    answers = _at_once(base, "GET", link, [None] * PARALLEL)
    activated = [location for status, location in answers if status == 302 and "/entrar" in location]
    assert len(activated) == 1, answers
    assert sorted(status for status, _ in answers) == [302] + [410] * (PARALLEL - 1)
    assert login(actions.client, "ana.perez").status_code == 302


def test_parallel_resends_of_an_expired_link_send_one_new_link(actions, deployed, live_server):
    runner = deployed.extensions["runner"]
    runner.config.process_defaults["activation_link_ttl"] = "PT1S"
    link = actions.register_user("ana.perez", "ana@example.gov.co", activate=False)
    time.sleep(1.5)
    assert runner.fire_due_timers() == 1  # the link expired: "Reenviar enlace" is offered
    base = live_server(app=deployed)
    answers = _at_once(base, "POST", link + "/reenviar", [{}] * PARALLEL)
    assert [location for _, location in answers].count("/registro/confirmar") == 1, answers
    assert len(_outbox(deployed, "nuevo_enlace")) == 1
    assert actions.client.get(link).status_code == 410  # the old link died with the resend


# --------------------------------------------------------------------------- API tokens (point 17)


def _api_status(app, raw) -> int:
    return app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_api_tokens_expire(app, world, cli):
    from engine.domain.models import ApiToken
    from webui.core.extensions import db

    world.user("integracion")
    out = cli.invoke(args=["create-token", "erp", "--usuario", "integracion", "--dias", "30"]).output
    assert "válido por 30 días" in out
    raw = re.search(r"secop_\S+", out).group(0)
    assert _api_status(app, raw) == 200
    with app.app_context():
        expires = db.session.scalar(select(ApiToken.expires_at))
        assert (
            dt.timedelta(days=29)
            < expires - dt.datetime.now(dt.UTC).replace(tzinfo=None)
            <= dt.timedelta(days=30)
        )
        db.session.execute(update(ApiToken).values(expires_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    assert _api_status(app, raw) == 401
    assert cli.invoke(args=["create-token", "x", "--sistema", "--dias", "0"]).exit_code != 0
    assert cli.invoke(args=["create-token", "x", "--sistema", "--dias", "400"]).exit_code != 0
    default = cli.invoke(args=["create-token", "y", "--sistema"]).output
    assert "válido por 90 días" in default


def test_a_new_password_revokes_the_users_api_tokens(app, world):
    from webui.api import tokens

    world.user("ana")
    world.user("beto")
    with app.app_context():
        mine, theirs = tokens.issue("mio", 1), tokens.issue("suyo", 2)
    assert _api_status(app, mine) == _api_status(app, theirs) == 200
    client = app.test_client()
    login(client, "ana")
    change_password(client, PASSWORD, "Otra-clave-3")
    assert _api_status(app, mine) == 401
    assert _api_status(app, theirs) == 200


def test_the_token_of_a_user_who_is_no_longer_active_is_refused(app, world):
    from engine.domain.models import USER_PENDING
    from engine.domain.models import User
    from webui.api import tokens
    from webui.core.extensions import db

    world.user("ana")
    with app.app_context():
        raw = tokens.issue("mio", 1)
    assert _api_status(app, raw) == 200
    with app.app_context():
        db.session.execute(update(User).values(status=USER_PENDING))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert _api_status(app, raw) == 401

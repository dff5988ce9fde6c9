"""Issue 17 point 4: a session is a record on the server. "Salir" ends it (a copy of the
cookie taken before stops working), a password change ends the others, a recovery ends all,
and "Accesos del usuario" lists the open ones and closes them."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import change_password
from tests.webui.helpers import login

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def _client(app, address="127.0.0.1", agent=FIREFOX):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    return client


def _logged_in(client) -> bool:
    return client.get("/usuario/").status_code == 200


def _copy(client, app):
    """Another browser holding a copy of ``client``'s session cookie (stolen, or synced)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_salir_stops_working(app, world):
    world.user("ana")
    client = _client(app)
    login(client, "ana")
    thief = _copy(client, app)
    assert _logged_in(thief)
    client.post("/salir")
    assert not _logged_in(client)
    assert not _logged_in(thief)  # it kept working for 8 hours


def test_a_password_change_ends_every_other_session(app, world):
    world.user("ana")
    here, elsewhere = _client(app), _client(app, "10.9.0.2", ANDROID)
    login(here, "ana")
    login(elsewhere, "ana")
    copy_of_here = _copy(here, app)
    response = change_password(here, PASSWORD, "Otra-clave-3")
    assert response.status_code == 302
    assert _logged_in(here) and _logged_in(copy_of_here)  # the session that changed it goes on
    assert not _logged_in(elsewhere)


def test_the_access_page_lists_open_sessions_and_closes_them(app, world):
    world.user("ana")
    world.user("beto")
    here = _client(app, "203.0.113.1", FIREFOX)
    phone = _client(app, "203.0.113.2", ANDROID)
    tablet = _client(app, "203.0.113.3", ANDROID)
    for client in (here, phone, tablet):
        login(client, "ana")
    html = here.get("/usuario/accesos").get_data(as_text=True)
    listed = html.split('id="sesiones"', 1)[1].split("Histórico de accesos", 1)[0]
    assert "Firefox en Windows" in listed and listed.count(">Chrome en Android</td>") == 2
    assert "203.0.113.1" in listed and "203.0.113.2" in listed and "Esta sesión" in listed
    closable = re.findall(r'action="(/usuario/accesos/sesiones/(\d+)/cerrar)"', listed)
    assert len(closable) == 2  # not this one: "Salir" is for that
    # Another user cannot close Ana's sessions, whatever id they post.
    intruder = _client(app, "198.51.100.9")
    login(intruder, "beto")
    for action, _ in closable:
        assert intruder.post(action).status_code == 302
    assert _logged_in(phone) and _logged_in(tablet)
    # Ana closes the phone's session; the phone is out, she is not.
    from engine.domain.models import UserSession
    from webui.core.extensions import db

    with app.app_context():
        phone_id = db.session.scalar(select(UserSession.id).where(UserSession.ip == "203.0.113.2"))
    assert (f"/usuario/accesos/sesiones/{phone_id}/cerrar", str(phone_id)) in closable
    assert here.post(f"/usuario/accesos/sesiones/{phone_id}/cerrar").status_code == 302
    assert not _logged_in(phone) and _logged_in(here) and _logged_in(tablet)
    # "Cerrar las demás sesiones": only this one stays.
    here.post("/usuario/accesos/sesiones/cerrar-las-demas")
    assert not _logged_in(tablet) and _logged_in(here)
    html = here.get("/usuario/accesos").get_data(as_text=True)
    assert "203.0.113.3" not in html.split('id="sesiones"', 1)[1].split("Histórico", 1)[0]


def test_a_session_idle_past_its_lifetime_ends_on_the_server(app, world):
    """The cookie's signature slides with use; so does the record, and the server checks it."""
    from engine.domain.models import UserSession
    from webui.core.extensions import db

    world.user("ana")
    client = _client(app)
    login(client, "ana")
    with app.app_context():
        seen = db.session.scalar(select(UserSession.last_seen_at))
        db.session.execute(update(UserSession).values(last_seen_at=seen - dt.timedelta(minutes=2)))
        db.session.commit()
    assert _logged_in(client)  # used after a minute: slides
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) > seen - dt.timedelta(seconds=5)
        db.session.execute(update(UserSession).values(last_seen_at=seen - dt.timedelta(hours=9)))
        db.session.commit()
    assert not _logged_in(client)


def test_the_session_check_costs_no_extra_statement(app, world):
    """Who is asking, their roles and their session: one statement per request, and no
    write while the session was used less than a minute ago."""
    from webui.core.extensions import db

    world.user("ana")
    client = _client(app)
    login(client, "ana")
    client.get("/usuario/")
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/tareas/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    about_sessions = [s for s in statements if "user_session" in s]
    assert len(about_sessions) == 1 and "app_user" in about_sessions[0]
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)

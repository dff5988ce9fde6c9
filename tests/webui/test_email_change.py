"""Issue 13 point 15 (D1): a new email in "Mis datos de usuario" takes effect only when a
signed link sent to it is opened, once, by the same person, before it expires; then the
previous address is told. Through the outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import login

NEW = "ana.nueva@example.gov.co"
PROFILE = {
    "first_names": "Ana María",
    "last_names": "Ruiz",
    "document_type": "Cédula de ciudadanía",
    "document_number": "52123456",
    "email": NEW,
    "phone": "3001234567",
    "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
    "contrasena_actual": PASSWORD,  # a new email takes the password too
}


def _sent(app) -> list[tuple[str, str, str]]:
    from engine.models import OutboxEmail
    from webui.core.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(OutboxEmail.to_addr, OutboxEmail.template, OutboxEmail.body).order_by(OutboxEmail.id)
        ).all()
        return [tuple(row) for row in rows]


def _email_of(app, user_id) -> str:
    from engine.domain.models import User
    from webui.core.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).email


def _asked(app, world, username="ana"):
    """``username`` saves Mis datos with a new email: (user id, client, the emailed link)."""
    user_id = world.user(username)
    client = app.test_client()
    login(client, username)
    answer = client.post("/usuario/datos", data=PROFILE)
    assert answer.status_code == 302
    page = client.get("/usuario/datos").get_data(as_text=True)
    assert f"Le enviamos un enlace a {NEW}" in page and "Ana María" in page  # the rest is saved
    (to, template, body), = _sent(app)  # fmt: skip
    assert (to, template) == (NEW, "confirmar_correo")
    link = re.findall(r"http://localhost(/usuario/datos/correo/\S+)", body)[0]
    return user_id, client, link


def test_a_new_email_waits_for_its_link_and_the_old_one_is_told(app, world):
    user_id, client, link = _asked(app, world)
    assert _email_of(app, user_id) == "ana@example.gov.co"  # not yet
    page = client.get(link).get_data(as_text=True)  # opening it shows a button, changes nothing
    assert "Confirmar correo" in page and NEW in page and _email_of(app, user_id) == "ana@example.gov.co"
    assert client.post(link).status_code == 302
    shown = client.get("/usuario/datos").get_data(as_text=True)
    assert f"Listo: su correo electrónico ahora es {NEW}." in shown
    assert _email_of(app, user_id) == NEW
    told = _sent(app)[-1]
    assert (told[0], told[1]) == ("ana@example.gov.co", "credenciales_cambiadas") and NEW in told[2]

    client.post(link)  # a second time: spent
    assert "venció o ya fue usado" in client.get("/usuario/datos").get_data(as_text=True)
    assert len(_sent(app)) == 2


def test_a_link_works_only_for_its_owner_and_before_it_expires(app, world, monkeypatch):
    from webui.people import email_change

    user_id, client, link = _asked(app, world)
    world.user("otra")
    other = app.test_client()
    login(other, "otra")
    assert other.post(link).status_code == 302  # someone else's session: refused
    assert _email_of(app, user_id) == "ana@example.gov.co"
    tampered = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    client.post(tampered)
    assert _email_of(app, user_id) == "ana@example.gov.co"
    monkeypatch.setattr(email_change, "LINK_HOURS", -1)  # every link is past its age now
    client.post(link)
    assert _email_of(app, user_id) == "ana@example.gov.co"
    assert "venció o ya fue usado" in client.get("/usuario/datos").get_data(as_text=True)


def test_an_address_taken_meanwhile_is_refused_at_confirmation(app, world):
    from engine.domain.models import User
    from webui.core.extensions import db

    user_id, client, link = _asked(app, world)
    other_id = world.user("rapida")
    with app.app_context():
        db.session.get(User, other_id).email = NEW
        db.session.commit()
    client.post(link)
    assert _email_of(app, user_id) == "ana@example.gov.co"
    assert "Ya existe un usuario registrado" in client.get("/usuario/datos").get_data(as_text=True)


def _ask(client, email):
    """Save Mis datos with ``email``: the link emailed to it."""
    assert client.post("/usuario/datos", data={**PROFILE, "email": email}).status_code == 302
    asked = [sent for sent in _sent(client.application) if sent[1] == "confirmar_correo"]
    to, _template, body = asked[-1]
    assert to == email
    return re.findall(r"http://localhost(/usuario/datos/correo/\S+)", body)[0]


def test_a_link_for_b_does_not_apply_after_the_email_went_back_to_a(app, world):
    """A→B→A: the link that made B the email is spent for good, even though the email is A
    again (the address it names to replace)."""
    user_id, client, to_b = _asked(app, world)
    client.post(to_b)
    assert _email_of(app, user_id) == NEW
    back_to_a = _ask(client, "ana@example.gov.co")
    client.post(back_to_a)
    assert _email_of(app, user_id) == "ana@example.gov.co"

    client.post(to_b)  # the old link again, with the email A as when it was sent
    assert _email_of(app, user_id) == "ana@example.gov.co"
    assert "venció o ya fue usado" in client.get("/usuario/datos").get_data(as_text=True)


def test_only_the_newest_link_applies_when_the_email_was_changed_again(app, world):
    """A→B asked, then A→C asked before confirming: the link for B no longer applies."""
    user_id, client, to_b = _asked(app, world)
    to_c = _ask(client, "ana.otra@example.gov.co")
    client.post(to_b)
    assert _email_of(app, user_id) == "ana@example.gov.co"
    assert "venció o ya fue usado" in client.get("/usuario/datos").get_data(as_text=True)
    client.post(to_c)
    assert _email_of(app, user_id) == "ana.otra@example.gov.co"

"""Issue 17 point 14, registration: the registration form does not tell which emails are
registered. An address that already has a user gets the same answer as a new one ("Le
enviamos un mensaje…"), no user is created, and the address's owner is told by email
through the outbox; registration starts are limited per address (test_limits.py)."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import World

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _form(username, email, **changes):
    return {
        "first_names": "Ana",
        "last_names": "Pérez",
        "document_type": "Cédula de ciudadanía",
        "document_number": "52123456",
        "email": email,
        "phone": "3001234567",
        "username": username,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
        "entity_name": "ALCALDIA DE PRUEBA",
        "accept_terms": "true",
        **changes,
    }


def _register(app, form):
    """Registro → the form → what the registrant sees next (status, Location, page text)."""
    client = app.test_client()
    task = client.post("/registro").headers["Location"]
    answer = client.post(task, data=form)
    page = client.get(answer.headers["Location"]) if answer.status_code == 302 else answer
    return answer.status_code, answer.headers.get("Location"), CSRF.sub("", page.get_data(as_text=True))


def _emails(app, to):
    from engine.models import OutboxEmail
    from webui.core.extensions import db

    with app.app_context():
        query = select(OutboxEmail.template, OutboxEmail.body)
        rows = db.session.execute(query.where(func.lower(OutboxEmail.to_addr) == to.lower())).all()
    return [(row.template, row.body) for row in rows]


def test_a_registered_email_gets_the_same_answer_and_its_owner_an_email(deployed):
    app = deployed
    World(app).user("duena.correo")  # duena.correo@example.gov.co
    known = _register(app, _form("otra.persona", "DUENA.CORREO@example.gov.co"))
    fresh = _register(app, _form("persona.nueva", "persona.nueva@example.gov.co"))
    assert known == fresh  # before: 422 "Ya existe un usuario registrado con este correo…"
    assert known[:2] == (302, "/registro/confirmar")

    from engine.domain.models import User
    from webui.core.extensions import db

    with app.app_context():
        usernames = db.session.scalars(select(User.username)).all()
    assert "otra.persona" not in usernames and "persona.nueva" in usernames
    owner_mail = _emails(app, "duena.correo@example.gov.co")
    assert [template for template, _ in owner_mail] == ["intento_registro"]
    body = owner_mail[0][1]
    assert "duena.correo" in body and "http://localhost/recuperar" in body and "otra.persona" not in body
    fresh_mail = _emails(app, "persona.nueva@example.gov.co")
    assert [template for template, _ in fresh_mail] == ["activacion_usuario"]


def test_a_refused_registration_does_not_name_a_registered_email(deployed):
    """With another field wrong, the form comes back with that field's message only."""
    app = deployed
    World(app).user("duena.dos")
    status, _, page = _register(app, _form("otra.mas", "duena.dos@example.gov.co", phone="12"))
    assert status == 422
    assert "solo con números" in page
    assert "Ya existe" not in page and "correo electrónico ya" not in page


def test_a_username_race_still_names_the_username(deployed):
    """Usernames are chosen, not personal: a taken one is said (to choose another), and the
    registration start limit bounds how many anyone can try."""
    app = deployed
    World(app).user("nombre.tomado")
    status, _, page = _register(app, _form("Nombre.Tomado", "alguien.nuevo@example.gov.co"))
    assert status == 422 and "«Nombre.Tomado» ya está registrado" in page

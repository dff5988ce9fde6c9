"""Issue 17 points 6, 7 and 8: what the database and the writing transaction guarantee
whatever the pages checked before, under real concurrency (threads released together), on
SQLite and on PostgreSQL; and the personal-data pages checked by registration's own rules."""

from __future__ import annotations

import logging
import re
import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import login

PARALLEL = 4


def _together(*calls):
    """Run the calls in threads released at the same moment; their results in order."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        barrier.wait(30)
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001  (the test asserts there was none)
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _usernames(app):
    from engine.domain.models import User
    from webui.core.extensions import db

    with app.app_context():
        return db.session.scalars(select(User.username).order_by(User.id)).all()


# ---- 17.6: unique in any letter case, in the database ---------------------------------------


def test_case_variants_of_one_username_at_once_one_wins(app, world):
    names = [f"persona{n}" for n in range(PARALLEL)]
    for name in names:
        world.user(name)
    clients = [_client(app, name) for name in names]
    variants = ["Carmen.Ruiz", "carmen.ruiz", "CARMEN.RUIZ", "cArMeN.rUiZ"][:PARALLEL]

    def change(client, new):
        def post():
            return client.post("/usuario/accesos", data={"formulario": "usuario", "nuevo_usuario": new})

        return post

    answers = _together(*(change(c, v) for c, v in zip(clients, variants, strict=True)))
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == [302] + [422] * (PARALLEL - 1), statuses  # before: 500s and case-duplicates
    for answer in answers:
        if answer.status_code == 422:
            assert "ya está registrado. Elija otro." in answer.get_data(as_text=True)
    taken = [u for u in _usernames(app) if u.lower() == "carmen.ruiz"]
    assert len(taken) == 1
    # The winner logs in with any letter case; nobody else does.
    assert login(app.test_client(), "CARMEN.ruiz").status_code == 302


def test_the_database_refuses_case_duplicates(app, world):
    """Even a writer that checks nothing (a script, a future page) cannot make them."""
    from engine.domain.models import User
    from webui.core.extensions import db

    world.user("Ana.Gomez")
    for column, value in (("username", "ana.gomez"), ("email", "ANA.GOMEZ@EXAMPLE.GOV.CO")):
        with app.app_context():
            fields = {
                "username": "otra.persona",
                "email": "otra@example.gov.co",
                "password_hash": "x",
                "first_names": "Otra",
                "last_names": "Persona",
                "document_type": "Pasaporte",
                "document_number": "AB123456",
                "phone": "3001234567",
                "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
                column: value,
            }
            db.session.add(User(**fields))
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()


def test_own_username_in_another_letter_case_is_allowed(app, world):
    world.user("maria.paz")
    client = _client(app, "maria.paz")
    answer = client.post("/usuario/accesos", data={"formulario": "usuario", "nuevo_usuario": "Maria.Paz"})
    assert answer.status_code == 302
    assert "Maria.Paz" in _usernames(app)


# ---- 17.7: the last administrators, under concurrency ---------------------------------------


def test_two_platform_admins_removing_each_other_at_once_leave_one(app, world):
    from engine.domain.models import UserRole
    from webui.core.extensions import db

    world.user("admin.uno", roles=("admin",))
    world.user("admin.dos", roles=("admin",))
    first, second = _client(app, "admin.uno"), _client(app, "admin.dos")

    def remove(client, whom):
        return lambda: client.post("/admin/roles", data={"usuario": whom, "rol": "admin", "accion": "quitar"})

    answers = _together(remove(first, "admin.dos"), remove(second, "admin.uno"))
    assert [getattr(a, "status_code", repr(a)) for a in answers] == [302, 302]  # never a 500
    with app.app_context():
        left = db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == "admin"))
    assert left == 1  # before: 0 on PostgreSQL
    messages = [c.get("/admin/roles").get_data(as_text=True) for c in (first, second)]
    refused = "La plataforma debe conservar al menos un Administrador de la plataforma."
    assert sum(refused in page for page in messages) == 1


def test_two_entity_admins_removing_each_other_at_once_leave_one(app, world):
    """Every Entidad keeps one Administrador: ``remove_membership`` locks the account row
    (PostgreSQL) inside the engine's writing transaction (BEGIN IMMEDIATE on SQLite)."""
    from engine.actors import Actor
    from engine.context import StepContext
    from engine.db import utcnow
    from engine.domain.access import LAST_ADMIN_MESSAGE
    from engine.domain.access import remove_membership
    from engine.domain.models import Membership
    from engine.errors import DomainError

    one, two = world.user("entidad.uno"), world.user("entidad.dos")
    account = world.account("ENTIDAD COMPARTIDA", admin=one, members=[(two, "Administrador")])
    runner = app.extensions["runner"]
    with runner.transaction() as session:
        memberships = dict(session.execute(select(Membership.user_id, Membership.id)).all())

    def remove(actor_id, membership_id):
        def call():
            with runner.transaction() as session:
                context = StepContext(session, Actor(user_id=actor_id), runner.config, utcnow())
                try:
                    return remove_membership(context, membership_id)
                except DomainError as refused:
                    return refused.message

        return call

    results = _together(remove(one, memberships[two]), remove(two, memberships[one]))
    assert sorted(map(str, results)) == sorted(["True", LAST_ADMIN_MESSAGE])
    with runner.transaction() as session:
        admins = session.scalar(
            select(func.count()).where(Membership.account_id == account, Membership.role == "Administrador")
        )
    assert admins == 1


# ---- 17.8 / 12.5: personal data by registration's rules ---------------------------------------

VALID_PROFILE = {
    "first_names": "Ana María",
    "last_names": "Ruiz",
    "document_type": "Cédula de ciudadanía",
    "document_number": "52123456",
    "email": "ana.ruiz@example.gov.co",
    "phone": "3001234567",
    "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
    "contrasena_actual": PASSWORD,  # the email changes: it takes the password
}
HOSTILE_PROFILE = [
    ("first_names", "A" * 5000, "como máximo 120"),
    ("first_names", "Ana\x00María", "caracteres no permitidos"),
    ("last_names", "Ruiz\x1b[2J", "caracteres no permitidos"),
    ("last_names", "Ruiz\u202egpj.exe", "caracteres no permitidos"),
    ("first_names", "Ana\u2066María", "caracteres no permitidos"),
    ("document_type", "Carné de la biblioteca", "Seleccione una opción de la lista."),
    ("time_zone", "Marte/Olympus_Mons", "Seleccione una opción de la lista."),
    ("document_number", "52.123.456", "sin puntos, espacios ni guiones"),
    ("phone", "300 123 4567 ext 12", "solo con números"),
    ("email", "no-es-un-correo", "correo electrónico válido"),
    ("email", "a" * 250 + "@example.gov.co", "correo electrónico válido"),
]


@pytest.mark.parametrize(("field", "value", "message"), HOSTILE_PROFILE)
def test_mis_datos_refuses_what_registration_refuses(app, world, field, value, message):
    from engine.domain.models import User
    from webui.core.extensions import db

    user_id = world.user("perfil.hostil")
    client = _client(app, "perfil.hostil")
    answer = client.post("/usuario/datos", data={**VALID_PROFILE, field: value})
    assert answer.status_code == 422  # before: stored (SQLite), a 500 (PostgreSQL)
    html = answer.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html
    if field == "last_names" and "\x1b" not in value and "\u202e" not in value:
        assert value in html  # what was typed stays in the form
    assert 'value="Ana María"' in html or field == "first_names"
    with app.app_context():
        stored = db.session.get(User, user_id)
        assert stored.first_names == "Nombre" and stored.document_number.startswith("10")


def test_mis_datos_offers_the_registration_lists(app, world):
    world.user("perfil.listas")
    client = _client(app, "perfil.listas")
    html = client.get("/usuario/datos?editar=1").get_data(as_text=True)
    assert '<select id="document_type"' in html and '<select id="time_zone"' in html
    assert '<option value="PPT (Permiso por Protección Temporal)"' in html
    assert '<option value="(UTC+01:00) Madrid, París, Roma"' in html
    assert client.post("/usuario/datos", data=VALID_PROFILE).status_code == 302
    page = client.get("/usuario/datos").get_data(as_text=True)
    assert "Ana María" in page and "52123456" in page


@pytest.mark.parametrize(
    "username",
    ["ana\tgomez", "<script>alert(1)</script>", "ana gomez", "ab", "x" * 31, "ana\u202emoc", "ñandú"],
)
def test_accesos_refuses_usernames_registration_refuses(app, world, username):
    world.user("acceso.hostil")
    client = _client(app, "acceso.hostil")
    answer = client.post("/usuario/accesos", data={"formulario": "usuario", "nuevo_usuario": username})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "caracteres no permitidos" in html or "entre 4 y 30 caracteres" in html
    assert "<script>alert(1)</script>" not in html
    assert _usernames(app) == ["acceso.hostil"]


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("Clave-segura-1", True), ("clave segura 1", True), ("corta-1", False), ("sinnumeros!", False),
     ("12345678!", False), ("SinEspecial1", False)],
)  # fmt: skip
def test_one_password_rule_for_registration_and_accesos(app, world, password, accepted):
    """The rule is the registration form's pattern; "Accesos del usuario" and recovery apply
    that same rule (before: a second regex in webui that disagreed on spaces)."""
    from engine.domain.personal_data import registration_form

    world.user("clave.nueva")
    client = _client(app, "clave.nueva")
    answer = client.post(
        "/usuario/accesos",
        data={"formulario": "contrasena", "contrasena_actual": PASSWORD, "contrasena_nueva": password,
              "confirmacion": password},
    )  # fmt: skip
    assert (answer.status_code == 302) == accepted
    import re

    pattern = registration_form(app.extensions["runner"].config)["properties"]["password"]["pattern"]
    assert bool(re.search(pattern, password)) == accepted


# ---- 17.8: SQL parameters never reach logs ---------------------------------------------------


def test_a_failing_statement_logs_no_personal_data(app, world):
    """Both engines (the pages' and the Runner's) hide statement parameters, so an
    IntegrityError logged with its traceback names no email, name or document."""
    from engine.domain.models import User
    from webui.core.extensions import db

    world.user("dato.personal")
    secret = "dato.personal@example.gov.co"
    row = {
        "username": "Dato.Personal",
        "email": secret,
        "password_hash": "x",
        "first_names": "Nombre Secreto",
        "last_names": "Apellido Secreto",
        "document_type": "Pasaporte",
        "document_number": "SECRETO123",
        "phone": "3001234567",
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
    }
    caught = []
    with app.app_context():
        db.session.add(User(**row))
        try:
            db.session.commit()
        except IntegrityError as error:
            caught.append(error)
            db.session.rollback()
    runner = app.extensions["runner"]
    try:
        with runner.transaction() as session:
            session.add(User(**row))
    except IntegrityError as error:
        caught.append(error)
    assert len(caught) == 2
    from engine.logs import JsonFormatter

    for error in caught:  # the line production writes (JSON logs) for an unexpected error
        record = logging.LogRecord("webui", logging.ERROR, __file__, 1, "fallo: %s", (error,), None)
        record.exc_info = (type(error), error, error.__traceback__)
        line = JsonFormatter().format(record)
        assert "SQL parameters hidden" in line
        for personal in (secret, "Nombre Secreto", "SECRETO123", "Dato.Personal"):
            assert personal not in line  # PostgreSQL's DETAIL quoted the email even so


def test_a_changed_email_is_told_to_the_previous_address(app, world):
    """Found while attacking: a stolen session could move the account to the thief's address
    unnoticed (then "Recuperar contraseña" keeps it). The previous address is told."""
    from engine.models import OutboxEmail
    from webui.core.extensions import db

    world.user("correo.viejo")
    client = _client(app, "correo.viejo")
    assert client.post("/usuario/datos", data=VALID_PROFILE).status_code == 302
    with app.app_context():  # the new address confirms first (issue 13.15, test_email_change.py)
        body = db.session.scalar(select(OutboxEmail.body).where(OutboxEmail.template == "confirmar_correo"))
    link = re.findall(r"http://localhost(/usuario/datos/correo/\S+)", body)[0]
    assert client.post(link).status_code == 302
    assert client.post("/usuario/datos", data=VALID_PROFILE).status_code == 302  # unchanged: no email
    with app.app_context():
        sent = db.session.execute(select(OutboxEmail.to_addr, OutboxEmail.template, OutboxEmail.body)).all()
    told = [(row.to_addr, row.template) for row in sent]
    assert told == [
        ("ana.ruiz@example.gov.co", "confirmar_correo"),
        ("correo.viejo@example.gov.co", "credenciales_cambiadas"),
    ]
    assert "el correo electrónico" in sent[1].body and "ana.ruiz@example.gov.co" in sent[1].body


@pytest.mark.parametrize("password", ["", "Otra-clave-9"])
def test_changing_the_email_takes_the_current_password(app, world, password):
    """Found while attacking: with a borrowed or stolen session one could move the account to
    one's own address and keep it through "Recuperar contraseña"."""
    from engine.domain.models import User
    from webui.core.extensions import db

    user_id = world.user("correo.propio")
    client = _client(app, "correo.propio")
    answer = client.post("/usuario/datos", data={**VALID_PROFILE, "contrasena_actual": password})
    assert answer.status_code == 422
    assert "Para cambiar el correo electrónico escriba su contraseña actual." in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).email == "correo.propio@example.gov.co"
    same_email = {**VALID_PROFILE, "email": "correo.propio@example.gov.co", "contrasena_actual": ""}
    assert client.post("/usuario/datos", data=same_email).status_code == 302  # the rest needs none

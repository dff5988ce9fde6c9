"""A form post is one Runner call: counted in database transactions, on both databases.

A rejected post is read, validated and drawn again from one transaction (it used to open 35:
one per option list); a valid post and a hand-off to the Mesa de Servicio are one; an upload
post is one per file (each is checked and kept first) plus one."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.webui.helpers import PDF
from tests.webui.helpers import errors_in

DOCUMENTS = ("acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut")


@contextmanager
def transactions():
    """Every database transaction begun meanwhile, on any engine of the app (an autocommit
    connection reading who is asking begins none)."""
    begun: list[str] = []

    def on_begin(connection):
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            begun.append(connection.engine.url.drivername)

    event.listen(Engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(Engine, "begin", on_begin)


def registration_task(client) -> str:
    return client.post("/registro").headers["Location"]


def test_a_rejected_post_is_one_transaction_and_keeps_what_was_typed(actions, client):
    task = registration_task(client)
    with transactions() as begun:
        response = actions.post(task, {"first_names": "Ana", "email": "no-es-un-correo", "username": "an"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Escriba un correo electrónico válido" in " ".join(errors_in(html))
    assert 'value="Ana"' in html and 'value="no-es-un-correo"' in html
    assert len(begun) == 1, begun


def test_a_rejected_post_with_dependent_lists_is_one_transaction(actions, client, world):
    world.user("ana.pt")
    actions.login("ana.pt")
    general = _general_information_task(actions)
    with transactions() as begun:
        response = actions.post(general, {"department": "05", "action": "continuar"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The municipalities of the chosen department, drawn from the same transaction.
    municipalities = html.split('name="municipality"', 1)[1].split("</select>")[0]
    assert ">MEDELLÍN<" in municipalities and "BOGOTÁ" not in municipalities
    assert len(begun) == 1, begun


def test_valid_posts_uploads_and_a_hand_off_to_the_mesa(actions, client, world):
    world.user("ana.pt")
    actions.login("ana.pt")
    general = _general_information_task(actions)
    with transactions() as begun:
        response = actions.post(general, _general_information())
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    assert len(begun) == 1, begun

    documents = response.headers["Location"]
    files = {name: (PDF, f"{name}.pdf") for name in DOCUMENTS}
    with transactions() as begun:
        response = actions.post(documents, {}, files)
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    assert len(begun) <= 1 + len(files), begun

    with transactions() as begun:
        response = actions.request_activation(response.headers["Location"])
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    assert len(begun) == 1, begun


def _general_information_task(actions) -> str:
    """A logged-in user starts "Registrar cuenta de Entidad Estatal": Validar, then the first
    part, up to the "Información general" form of §6."""
    nxt = actions.post("/tareas/iniciar/registro_entidad").headers["Location"]
    nxt = actions.post(nxt, {"entity_name": "ALCALDIA DE PRUEBA", "nit": "800197268"}).headers["Location"]
    nxt = actions.post(nxt, {"next_step": "registrar"}).headers["Location"]  # "Registrar"
    nxt = actions.post(
        nxt,
        {
            "country": "Colombia",
            "account_type": "Entidad Estatal",
            "business_area": "Público",
            "organization_type": "Otras Entidades públicas",
        },
    ).headers["Location"]
    assert re.fullmatch(r"/tareas/[0-9a-f-]{36}", nxt), nxt
    return nxt


def _general_information() -> dict:
    return {
        "account_name": "ALCALDIA DE PRUEBA",
        "short_name": "ALCALDIA DE PRUEBA",
        "entity_document_type": "NIT",
        "nit": "800197268",
        "department": "05",
        "municipality": "05001",
        "decentralized": "false",
        "order": "Territorial",
        "branch": "Ejecutivo",
        "sector": "Servicio Público",
        "entity_type": "Municipio (Alcaldía)",
        "account_address": "Calle 10 # 20-30",
        "account_phone": "6041234567",
        "notification_email": "contratacion800197268@prueba.gov.co",
        "action": "continuar",
    }

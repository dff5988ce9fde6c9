"""Who sees what: account choice, Escritorio, Directorio, documents, Mesa de Servicio, settings."""

from __future__ import annotations

import pytest

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import login


@pytest.fixture
def people(app, world):
    """An active account with its admin and a buyer, a second account with its admin,
    a pending account, an unrelated user and a Mesa de Servicio agent."""
    from engine.domain.models import ACCOUNT_PENDING

    ids = {name: world.user(name) for name in ("admin1", "comprador", "admin2", "suelto", "pendiente")}
    ids["mesa"] = world.user("mesa", roles=("mesa_servicio",))
    ids["acct1"] = world.account(
        "ENTIDAD UNO", admin=ids["admin1"], members=[(ids["comprador"], "Comprador")]
    )
    ids["acct2"] = world.account(
        "ENTIDAD DOS", admin=ids["admin2"], members=[(ids["comprador"], "Administrador")]
    )
    ids["acct3"] = world.account("ENTIDAD PENDIENTE", state=ACCOUNT_PENDING, admin=ids["pendiente"])
    ids["doc1"] = world.document(ids["acct1"], uploaded_by=ids["admin1"])
    ids["doc3"] = world.document(ids["acct3"], uploaded_by=ids["pendiente"])
    return ids


def as_user(app, name):
    client = app.test_client()
    if name != "anonimo":
        assert login(client, name).status_code == 302
        client.get("/cuenta/despues-de-entrar")
    return client


def test_several_accounts_choose_after_entrar(app, people):
    client = app.test_client()
    login(client, "comprador")
    assert client.get("/cuenta/despues-de-entrar").headers["Location"] == "/cuenta/elegir"
    html = client.get("/cuenta/elegir").get_data(as_text=True)
    assert "ENTIDAD UNO" in html and "ENTIDAD DOS" in html and "ENTIDAD PENDIENTE" not in html
    assert client.post("/cuenta/elegir", data={"cuenta": people["acct3"]}).status_code == 404
    client.post("/cuenta/elegir", data={"cuenta": people["acct2"]})
    desk = client.get("/cuenta/").get_data(as_text=True)
    assert "<h1>Escritorio</h1>" in desk and "ENTIDAD DOS" in desk and "Usuario Administrador" in desk


def test_escritorio_only_for_active_account(app, people):
    desk = as_user(app, "admin1").get("/cuenta/").get_data(as_text=True)
    assert "<h1>Escritorio</h1>" in desk and "Usuarios de la cuenta" in desk
    # The menu names the page its first link opens (it said "Inicio" for an active account).
    assert '<li><a href="/cuenta/">Escritorio</a></li>' in desk
    pending = as_user(app, "pendiente").get("/cuenta/").get_data(as_text=True)
    assert "<h1>Escritorio</h1>" not in pending and "Pendiente de activación" in pending
    assert '<li><a href="/cuenta/">Inicio</a></li>' in pending


@pytest.mark.parametrize(
    ("who", "directory", "doc1", "doc3"),
    [
        ("anonimo", 302, 404, 404),
        ("suelto", 403, 404, 404),  # no access to any account (R5)
        ("pendiente", 403, 404, 200),  # own pending account only
        ("admin2", 200, 200, 404),  # another account's administrator: Directorio documents only
        ("admin1", 200, 200, 404),
        ("mesa", 200, 200, 200),
    ],
)
def test_directory_and_documents(app, people, who, directory, doc1, doc3):
    client = as_user(app, who)
    assert client.get("/cuenta/directorio").status_code == directory
    response = client.get(f"/documentos/{people['doc1']}")
    assert response.status_code == doc1
    if doc1 == 200:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.data.startswith(b"%PDF")
    response.close()
    response = client.get(f"/documentos/{people['doc3']}")
    assert response.status_code == doc3
    response.close()


def test_directory_lists_only_active_accounts(app, people):
    html = as_user(app, "admin1").get("/cuenta/directorio").get_data(as_text=True)
    assert "ENTIDAD UNO" in html and "ENTIDAD DOS" in html and "ENTIDAD PENDIENTE" not in html
    assert as_user(app, "admin1").get(f"/cuenta/directorio/{people['acct3']}").status_code == 404
    entry = as_user(app, "admin2").get(f"/cuenta/directorio/{people['acct1']}").get_data(as_text=True)
    assert "rut.pdf" in entry


@pytest.mark.parametrize(
    ("who", "status"), [("anonimo", 302), ("suelto", 403), ("admin1", 403), ("mesa", 200)]
)
def test_mesa_only_for_agents(app, people, who, status):
    """Agents only: anonymous visitors are sent to Entrar, other users refused; a case id is
    "not found" for everyone (no case 1 exists yet) — and for non-agents it would be anyway."""
    client = as_user(app, who)
    response = client.get("/mesa/")
    assert response.status_code == status
    if status == 302:
        assert "/entrar" in response.headers["Location"]
    assert client.get("/mesa/casos/1").status_code == (302 if who == "anonimo" else 404)


def test_settings_require_login(client):
    for path in ("/usuario/", "/usuario/datos", "/usuario/accesos", "/usuario/registros", "/tareas/"):
        response = client.get(path)
        assert response.status_code == 302 and "/entrar" in response.headers["Location"]


def test_profile_edit_keeps_required_fields(app, people):
    client = as_user(app, "suelto")
    page = client.get("/usuario/datos").get_data(as_text=True)
    assert ">Editar</a>" in page
    response = client.post(
        "/usuario/datos",
        data={"first_names": "Ana", "last_names": "", "document_type": "", "document_number": "",
              "email": "admin1@example.gov.co", "phone": "300", "time_zone": "x"},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = ("Tipo de documento", "Número de documento", "Ya existe un usuario", "solo con números")
    for text in expected:
        assert text in html
    ok = client.post(
        "/usuario/datos",
        data={"first_names": "Ana María", "last_names": "Ruiz", "document_type": "Cédula de ciudadanía",
              "document_number": "52123456", "email": "ana.ruiz@example.gov.co", "phone": "3001234567",
              "time_zone": "(UTC-05:00) Bogotá, Lima, Quito", "contrasena_actual": PASSWORD},
    )  # fmt: skip
    assert ok.status_code == 302
    assert "Ana María" in client.get("/usuario/datos").get_data(as_text=True)


def test_username_change(app, people):
    client = as_user(app, "suelto")
    taken = client.post("/usuario/accesos", data={"formulario": "usuario", "nuevo_usuario": "admin1"})
    assert taken.status_code == 422 and "ya está registrado" in taken.get_data(as_text=True)
    assert (
        client.post(
            "/usuario/accesos", data={"formulario": "usuario", "nuevo_usuario": "suelto2"}
        ).status_code
        == 302
    )
    client.post("/salir")
    assert login(client, "suelto2", PASSWORD).status_code == 302


def test_cancel_request_of_someone_else_is_404(app, people):
    from engine.domain.models import AccessRequest
    from webui.core.extensions import db

    with app.app_context():
        row = AccessRequest(user_id=people["suelto"], account_id=people["acct1"])
        db.session.add(row)
        db.session.commit()
        request_id = row.id
    assert as_user(app, "admin1").post(f"/usuario/registros/{request_id}/cancelar").status_code == 404
    html = as_user(app, "suelto").get("/usuario/registros").get_data(as_text=True)
    assert "ENTIDAD UNO" in html and "Pendiente" in html and ">Cancelar" in html


def test_start_only_allowed_procedures(app, people):
    client = as_user(app, "suelto")
    assert client.post("/tareas/iniciar/activacion_cuenta").status_code == 404
    assert (
        client.post("/tareas/iniciar/perfil_mixto", data={"account_id": people["acct1"]}).status_code == 404
    )
    assert as_user(app, "anonimo").post("/tareas/iniciar/registro_entidad").status_code == 302  # to Entrar
    # A request by phone is the Mesa de Servicio's: an entity's administrator cannot file one.
    assert as_user(app, "admin1").post("/tareas/iniciar/solicitud_telefonica").status_code == 404
    app.extensions["runner"].deploy()
    started = as_user(app, "mesa").post("/tareas/iniciar/solicitud_telefonica")
    assert started.status_code == 302 and started.headers["Location"].startswith("/tareas/")


def test_option_lists_are_not_served_outside_a_task(app, people):
    """Option lists come from the task that needs them (test_hostile_input.py)."""
    client = as_user(app, "anonimo")
    assert client.get("/api/opciones/municipalities?department=05&q=medel").status_code == 404
    assert client.get("/api/opciones/no_existe").status_code == 404


def test_one_account_lands_on_its_escritorio_without_choosing(app, people):
    """Issue 13.12: the chooser is for two or more accounts only."""
    client = app.test_client()
    login(client, "admin1")
    assert client.get("/cuenta/despues-de-entrar").headers["Location"] == "/cuenta/"
    desk = client.get("/cuenta/").get_data(as_text=True)
    assert "<h1>Escritorio</h1>" in desk and "ENTIDAD UNO" in desk
    assert "Seleccione la cuenta" not in desk


@pytest.mark.parametrize(
    ("roles", "landing"),
    [(("mesa_servicio",), "/mesa/"), (("analista",), "/modelos/"), (("operador", "mesa_servicio"), "/mesa/")],
)
def test_staff_without_account_land_on_their_pages(app, world, roles, landing):
    """Issue 13.13: never the entity user's "Su usuario aún no hace parte de una cuenta"."""
    world.user("personal", roles=roles)
    client = app.test_client()
    login(client, "personal")
    assert client.get("/cuenta/despues-de-entrar").headers["Location"] == landing
    assert client.get("/cuenta/").headers["Location"] == landing  # "Inicio" and after each decision


def test_directorio_and_escritorio_speak_names(app, people, world):
    """Issue 13.4: DIVIPOLA names instead of "05 / 05001", sector labels, file names."""
    from engine.domain import models as m
    from webui.core.extensions import db

    with app.app_context():
        db.session.get(m.Account, people["acct1"]).sector = "agricultura"
        db.session.commit()
    listing = as_user(app, "admin2").get("/cuenta/directorio").get_data(as_text=True)
    assert "MEDELLÍN (ANTIOQUIA)" in listing and "Agricultura" in listing and ">agricultura<" not in listing
    entry = as_user(app, "admin2").get(f"/cuenta/directorio/{people['acct1']}").get_data(as_text=True)
    assert "<dt>Departamento</dt><dd>ANTIOQUIA</dd>" in entry
    assert "<dt>Municipio</dt><dd>MEDELLÍN</dd>" in entry and "05 / 05001" not in entry
    assert ">rut.pdf</a>" in entry and "(13 bytes)" in entry
    desk = as_user(app, "admin1").get("/cuenta/").get_data(as_text=True)
    assert "Documentos de la cuenta" in desk and ">rut.pdf</a>" in desk and "MEDELLÍN, ANTIOQUIA" in desk


def test_support_cases_on_the_escritorio_and_the_desk_search(app, people):
    """13.3: an account's cases (number and state) on its Administrador's Escritorio or start
    page, not on a Comprador's nor another account's; the desk finds a case by its number,
    the Entidad's name or its NIT (with or without the check digit)."""
    from engine.domain.models import Account
    from engine.domain.models import SupportCase
    from webui.core.extensions import db

    with app.app_context():
        for number, account, state in (("CASO-2026-000007", "acct1", "En corrección"),
                                       ("CASO-2026-000008", "acct3", "Abierto")):  # fmt: skip
            db.session.add(SupportCase(number=number, kind="Activación de cuenta", account_id=people[account],
                                       state=state, data={}))  # fmt: skip
        db.session.commit()
        nit = db.session.get(Account, people["acct1"]).nit_display
    desk = as_user(app, "admin1").get("/cuenta/").get_data(as_text=True)
    assert "CASO-2026-000007" in desk and "En corrección" in desk and "CASO-2026-000008" not in desk
    start = as_user(app, "pendiente").get("/cuenta/").get_data(as_text=True)
    assert "CASO-2026-000008" in start and "CASO-2026-000007" not in start
    buyer = as_user(app, "comprador")
    buyer.post("/cuenta/elegir", data={"cuenta": people["acct1"]})
    assert "CASO-2026-" not in buyer.get("/cuenta/").get_data(as_text=True)

    mesa = as_user(app, "mesa")
    for typed in ("caso-2026-000007", "000007", "entidad uno", nit, nit.replace("-", "")):
        found = mesa.get("/mesa/", query_string={"numero": typed}).get_data(as_text=True)
        assert "CASO-2026-000007" in found and "CASO-2026-000008" not in found, typed
    nothing = mesa.get("/mesa/", query_string={"numero": "CASO-2000-1"}).get_data(as_text=True)
    assert "No hay casos con estos filtros." in nothing


def test_start_buttons_follow_the_diagrams(app, people):
    """Issue 12: the Mesa's "by phone" start and Mis registros' "Nuevo registro" name no
    process in a template: a diagram that renames its procedure or moves ``startOn`` changes
    the pages with no template change."""
    from engine.diagrams import DiagramSet

    runner = app.extensions["runner"]
    runner.deploy()
    desk = as_user(app, "mesa").get("/mesa/").get_data(as_text=True)
    assert "Solicitud de activación por teléfono</h2>" in desk
    assert "diligencie por quien llama el formulario de soporte" in desk  # its startDescription
    assert ">Registrar solicitud telefónica</button>" in desk
    requests = as_user(app, "suelto").get("/usuario/registros").get_data(as_text=True)
    assert "/tareas/iniciar/solicitud_acceso" in requests and ">Nuevo registro</button>" in requests

    deployed = runner.deployed_diagrams()
    workflows = dict(deployed.workflows)
    workflows["solicitud_telefonica.bpmn"] = (
        workflows["solicitud_telefonica.bpmn"]
        .replace("name=\"Solicitud de activación por teléfono\"".encode(), b'name="Llamada de una Entidad"')
        .replace("value=\"Registrar solicitud telefónica\"".encode(), b'value="Anotar la llamada"')
    )
    workflows["solicitud_acceso.bpmn"] = workflows["solicitud_acceso.bpmn"].replace(
        b'<spiffworkflow:property name="startOn" value="mis_registros"/>', b""
    )
    workflows["registro_entidad.bpmn"] = workflows["registro_entidad.bpmn"].replace(
        b'<spiffworkflow:property name="startableBy" value="user"/>',
        b'<spiffworkflow:property name="startableBy" value="user"/>'
        b'<spiffworkflow:property name="startOn" value="mis_registros"/>',
    )
    runner.deploy(DiagramSet(workflows, deployed.forms))
    desk = as_user(app, "mesa").get("/mesa/").get_data(as_text=True)
    assert "Llamada de una Entidad</h2>" in desk and ">Anotar la llamada</button>" in desk
    assert "Registrar solicitud telefónica" not in desk
    requests = as_user(app, "suelto").get("/usuario/registros").get_data(as_text=True)
    assert "/tareas/iniciar/registro_entidad" in requests and ">Nuevo registro</button>" in requests
    assert "/tareas/iniciar/solicitud_acceso" not in requests

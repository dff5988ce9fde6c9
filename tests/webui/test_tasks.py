"""The procedures through the test client: registration, entity account, activation by the
Mesa de Servicio, access requests — and the form behaviour on the way."""

from __future__ import annotations

import re

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import PDF
from tests.webui.helpers import errors_in
from tests.webui.helpers import login


def test_registration_shows_all_errors_and_keeps_input(actions, client):
    location = client.post("/registro").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "<h1>Registrar usuario</h1>" in page and ">Continuar</button>" in page
    response = actions.post(
        location,
        {
            "first_names": "Ana",
            "document_number": "12ab",
            "email": "malo",
            "password": "Clave-123",
            "password_confirmation": "otra",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = errors_in(html)
    assert (
        len(errors) >= 6
        and any("términos" in e for e in errors)
        and any("correo" in e.lower() for e in errors)
    )
    assert 'value="Ana"' in html and 'value="malo"' in html and "Clave-123" not in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="campo-email-ayuda campo-email-error"' in html
    assert '<a href="#campo-email">' in html


def test_registration_activation_login(actions, client):
    actions.register_user("ana.perez", "ana@example.gov.co")
    page = client.get("/entrar?usuario=ana.perez").get_data(as_text=True)
    assert 'value="ana.perez"' in page
    actions.login("ana.perez")
    html = client.get("/cuenta/").get_data(as_text=True)
    assert "Crear o solicitar acceso a una Entidad" in html
    # Section 3 is one start: "Validar" leads to the registration or to the access request (R1)
    assert ">Registrar cuenta de Entidad Estatal</button>" in html and "“Validar”" in html
    assert ">Solicitud de acceso</button>" not in html  # that one is Mis registros' Nuevo registro
    assert ">Nuevo registro</button>" in client.get("/usuario/registros").get_data(as_text=True)
    assert "Directorio" not in html and client.get("/cuenta/directorio").status_code == 403  # R5


def test_used_activation_link_offers_resend(actions, client):
    link = actions.register_user("beto", "beto@example.gov.co")
    response = client.get(link)
    assert response.status_code == 410 and "Reenviar enlace" in response.get_data(as_text=True)


def test_login_refused_before_activation(actions, client):
    location = client.post("/registro").headers["Location"]
    actions.post(
        location,
        {
            "first_names": "Ca",
            "last_names": "Ro",
            "document_type": "Pasaporte",
            "document_number": "AB12345",
            "email": "caro@example.gov.co",
            "phone": "3001234567",
            "username": "caro",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
            "entity_name": "X Y Z",
            "accept_terms": "true",
        },
    )
    assert client.post("/entrar", data={"usuario": "caro", "contrasena": PASSWORD}).status_code == 401


def test_entity_registration_activation_and_access(actions, client, world):
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    activation_task = actions.register_entity()
    page = client.get(activation_task).get_data(as_text=True)
    assert "Solicitar activación a la Mesa de Servicio" in page
    response = actions.request_activation(activation_task)
    flash = client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r"CASO-\d{4}-\d{6}", flash).group(0)
    actions.logout()

    world.user("agente", roles=("mesa_servicio",))
    actions.login("agente")
    mesa = client.get("/mesa/").get_data(as_text=True)
    assert number in mesa
    task = actions.tasks("/mesa/")[0]
    assert actions.post(task, {"decision": "corregir"}).status_code == 422  # reason required
    assert actions.post(task, {"decision": "corregir", "reason": "El RUT no es legible."}).status_code == 302
    actions.logout()

    actions.login("ana.perez")
    correction = actions.tasks()[0]
    assert "Corregir documentos" in client.get(correction).get_data(as_text=True)
    response = actions.post(
        correction, {"correction_notes": "RUT legible."}, {"rut": (PDF, "rut-legible.pdf")}
    )
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    actions.logout()

    actions.login("agente")
    assert actions.post(actions.tasks("/mesa/")[0], {"decision": "activar"}).status_code == 302
    case_page = client.get("/mesa/casos/1").get_data(as_text=True)
    assert (
        "Solicitar corrección" in case_page
        and "Activar cuenta" in case_page
        and "rut-legible.pdf" in case_page
    )
    actions.logout()

    actions.login("ana.perez")
    desk = client.get("/cuenta/").get_data(as_text=True)
    assert "<h1>Escritorio</h1>" in desk and "ALCALDIA DE PRUEBA" in desk
    actions.logout()

    # (b) a second user asks for access; the administrator accepts as Comprador
    actions.register_user("carlos", "carlos@example.gov.co")
    actions.login("carlos")
    nxt = actions.start("Nuevo registro", page="/usuario/registros")  # R2
    page = client.get(nxt).get_data(as_text=True)
    response = actions.post(nxt, {"entity_name": "800197268"})
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    nxt = response.headers["Location"]
    assert ">Solicitar</button>" in client.get(nxt).get_data(as_text=True)
    response = actions.post(nxt, {})
    assert "Esperando aprobación" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pendiente" in client.get("/usuario/registros").get_data(as_text=True)
    actions.logout()

    actions.login("ana.perez")
    review = actions.tasks()[0]
    assert "Revisar solicitud de acceso" in client.get(review).get_data(as_text=True)
    response = actions.post(
        review, {"decision": "aceptar", "role": "Comprador", "permissions": ["Procesos de Contratación"]}
    )
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    actions.logout()

    actions.login("carlos")
    assert "Aceptado" in client.get("/usuario/registros").get_data(as_text=True)
    assert "<h1>Escritorio</h1>" in client.get("/cuenta/").get_data(as_text=True)
    assert client.get("/cuenta/directorio").status_code == 200


def test_refused_upload_is_reported_with_other_errors(actions, client):
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    nxt = actions.start("Registrar cuenta de Entidad Estatal")
    nxt = actions.post(nxt, {"entity_name": "ALCALDIA DE PRUEBA", "nit": "800197268"}).headers["Location"]
    nxt = actions.post(nxt, {"next_step": "registrar"}).headers["Location"]  # "Registrar"
    first_part = client.get(nxt).get_data(as_text=True)
    assert "Generar formulario" in first_part
    # without JavaScript the conditional field is visible, with the condition spelled out
    assert "Diligencie este campo solo si «¿Entidad registrada en el SIIF?» es «Sí»." in first_part
    assert 'data-conditions="' in first_part
    nxt = actions.post(
        nxt,
        {
            "country": "Colombia",
            "account_type": "Entidad Estatal",
            "business_area": "Público",
            "organization_type": "Otras Entidades públicas",
        },
    ).headers["Location"]
    general = client.get(nxt).get_data(as_text=True)
    # no department chosen yet: every municipality, labelled with its department (works without JS)
    assert ">MEDELLÍN (ANTIOQUIA)</option>" in general and ">LETICIA (AMAZONAS)</option>" in general
    response = actions.post(nxt, {"action": "continuar", "account_name": "Alcaldía de prueba."})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Forma sugerida" in html and 'value="Alcaldía de prueba."' in html
    assert '>Modificar</button>' in html  # the guide's button, not a choice in the form
    # Pressing "Modificar" (the browser posts the button's name and value with the fields).
    pressed = {"__accion": "0", "action": "continuar", "account_name": "ALCALDIA DE PRUEBA"}
    response = actions.post(nxt, pressed)
    back = response.headers["Location"]
    assert "Registrar – primera parte" in client.get(back).get_data(as_text=True)


def test_task_of_someone_else_is_404(actions, client, world):
    location = client.post("/registro").headers["Location"]
    other = actions.app.test_client()
    assert other.get(location).status_code == 404
    assert other.post(location, data={"first_names": "x"}).status_code == 404
    world.user("mallory")
    login(other, "mallory")
    assert other.get(location).status_code == 404
    assert other.get("/tareas/no-es-un-uuid").status_code == 404


def test_nuevo_registro_and_cancel(actions, client, world):
    """R2 + R4: Mis registros → Nuevo registro → Buscar → Solicitar → Cancelar."""
    from engine.domain.models import AccessRequest
    from engine.domain.models import Account
    from webui.core.extensions import db

    admin = world.user("admin.uno")
    account_id = world.account("ENTIDAD UNO", admin=admin)
    with actions.app.app_context():
        nit = db.session.get(Account, account_id).nit
    world.user("luisa")
    actions.login("luisa")
    page = client.get("/usuario/registros").get_data(as_text=True)
    assert ">Nuevo registro</button>" in page
    response = client.post("/tareas/iniciar/solicitud_acceso")
    search = response.headers["Location"]
    assert ">Buscar</button>" in client.get(search).get_data(as_text=True)
    response = actions.post(search, {"entity_name": nit})
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    response = actions.post(response.headers["Location"], {})
    assert response.status_code == 302
    page = client.get("/usuario/registros").get_data(as_text=True)
    assert "ENTIDAD UNO" in page and "Pendiente" in page
    with actions.app.app_context():
        request_id = db.session.query(AccessRequest.id).scalar()
    response = client.post(f"/usuario/registros/{request_id}/cancelar")
    assert response.status_code == 302
    page = client.get("/usuario/registros").get_data(as_text=True)
    assert "Cancelado" in page and ">Cancelar<" not in page
    actions.logout()
    actions.login("admin.uno")
    assert "Revisar solicitud de acceso" not in client.get("/tareas/").get_data(as_text=True)


def test_perfil_mixto_started_by_the_administrator(actions, client, world):
    admin = world.user("admin.px")
    account_id = world.account("ENTIDAD MIXTA", admin=admin)
    actions.login("admin.px")
    client.post("/cuenta/elegir", data={"cuenta": account_id})
    assert ">Solicitar Perfil Mixto</button>" in client.get("/cuenta/").get_data(as_text=True)
    response = client.post("/tareas/iniciar/perfil_mixto", data={"account_id": account_id})
    assert response.status_code == 302 and response.headers["Location"].startswith("/tareas/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Solicitar Perfil Mixto</h1>" in page


def test_municipality_options_without_javascript(actions, client):
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    task = actions.register_entity()
    page = client.get(task).get_data(as_text=True)
    # the department and municipality are known from the registration: only its municipalities
    assert '<option value="05001" selected>MEDELLÍN</option>' in page
    assert 'value="11001"' not in page and 'data-depends-on="department"' in page
    # posted with another department and an error: the list follows what the user chose
    response = actions.post(task, {"department": "11"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="11001"' in html and 'value="05001"' not in html


def test_parent_entity_chosen_by_its_directorio_name(actions, client, world, app):
    # A decentralised entity names its parent as the Directorio shows it (in any case); a name
    # the Directorio does not have gets the form's own message, not "El valor no es válido".
    parent = world.account(name="GOBERNACION DE PRUEBA")
    actions.register_user("hija.user", "hija@example.gov.co")
    actions.login("hija.user")
    nxt = actions.start("Registrar cuenta de Entidad Estatal")
    nxt = actions.post(nxt, {"entity_name": "INSTITUTO DE PRUEBA", "nit": "800197268"}).headers["Location"]
    nxt = actions.post(nxt, {"next_step": "registrar"}).headers["Location"]  # "Registrar"
    first_part = {"country": "Colombia", "account_type": "Entidad Estatal", "business_area": "Público",
                  "organization_type": "Otras Entidades públicas"}  # fmt: skip
    nxt = actions.post(nxt, first_part).headers["Location"]
    general = {
        "account_name": "INSTITUTO DE PRUEBA", "short_name": "INSTITUTO", "entity_document_type": "NIT",
        "nit": "800197268", "department": "05", "municipality": "05001", "decentralized": "true",
        "order": "Territorial", "branch": "Ejecutivo", "sector": "Servicio Público",
        "entity_type": "Municipio (Alcaldía)", "account_address": "Calle 10 # 20-30",
        "account_phone": "6041234567", "notification_email": "instituto@prueba.gov.co", "action": "continuar",
    }  # fmt: skip
    refused = actions.post(nxt, {**general, "parent_account_id": "GOBERNACION QUE NO EXISTE"})
    assert refused.status_code == 422
    assert errors_in(refused.get_data(as_text=True)) == [
        "Entidad Estatal de la que depende: Seleccione una Entidad registrada en el Directorio."
    ]
    label = f"gobernacion de prueba (NIT {parent_nit(app, parent)})"  # typed in any case
    response = actions.post(nxt, {**general, "parent_account_id": label})
    assert response.status_code == 302, errors_in(response.get_data(as_text=True))
    runner = app.extensions["runner"]
    data = [runner.instance(row.id).data for row in runner.list_instances().rows]
    assert [d["parent_account_id"] for d in data if "parent_account_id" in d] == [parent]


def parent_nit(app, account_id):
    from engine.domain.models import Account
    from webui.core.extensions import db

    with app.app_context():
        row = db.session.get(Account, account_id)
        return f"{row.nit}-{row.nit_check_digit}"


def test_tipo_de_entidad_follows_orden_without_javascript(actions, client):
    """Issue 13.5: Sector shows capitalised labels over SECOP's values; Tipo de Entidad lists
    only the types of the chosen Orden, and a type of another Orden is refused on submit."""
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    general = actions.reach_general_information("MINISTERIO DE PRUEBA")
    page = client.get(general).get_data(as_text=True)
    assert '<option value="agricultura">Agricultura</option>' in page
    assert '<option value="interior">Interior</option>' in page
    assert 'data-depends-on="order"' in page
    # no Orden yet: every type, labelled with the Orden it belongs to
    assert ">Ministerio (Nacional)</option>" in page
    assert ">Municipio (Alcaldía) (Territorial)</option>" in page
    response = actions.post(general, {"order": "Territorial", "entity_type": "Ministerio"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        "Tipo de Entidad: El tipo de Entidad no corresponde al orden seleccionado: elija uno de la lista de "
        "ese orden." in errors_in(html)
    )
    select = html.split('id="campo-entity_type"', 1)[1].split("</select>")[0]
    types = re.findall(r'<option value="([^"]*)"', select)
    assert "Municipio (Alcaldía)" in types and "Ministerio" not in types
    assert "Corporación Autónoma Regional" not in types


def test_correction_page_names_the_files_people_uploaded(actions, client, world):
    """Issue 13.4: "Documento anexado: acto_estructura.pdf", never a document id."""
    world.user("agente1", roles=("mesa_servicio",))
    actions.correction_requested("agente1")
    actions.login("ana.perez")
    correction = actions.tasks("/tareas/")[0]
    page = client.get(correction).get_data(as_text=True)
    assert "<h1>Corregir documentos</h1>" in page
    assert "Documento anexado: acto_estructura.pdf" in page and "Documento anexado: rut.pdf" in page
    assert not re.search(r"Documento anexado: [^<]*[0-9a-f]{8}-[0-9a-f]{4}-", page)

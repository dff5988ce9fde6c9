"""Issue 13, the information people need (points 1, 2, 3, 10, 14, 15), walked in chromium
across roles: the registrant, the entity's administrator, the Mesa de Servicio.

What came before each walk is prepared through the procedures themselves (the test client,
tests/webui/helpers.py); chromium does the part under test, with selectors by visible labels
and text; every page is checked with axe-core (any violation fails) at 390 px and 1280 px,
screenshots in tests/artifacts/.
"""

from __future__ import annotations

import re

from tests.browser.test_guide_walks import Walk
from tests.browser.test_guide_walks import registered_entity_with_case
from tests.browser.test_guide_walks import release
from tests.browser.test_guide_walks import seed

ENTITY = "ALCALDIA DE PRUEBA"


def ask_for_access_from_mis_registros(j: Walk, query: str = ENTITY):
    """Configuraciones del usuario → Mis registros → Nuevo registro → Buscar."""
    j.link("Configuraciones del usuario")
    j.link("Mis registros")
    j.click("Nuevo registro")
    assert j.h1() == "Buscar cuenta"
    j.fill("Nombre completo de la cuenta o NIT (obligatorio)", query)
    j.click("Buscar")


def requester_with_admin(actions, world):
    """An active ALCALDIA DE PRUEBA with its administrator, and Ana Pérez registered (she
    asks for access later, from "Mis registros", not while registering)."""
    admin = world.user("admin.alcaldia")
    account = world.account(ENTITY, admin=admin)
    actions.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    return account


# --------------------------------------------------------------------------- 1 and 10


def test_review_shows_who_asks_and_a_second_request_ends_cleanly(page, live_server, tmp_path, artifacts_dir):
    """13.1: the administrator's review names the requester (full name, document, email) for a
    request made from "Mis registros". 13.10: asking again while one is pending is refused in
    words, and no "Buscar cuenta" or "Solicitar acceso" task is left behind."""
    config, app, actions, world = seed(tmp_path)
    requester_with_admin(actions, world)
    with app.app_context():
        from engine.domain.models import User
        from webui.core.extensions import db

        ana = db.session.query(User).filter_by(username="ana.perez").one()
        document = f"{ana.document_type} {ana.document_number}"
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "i01")

    j.login("ana.perez")
    ask_for_access_from_mis_registros(j)
    assert j.h1() == "Solicitar acceso"
    assert f"Cuenta encontrada: {ENTITY}" in page.locator(".instructions").inner_text()
    j.both_widths("solicitar")
    j.click("Solicitar")
    assert "Esperando aprobación" in j.flash()

    ask_for_access_from_mis_registros(j)  # the same account again
    notice = j.flash()
    assert f"Ya tiene una solicitud de acceso pendiente para la cuenta {ENTITY}: no se creó otra." in notice
    assert "Mis registros" in notice
    j.both_widths("segunda-solicitud")
    j.goto("/tareas/")
    inbox = page.locator("main").inner_text()
    assert "Buscar cuenta" not in inbox and "Solicitar acceso" not in inbox
    j.goto("/usuario/registros")
    assert page.locator("table tbody tr").count() == 1  # one request, still Pendiente
    assert "Pendiente" in page.locator("table").inner_text()
    j.logout()

    j.login("admin.alcaldia")
    j.open_task("Revisar solicitud de acceso")
    instructions = page.locator(".instructions").inner_text()
    assert instructions.startswith(
        f"Ana Pérez ({document}, ana.perez@alcaldia.gov.co) solicita acceso a la cuenta {ENTITY}."
    ), instructions
    assert "()" not in instructions
    j.both_widths("revisar-solicitud")
    j.done()


def request_access(actions, username: str, entity: str = ENTITY):
    """``username`` asks for access to ``entity`` from Mis registros (through the test client)."""
    actions.login(username)
    search = actions.client.post("/tareas/iniciar/solicitud_acceso").headers["Location"]
    found = actions.post(search, {"entity_name": entity})
    actions.post(found.headers["Location"], {})  # "Solicitar"
    actions.logout()


# --------------------------------------------------------------------------- 2


def test_a_rejection_says_why_by_email_and_in_mis_registros(page, live_server, tmp_path, artifacts_dir):
    """13.2: rejecting asks for the reason; the requester reads it in the email and in
    "Mis registros"."""
    config, app, actions, world = seed(tmp_path)
    requester_with_admin(actions, world)
    request_access(actions, "ana.perez")
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "i02")
    reason = "Usted no figura en la planta de personal; pida al área de talento humano su vinculación."

    j.login("admin.alcaldia")
    j.open_task("Revisar solicitud de acceso")
    page.get_by_label("Rechazar", exact=True).check()
    j.click("Guardar decisión")
    summary = page.locator("#resumen-errores").inner_text()
    why = "Escriba el motivo del rechazo: el usuario lo recibirá por correo y lo verá en «Mis registros»."
    assert why in summary
    j.both_widths("rechazo-sin-motivo")
    j.fill("Motivo u observaciones", reason)
    j.click("Guardar decisión")
    assert "La decisión quedó registrada y el usuario recibirá un correo." in j.flash()
    j.logout()

    j.login("ana.perez")
    j.link("Configuraciones del usuario")
    j.link("Mis registros")
    row = page.locator("table tbody tr", has_text=ENTITY)
    assert "Rechazado" in row.inner_text() and reason in row.inner_text()
    j.both_widths("mis-registros-rechazado")
    j.link("Correo (desarrollo)")
    j.link(f"SECOP II – Su solicitud de acceso a {ENTITY} fue rechazada")
    mail = page.locator("pre.mail").inner_text()
    assert "ana.perez@alcaldia.gov.co" in page.locator("main").inner_text()
    assert f"Motivo: {reason}" in mail
    j.both_widths("correo-rechazo")
    j.done()


# --------------------------------------------------------------------------- 3


def test_case_number_on_the_escritorio_and_searched_on_the_desk(page, live_server, tmp_path, artifacts_dir):
    """13.3: the administrator finds the CASO-… number again on the start page while the
    account waits, and on the Escritorio once active, each time with the case's state; the
    Mesa de Servicio searches it (or the Entidad's name or NIT) on the desk."""
    config, app, actions, world = seed(tmp_path)
    registered_entity_with_case(actions)
    other = world.user("otra.admin")
    world.account("GOBERNACION DE OTRA PARTE", state="Pendiente de activación", admin=other)
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "i03")

    j.login("ana.perez")
    cases = page.locator("section", has=page.get_by_role("heading", name="Casos con la Mesa de Servicio"))
    row = cases.locator("tbody tr")
    assert row.count() == 1
    number = re.search(r"CASO-\d{4}-\d{6}", row.inner_text()).group(0)
    assert "Activación de cuenta" in row.inner_text() and "Abierto" in row.inner_text()
    j.both_widths("inicio-con-caso")
    j.logout()

    j.login("agente.mesa")
    assert j.h1() == "Mesa de Servicio"
    for typed in (number, number.lower(), "800197268-1", "alcaldia de prueba"):
        j.fill("Número de caso, Entidad o NIT", typed)
        j.click("Filtrar")
        shown = page.locator("table tbody tr")
        assert shown.count() == 1 and number in shown.inner_text(), typed
    j.both_widths("mesa-busca-caso")
    j.fill("Número de caso, Entidad o NIT", "CASO-2000-999999")
    j.click("Filtrar")
    assert "No hay casos con estos filtros." in page.locator("main").inner_text()
    j.fill("Número de caso, Entidad o NIT", number)
    j.click("Filtrar")
    j.link(number)
    assert j.h1() == f"Caso {number}"
    j.link("Validar documentos y solicitud")
    page.get_by_label("Activar la cuenta").check()
    j.click("Registrar decisión")
    j.logout()

    j.login("ana.perez")
    assert j.h1() == "Escritorio"
    row = page.locator("section", has=page.get_by_role("heading", name="Casos con la Mesa de Servicio"))
    assert number in row.inner_text() and "Resuelto" in row.inner_text()
    j.both_widths("escritorio-con-caso")
    j.done()


# --------------------------------------------------------------------------- 14


def test_mesa_files_an_activation_request_by_phone(page, live_server, tmp_path, artifacts_dir):
    """13.14 (§7, by phone): an agent files the activation request for a caller from the desk;
    the case gets its number and follows the entity's path: the correction reaches the
    entity's administrator, the case shows on her page with its state."""
    config, app, actions, world = seed(tmp_path)
    actions.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    actions.login("ana.perez")
    actions.register_entity()  # registered, "Pendiente de activación"; no request sent yet
    actions.logout()
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "i14")

    j.login("agente.mesa")
    j.click("Registrar solicitud telefónica")
    assert j.h1() == "Registrar solicitud telefónica"
    j.field("Cuenta de la Entidad Estatal (obligatorio)").select_option(label=f"{ENTITY} (NIT 800197268-4)")
    j.select("Departamento", "05")  # then its municipalities, filled in by the page
    page.wait_for_function("() => document.querySelectorAll('#campo-municipality option').length < 200")
    told_by_the_caller = {
        "Nombres": "Ana", "Apellidos": "Pérez", "Número de documento": "52123456",
        "Nombre de la Entidad Estatal": ENTITY, "Correo electrónico": "ana.perez@alcaldia.gov.co",
        "Teléfono y celular": "3001234567",
        "Descripción": "Llamó para pedir la activación de la cuenta de la Entidad.",
    }  # fmt: skip
    for label, value in told_by_the_caller.items():
        j.fill(label, value)
    j.select("Municipio", "05001")
    j.both_widths("registrar-llamada")
    j.click("Registrar solicitud")
    flash = j.flash()
    number = re.search(r"CASO-\d{4}-\d{6}", flash).group(0)
    assert f"La solicitud telefónica quedó registrada con el número de caso {number}" in flash
    assert j.h1() == "Validar documentos y solicitud"  # the same next step as the entity's request
    assert f"Caso {number} — cuenta {ENTITY}" in page.locator(".instructions").inner_text()
    j.both_widths("validar-tras-llamada")
    page.get_by_label("Solicitar a la Entidad corregir documentos").check()
    j.fill("Motivo (obligatorio)", "El RUT no es legible.")
    j.click("Registrar decisión")
    assert j.h1() == "Mesa de Servicio"
    j.fill("Número de caso, Entidad o NIT", number)
    j.click("Filtrar")
    row = page.locator("table tbody tr")
    assert row.count() == 1 and "En corrección" in row.inner_text()
    j.link(number)
    assert "Llamó para pedir la activación de la cuenta de la Entidad." in page.locator("main").inner_text()
    j.both_widths("caso-telefonico")
    j.goto("/mesa/")
    j.click("Registrar solicitud telefónica")  # the account has its case now: not offered again
    offered = j.field("Cuenta de la Entidad Estatal (obligatorio)").locator("option").all_inner_texts()
    assert not any(ENTITY in text for text in offered)
    j.logout()

    j.login("ana.perez")
    cases = page.locator("section", has=page.get_by_role("heading", name="Casos con la Mesa de Servicio"))
    assert number in cases.inner_text() and "En corrección" in cases.inner_text()
    j.open_task("Corregir documentos")
    assert f"La Mesa de Servicio pidió corregir documentos del caso {number}." in page.locator(
        ".instructions"
    ).inner_text()
    j.both_widths("corregir-tras-llamada")
    j.done()


# --------------------------------------------------------------------------- 15


def in_her_settings(page, live_server, tmp_path, artifacts_dir, prefix: str, section: str) -> Walk:
    """ana.perez, registered, logged in, on "Configuraciones del usuario" → ``section``."""
    config, app, _actions, world = seed(tmp_path)
    world.user("ana.perez")
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, prefix)
    j.login("ana.perez")
    j.link("Configuraciones del usuario")
    j.link(section)
    return j


def test_credential_changes_are_told_by_email_and_errors_at_once(page, live_server, tmp_path, artifacts_dir):
    """13.15 (D2): a new password too weak and not confirmed is told both at once; a changed
    password and a changed username each reach the user's mailbox."""
    j = in_her_settings(page, live_server, tmp_path, artifacts_dir, "i15", "Accesos del usuario")
    j.fill("Contraseña actual", "Clave-segura-1")
    j.fill("Nueva contraseña", "corta")
    j.fill("Confirmar contraseña", "otra")
    j.click("Cambiar contraseña")
    summary = page.locator("#resumen-errores").inner_text()
    assert "Nueva contraseña: La contraseña debe tener por lo menos ocho (8) caracteres" in summary
    assert "Confirmar contraseña: La confirmación no coincide con la contraseña." in summary
    j.both_widths("contrasena-dos-errores")
    j.fill("Contraseña actual", "Clave-segura-1")
    j.fill("Nueva contraseña", "Otra-clave-3")
    j.fill("Confirmar contraseña", "Otra-clave-3")
    j.click("Cambiar contraseña")
    assert "Su contraseña fue actualizada." in j.flash()
    j.fill("Nuevo nombre de usuario", "ana.maria")
    j.click("Cambiar nombre de usuario")
    assert "Su nombre de usuario fue actualizado." in j.flash()
    j.link("Correo (desarrollo)")
    mailbox = page.locator("table").inner_text()
    assert "Cambió la contraseña de su registro" in mailbox
    assert "Cambió el nombre de usuario de su registro" in mailbox
    j.both_widths("correo-avisos")
    j.link("SECOP II – Cambió el nombre de usuario de su registro")
    mail = page.locator("pre.mail").inner_text()
    assert "Ahora es: ana.maria" in mail and "Si no fue usted, recupere su contraseña" in mail
    j.both_widths("correo-usuario-cambiado")
    j.done()


def test_a_new_email_is_confirmed_from_its_own_mailbox(page, live_server, tmp_path, artifacts_dir):
    """13.15 (D1): "Mis datos de usuario" → a new email → the link sent to it → "Confirmar
    correo"; until then the old address stays, and then it is told of the change."""
    j = in_her_settings(page, live_server, tmp_path, artifacts_dir, "i15-correo", "Mis datos de usuario")
    j.link("Editar")
    j.fill("Correo electrónico", "ana.nueva@alcaldia.gov.co")
    j.fill("Contraseña actual", "Clave-segura-1")
    j.click("Guardar")
    flashes = j.flash()
    assert "Le enviamos un enlace a ana.nueva@alcaldia.gov.co" in flashes
    assert "Hasta entonces sigue siendo ana.perez@example.gov.co." in flashes
    assert "ana.perez@example.gov.co" in page.locator("dl").inner_text()
    j.both_widths("correo-por-confirmar")
    j.link("Correo (desarrollo)")
    j.link("SECOP II – Confirme su nuevo correo electrónico")
    assert "ana.nueva@alcaldia.gov.co" in page.locator("main").inner_text()
    page.locator("pre.mail a").first.click()
    page.wait_for_load_state("load")
    assert j.h1() == "Confirmar correo electrónico"
    j.both_widths("confirmar-correo")
    j.click("Confirmar correo")
    assert "Listo: su correo electrónico ahora es ana.nueva@alcaldia.gov.co." in j.flash()
    assert "ana.nueva@alcaldia.gov.co" in page.locator("dl").inner_text()
    j.link("Correo (desarrollo)")
    told = page.locator("tr", has_text="Cambió el correo electrónico de su registro")
    assert "ana.perez@example.gov.co" in told.inner_text()
    j.both_widths("correo-cambiado")
    j.done()

"""Issue 13, walked as public servants would (points 4, 5, 11, 12, 13, 16, 17).

Each walk prepares what came before it through the procedures themselves (the test client
drives registration and requests, tests/webui/helpers.py), then a real chromium does the
part under test, with selectors by visible labels and text. Every page visited is checked
with axe-core, and any violation fails, whatever its impact; screenshots at 390 px (a
phone) and 1280 px land in tests/artifacts/.
"""

from __future__ import annotations

import json
import re

from tests.browser.test_journeys import Journey
from tests.browser.test_journeys import prepare
from tests.webui.helpers import Actions
from tests.webui.helpers import World

PHONE, DESKTOP = 390, 1280
FORMATS_URL = "https://www.colombiacompra.gov.co/secop-ii/formatos-para-compradores-y-proveedores-del-secop-ii"
TERMS_URL = "https://www.colombiacompra.gov.co/secop/terminos-y-condiciones"


class Walk(Journey):
    """A Journey where every axe-core violation counts, seen at a phone's and a desk's width."""

    def __init__(self, page, base_url, artifacts, prefix):
        super().__init__(page, base_url, artifacts, prefix)
        self.impacts = None

    def h1(self) -> str:
        return self.page.locator("h1").inner_text()

    def both_widths(self, name: str):
        """Screenshot and axe at 390 px (no sideways scrolling allowed) and at 1280 px."""
        self.page.set_viewport_size({"width": PHONE, "height": 844})
        overflow = self.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{self.page.url} scrolls sideways by {overflow}px at {PHONE}px"
        self.step(f"{name}-{PHONE}")
        self.page.set_viewport_size({"width": DESKTOP, "height": 900})
        self.step(name)

    def flash(self) -> str:
        return self.page.locator(".flashes").inner_text()

    def done(self):
        assert not self.violations, json.dumps(self.violations, indent=2, ensure_ascii=False)


def seed(tmp_path):
    """The database of prepare() and an app on it whose test client drives the procedures."""
    import webui

    config = prepare(tmp_path)
    app = webui.create_app({**config, "WTF_CSRF_ENABLED": False, "BASE_URL": "http://localhost"})
    return config, app, Actions(app, app.test_client()), World(app)


def release(app):
    """Let the live server have the SQLite file to itself."""
    from webui.core.extensions import db

    with app.app_context():
        db.engine.dispose()


def registered_entity_with_case(actions):
    """ana.perez registered ALCALDIA DE PRUEBA and asked the Mesa de Servicio to activate it."""
    actions.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    actions.login("ana.perez")
    actions.request_activation(actions.register_entity())
    actions.logout()


def general_information_task(actions) -> str:
    """ana.perez, past "Validar" and the first part: the URL of "Información general"."""
    actions.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    actions.login("ana.perez")
    general = actions.reach_general_information()
    actions.logout()
    return general


# --------------------------------------------------------------------------- 12 and 13


def test_one_account_no_chooser_two_accounts_choose(page, live_server, tmp_path, artifacts_dir):
    """13.12: "Seleccione la cuenta" only for a user with two or more accounts."""
    config, app, _actions, world = seed(tmp_path)
    solo, doble = world.user("solo.admin"), world.user("doble.usuaria")
    world.account("GOBERNACION DE PRUEBA", admin=solo)
    world.account("ENTIDAD UNO", admin=doble)
    world.account("ENTIDAD DOS", members=[(doble, "Comprador")])
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w12")
    j.login("solo.admin")
    assert j.h1() == "Escritorio" and "GOBERNACION DE PRUEBA" in page.locator("main").inner_text()
    j.both_widths("una-cuenta-escritorio")
    j.logout()
    j.login("doble.usuaria")
    assert j.h1() == "Seleccione la cuenta"
    j.both_widths("dos-cuentas-elegir")
    page.get_by_label(re.compile("^ENTIDAD DOS")).check()
    j.click("Continuar")
    assert j.h1() == "Escritorio" and "ENTIDAD DOS" in page.locator("main").inner_text()
    j.done()


def test_mesa_lands_on_its_desk_and_own_tasks_are_not_taken(page, live_server, tmp_path, artifacts_dir):
    """13.13: the agent lands on the desk after "Entrar" and after each decision; the
    administrator's own task has no "Tomar tarea". 13.4: file names on the case page and on
    the correction task. 13.16: the reason is quoted, no "actualizado.. Anexe"."""
    config, app, actions, _world = seed(tmp_path)
    registered_entity_with_case(actions)
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w13")

    j.login("agente.mesa")
    assert page.url.endswith("/mesa/") and j.h1() == "Mesa de Servicio"
    assert "Su usuario aún no hace parte de una cuenta" not in page.content()
    j.both_widths("mesa-al-entrar")
    case_number = re.search(r"CASO-\d{4}-\d{6}", page.locator("table").inner_text()).group(0)
    j.link(case_number)
    documents = page.locator("table", has_text="Archivo").inner_text()
    assert "acto_estructura.pdf" in documents and "rut.pdf" in documents
    j.both_widths("mesa-caso")
    j.link("Mesa de Servicio")
    j.open_task("Validar documentos y solicitud")
    assert page.get_by_role("button", name="Tomar tarea").is_visible()  # a queue of the Mesa
    page.get_by_label("Solicitar a la Entidad corregir documentos").check()
    j.fill("Motivo (obligatorio)", "El RUT no está actualizado.")
    j.click("Registrar decisión")
    assert page.url.endswith("/mesa/") and j.h1() == "Mesa de Servicio"
    assert f"La decisión quedó registrada en el caso {case_number}." in j.flash()
    j.both_widths("mesa-tras-decidir")
    j.logout()

    j.login("ana.perez")  # her only account, pending activation: no chooser
    assert j.h1() == "Bienvenido, Ana Pérez"
    j.open_task("Corregir documentos")
    assert page.get_by_role("button", name="Tomar tarea").count() == 0
    instructions = page.locator(".instructions").inner_text()
    assert "Motivo: «El RUT no está actualizado.» Anexe los documentos corregidos." in instructions
    attached = page.locator(".document-ok").all_inner_texts()
    assert "Documento anexado: acto_estructura.pdf" in attached and "Documento anexado: rut.pdf" in attached
    assert not any(re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text) for text in attached)
    j.both_widths("corregir-documentos")
    j.link("Bandeja de tareas")
    assert page.get_by_role("button", name=re.compile("^Tomar")).count() == 0
    j.both_widths("bandeja-propia")
    j.done()


# --------------------------------------------------------------------------- 4


def test_directorio_and_escritorio_name_places_and_files(page, live_server, tmp_path, artifacts_dir):
    """13.4: "ANTIOQUIA" and "MEDELLÍN", not "05 / 05001"; the files by the names uploaded."""
    config, app, _actions, world = seed(tmp_path)
    admin, other = world.user("admin.uno"), world.user("admin.dos")
    account = world.account("ENTIDAD UNO", admin=admin)
    world.account("ENTIDAD DOS", admin=other)
    world.document(account, uploaded_by=admin)
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w04")
    j.login("admin.uno")
    assert j.h1() == "Escritorio"
    desk = page.locator("main").inner_text()
    assert "MEDELLÍN, ANTIOQUIA" in desk and "rut.pdf" in desk
    j.both_widths("escritorio")
    j.logout()
    j.login("admin.dos")
    j.link("Directorio")
    assert "MEDELLÍN (ANTIOQUIA)" in page.locator("table").inner_text()
    j.both_widths("directorio")
    j.link("ENTIDAD UNO")
    entry = page.locator("main").inner_text()
    assert "ANTIOQUIA" in entry and "MEDELLÍN" in entry and "05 / 05001" not in entry
    assert page.get_by_role("link", name="rut.pdf").is_visible()
    j.both_widths("directorio-entidad")
    j.done()


# --------------------------------------------------------------------------- 5


def test_sector_labels_and_tipo_de_entidad_by_orden(
    page, chromium_browser, live_server, tmp_path, artifacts_dir
):
    """13.5: "Agricultura" shown for SECOP's "agricultura"; Tipo de Entidad follows Orden in
    the page, and without JavaScript the server narrows and refuses the same way."""
    config, app, actions, _world = seed(tmp_path)
    general = general_information_task(actions)
    release(app)
    base = live_server(config)
    j = Walk(page, base, artifacts_dir, "w05")
    j.login("ana.perez")
    j.goto(general)
    assert j.h1() == "Información general"
    sector = j.field("Sector")
    assert sector.locator("option", has_text="Agricultura").get_attribute("value") == "agricultura"
    lower = re.compile("^(agricultura|defensa|deportes|interior)$")
    assert sector.locator("option", has_text=lower).count() == 0
    j.select("Sector", "agricultura")
    kinds = j.field("Tipo de Entidad")
    j.select("Orden", "Nacional")
    page.wait_for_function(
        "() => ![...document.querySelectorAll('#campo-entity_type option')]"
        ".some(o => o.value === 'Municipio (Alcaldía)')"
    )
    offered = kinds.locator("option").all_inner_texts()
    assert "Ministerio" in offered and "Departamento Administrativo" in offered
    assert "Municipio (Alcaldía)" not in offered and "Corporación Autónoma Regional" not in offered
    j.select("Orden", "Corporación Autónoma")
    page.wait_for_function("() => document.querySelectorAll('#campo-entity_type option').length === 2")
    assert kinds.locator("option").all_inner_texts()[1:] == ["Corporación Autónoma Regional"]
    j.both_widths("tipo-segun-orden")

    context = chromium_browser.new_context(locale="es-CO", java_script_enabled=False)
    try:
        plain = Walk(context.new_page(), base, artifacts_dir, "w05-sin-js")
        plain.axe = False
        plain.login("ana.perez")
        plain.goto(general)
        plain.select("Orden", "Territorial")
        plain.page.get_by_label(re.compile("^Tipo de Entidad")).select_option(label="Ministerio (Nacional)")
        plain.click("Continuar")
        summary = plain.page.locator("#resumen-errores").inner_text()
        assert "El tipo de Entidad no corresponde al orden seleccionado" in summary
        offered = plain.field("Tipo de Entidad").locator("option").all_inner_texts()
        assert "Municipio (Alcaldía)" in offered and "Ministerio" not in offered
        plain.step("tipo-rechazado")
    finally:
        context.close()
    j.done()


# --------------------------------------------------------------------------- 11


def test_dates_in_the_users_zona_horaria(page, live_server, tmp_path, artifacts_dir):
    """13.11: 22:14 in Bogotá is shown as 22:14 to a Bogotá user, 04:14 to a Madrid user."""
    import datetime as dt

    from engine.domain import models as m
    from webui.core.extensions import db

    config, app, _actions, world = seed(tmp_path)
    account = world.account("ENTIDAD UNO")
    at = dt.datetime(2026, 12, 1, 3, 14)  # UTC
    for username, zone in (("en.bogota", "(UTC-05:00) Bogotá, Lima, Quito"),
                           ("en.madrid", "(UTC+01:00) Madrid, París, Roma")):  # fmt: skip
        user_id = world.user(username)
        with app.app_context():
            db.session.get(m.User, user_id).time_zone = zone
            db.session.add(m.AccessRequest(user_id=user_id, account_id=account, created_at=at))
            db.session.commit()
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w11")
    for username, shown in (("en.bogota", "30/11/2026 22:14"), ("en.madrid", "01/12/2026 04:14")):
        j.login(username)
        j.link("Configuraciones del usuario")
        j.link("Mis registros")
        assert shown in page.locator("table").inner_text()
        j.both_widths(f"mis-registros-{username}")
        j.logout()
    j.done()


# --------------------------------------------------------------------------- 16


def test_required_documents_with_official_formats(page, live_server, tmp_path, artifacts_dir):
    """13.16 (E1): the documents of §5 as a list with the official formats; the terms of use
    as a link; no "(Guía §5.2)" anywhere a person reads."""
    config, app, actions, _world = seed(tmp_path)
    actions.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w16")
    j.goto("/")
    j.click("Registro")
    terms = page.get_by_role("link", name=re.compile("términos y condiciones de uso del SECOP II"))
    assert terms.get_attribute("href") == TERMS_URL
    assert "https://" not in page.locator("main").inner_text()  # links, not addresses to copy
    j.both_widths("registro-terminos")

    j.login("ana.perez")
    heading = page.get_by_role("heading", name="Registrar cuenta de Entidad Estatal")
    card = page.locator("section", has=heading)
    items = card.locator("ol li").all_inner_texts()
    assert len(items) == 5 and items[3] == "Registro Único Tributario (RUT) de la Entidad Estatal."
    assert {link.get_attribute("href") for link in card.get_by_role("link").all()} == {FORMATS_URL}
    j.both_widths("inicio-documentos")
    j.click("Registrar cuenta de Entidad Estatal")
    assert j.h1() == "Validar"
    assert page.locator(".instructions").get_by_role("link").get_attribute("href") == FORMATS_URL
    j.fill("Número de documento", "800197268")
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría", "ALCALDIA DE PRUEBA")
    j.click("Validar")
    j.click("Registrar")
    page.get_by_label("Público", exact=True).check()
    page.get_by_label("Otras Entidades públicas").check()
    j.click("Generar formulario")
    j.fill_general_information()
    j.click("Continuar")
    assert j.h1() == "Anexar documentos"
    formats = page.get_by_role("link", name=re.compile("formato oficial"))
    assert formats.count() == 2 and formats.first.get_attribute("href") == FORMATS_URL
    assert "Guía" not in page.locator("main").inner_text() and "§" not in page.content()
    j.both_widths("anexar-documentos")
    j.done()


# --------------------------------------------------------------------------- 17


def test_govco_bar_footer_phone_tables_and_spanish_dates(page, live_server, tmp_path, artifacts_dir):
    """13.17: GOV.CO top bar and footer with the ANCP-CCE; tables usable at 390 px with the
    action on screen; lang="es-CO"; date fields say their format."""
    config, app, actions, world = seed(tmp_path)
    long_name = "ENTIDAD CON NOMBRE MUY LARGO DE PRUEBA PARA PANTALLAS PEQUENAS"
    world.account(long_name)
    actions.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    actions.login("ana.perez")
    search = actions.client.post("/tareas/iniciar/solicitud_acceso").headers["Location"]
    found = actions.post(search, {"entity_name": long_name})
    actions.post(found.headers["Location"], {})  # "Solicitar": a pending request to cancel
    actions.logout()
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w17")
    j.goto("/")
    assert page.locator("html").get_attribute("lang") == "es-CO"
    govco = page.get_by_role("banner").get_by_role("link", name=re.compile("^GOV.CO"))
    assert govco.get_attribute("href") == "https://www.gov.co/"
    bar_colour = govco.evaluate("a => getComputedStyle(a.closest('.govco-bar')).backgroundColor")
    assert bar_colour == "rgb(51, 102, 204)"  # GOV.CO's #3366CC
    footer = page.get_by_role("contentinfo")
    text = footer.inner_text()
    assert "Agencia Nacional de Contratación Pública – Colombia Compra Eficiente (ANCP-CCE)" in text
    assert "Carrera 7 # 26 – 20" in text and "01 8000 520808" in text
    assert footer.get_by_role("link", name=re.compile("PQRSD")).is_visible()
    assert footer.get_by_role("link", name=re.compile("^GOV.CO")).get_attribute("href") == "https://www.gov.co/"
    j.both_widths("inicio-govco")

    j.login("ana.perez")
    j.goto("/usuario/registros")
    page.set_viewport_size({"width": PHONE, "height": 844})
    cancel = page.get_by_role("button", name=re.compile("^Cancelar"))
    box = cancel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, box
    j.both_widths("mis-registros")
    page.set_viewport_size({"width": PHONE, "height": 844})
    cancel.click()
    page.wait_for_load_state("load")
    assert "La solicitud quedó cancelada." in j.flash()
    j.goto("/tareas/")
    j.both_widths("bandeja")
    j.done()


def test_date_and_file_fields_speak_spanish(page, live_server, tmp_path, artifacts_dir):
    """13.17: a date field asks for "día/mes/año" and takes 15/03/2026 as typed (a native
    picker would speak the browser's language: mm/dd/yyyy in an English one); a file field
    offers the guide's "Buscar documentos" and names the file chosen."""
    import datetime as dt

    from engine.domain.checks import today_in_colombia

    config, app, actions, _world = seed(tmp_path)
    actions.correction_requested("agente.mesa", "Falta el certificado de existencia.")
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w17-fecha")
    j.login("ana.perez")
    j.open_task("Corregir documentos")
    certificate = page.get_by_label("Certificado de existencia y representación legal")
    picker = page.locator(".file-picker", has=certificate)
    assert picker.get_by_text("Buscar documentos").is_visible()
    assert picker.get_by_text("Ningún archivo seleccionado").is_visible()
    certificate.set_input_files(
        files=[{"name": "certificado.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    assert picker.get_by_text("certificado.pdf").is_visible()
    date = page.get_by_label(re.compile("^Fecha de expedición del certificado de existencia"))
    assert date.is_visible() and date.get_attribute("placeholder") == "dd/mm/aaaa"
    ids = date.get_attribute("aria-describedby").split()
    described = [page.locator(f"#{ident}").inner_text() for ident in ids]
    assert "Formato: día/mes/año (dd/mm/aaaa), por ejemplo 15/03/2026." in described
    issued = today_in_colombia() - dt.timedelta(days=10)
    date.fill(issued.strftime("%d/%m/%Y"))
    j.fill("Descripción de la corrección", "Anexo el certificado de existencia.")
    j.both_widths("fecha-y-archivo")
    j.click("Enviar corrección")
    assert "Los documentos corregidos fueron enviados a la Mesa de Servicio." in j.flash()
    j.done()


def test_every_table_fits_a_phone(page, live_server, tmp_path, artifacts_dir):
    """13.17: at 390 px no page scrolls sideways and no button of a table is off screen —
    whoever reads it: entity users, the Mesa de Servicio, analysts, operators, admins."""
    config, app, actions, world = seed(tmp_path)
    registered_entity_with_case(actions)
    staff = world.user("personal", roles=("analista", "operador", "admin", "mesa_servicio"))
    world.account("ENTIDAD DEL PERSONAL", admin=staff)
    other = world.account("OTRA ENTIDAD CON UN NOMBRE MUY LARGO PARA UNA PANTALLA PEQUENA")
    from engine.domain import models as m
    from webui.core.extensions import db

    with app.app_context():  # a pending request in "Mis registros", with its "Cancelar"
        db.session.add(m.AccessRequest(user_id=staff, account_id=other))
        db.session.commit()
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "w17-tablas")
    j.login("personal")
    pages = ["/cuenta/", "/tareas/", "/mesa/", "/mesa/casos/1", "/cuenta/directorio", "/usuario/registros",
             "/usuario/accesos", "/correo/", "/modelos/", "/instancias/", "/instancias/1",
             "/admin/roles"]  # fmt: skip
    for path in pages:
        j.goto(path)
        assert page.locator("main table").count(), path
        page.set_viewport_size({"width": PHONE, "height": 844})
        offscreen = page.evaluate(
            "() => [...document.querySelectorAll('main table button, main table .button')]"
            ".map(b => b.getBoundingClientRect())"
            ".filter(r => r.width && (r.left < 0 || r.right > innerWidth + 1)).length"
        )
        assert offscreen == 0, path
        j.both_widths(path.strip("/").replace("/", "-"))
    j.done()

"""The issue's acceptance journeys in a real browser against a real server.

(a) a new user registers, opens the development mailbox, activates, enters, registers an
    Entidad Estatal with its documents (one refused file, one refused field, corrected) and
    asks for activation; a Mesa de Servicio agent asks for a correction, the administrator
    replaces a document, the agent activates; the administrator sees the Escritorio.
(b) a second user registers and requests access to that entity; the administrator accepts
    as Comprador; the user sees "Aceptado" in Mis registros and, with that one account, lands
    on its Escritorio after "Entrar".

A screenshot per step lands in tests/artifacts/; axe-core runs on every visited page and no
serious or critical violation is allowed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "webui" / "static" / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "Clave-segura-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NIT = "800197268"
ENTITY = "ALCALDIA DE PRUEBA"


class Journey:
    """Screenshots and accessibility checks for every step of one browser journey."""

    def __init__(self, page, base_url, artifacts: Path, prefix: str):
        self.page, self.base, self.artifacts, self.prefix = page, base_url, artifacts, prefix
        self.step_no = 0
        self.violations: list[dict] = []
        self.axe = True  # axe-core needs JavaScript
        self.impacts = ("serious", "critical")  # None: every violation counts

    def goto(self, path: str):
        self.page.goto(self.base + path)

    def step(self, name: str):
        """Screenshot + axe-core on the current page."""
        self.step_no += 1
        self.page.wait_for_load_state("load")
        slug = f"{self.prefix}-{self.step_no:02d}-{name}"
        self.page.screenshot(path=str(self.artifacts / f"{slug}.png"), full_page=True)
        if self.axe and AXE.exists():
            # From the app's own static files: the CSP allows no inline script.
            self.page.add_script_tag(url=self.base + "/static/vendor/axe-core/axe.min.js")
            result = self.page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
            )
            for violation in result:
                if self.impacts is None or violation["impact"] in self.impacts:
                    self.violations.append({"step": slug, "url": self.page.url, **violation})

    def field(self, label: str):
        """The input labelled ``label`` (a mandatory field's label ends in " * (obligatorio)")."""
        base = label.removesuffix(" (obligatorio)")
        return self.page.get_by_label(re.compile("^" + re.escape(base) + r"( \*)?( \(obligatorio\))?$"))

    def fill(self, label: str, value: str):
        self.field(label).fill(value)

    def select(self, label: str, value: str):
        self.field(label).select_option(value)

    def click(self, name: str):
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state("load")

    def link(self, name: str):
        self.page.get_by_role("link", name=name).first.click()
        self.page.wait_for_load_state("load")

    def login(self, username: str, password: str = PASSWORD):
        self.goto("/entrar")
        self.fill("Nombre de usuario", username)
        self.fill("Contraseña", password)
        self.click("Entrar")

    def logout(self):
        self.click("Salir")

    def open_task(self, title: str):
        self.page.get_by_role("link", name=title).first.click()
        self.page.wait_for_load_state("load")
        assert self.page.locator("h1").inner_text() == title

    def fill_general_information(self, typed_name: str = ENTITY):
        """ "Información general" of a municipality of Antioquia (the lists that depend on
        another are waited for: municipalities on the department, types on the Orden)."""
        self.fill("Nombre de la Entidad Estatal (obligatorio)", typed_name)
        self.fill("Nombre Abreviado (obligatorio)", ENTITY)
        self.select("Departamento (obligatorio)", "05")
        self.page.wait_for_function(
            "() => document.querySelectorAll('#campo-municipality option').length > 10"
            " && document.querySelectorAll('#campo-municipality option').length < 200"
        )
        self.select("Municipio (obligatorio)", "05001")
        self.select("Orden (obligatorio)", "Territorial")
        types = "#campo-entity_type option"
        self.page.wait_for_function(f"() => document.querySelectorAll('{types}').length < 20")
        self.select("Rama (obligatorio)", "Ejecutivo")
        self.select("Sector (obligatorio)", "Servicio Público")
        self.select("Tipo de Entidad (obligatorio)", "Municipio (Alcaldía)")
        self.fill("Dirección (obligatorio)", "Calle 10 # 20-30")
        self.fill("Teléfono (obligatorio)", "6041234567")
        email = "contratacion@alcaldia.gov.co"
        self.fill("Correo electrónico para notificaciones SECOP II (obligatorio)", email)

    def fill_user_registration(self, username, email, names=("Ana", "Pérez"), document=None,
                               document_type="Cédula de ciudadanía"):  # fmt: skip
        """Fill "Registrar usuario" and press "Continuar"."""
        self.fill("Nombres (obligatorio)", names[0])
        self.fill("Apellidos (obligatorio)", names[1])
        self.select("Tipo de documento (obligatorio)", document_type)
        self.fill("Número de documento (obligatorio)", document or str(abs(hash(username)) % 10**9 + 10**6))
        self.fill("Correo electrónico (obligatorio)", email)
        self.fill("Teléfono (obligatorio)", "3001234567")
        self.fill("Nombre de usuario (obligatorio)", username)
        self.fill("Contraseña (obligatorio)", PASSWORD)
        self.fill("Confirmar contraseña (obligatorio)", PASSWORD)
        self.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría (obligatorio)", ENTITY)
        self.field("Acepto los términos y condiciones de uso del SECOP II").check()
        self.click("Continuar")

    def register_user(self, username: str, email: str, names=("Ana", "Pérez")):
        """Registro → Continuar → mailbox → activation link → Entrar."""
        self.goto("/")
        self.step("inicio")
        self.click("Registro")
        self.step("registrar-usuario")
        self.fill_user_registration(username, email, names)
        assert self.page.locator("h1").inner_text() == "Confirmar registro"
        self.step("confirmar-registro")
        self.link("Abrir el correo de desarrollo")
        self.step("correo")
        self.page.locator("tr", has_text=email).get_by_role("link").first.click()
        self.step("correo-activacion")
        body = self.page.locator("pre.mail").inner_text()
        assert username in body
        self.page.locator("pre.mail a").first.click()
        self.page.wait_for_load_state("load")
        assert self.field("Nombre de usuario").input_value() == username
        said = self.page.locator(".flashes").inner_text()  # registro_usuario's endMessage
        assert f"Su usuario {username} quedó activado" in said and "“Entrar”" in said
        self.step("entrar")
        self.fill("Contraseña", PASSWORD)
        self.click("Entrar")


def prepare(tmp_path) -> dict:
    """A database with the schema, the deployed diagrams and a Mesa de Servicio agent."""
    import webui
    from tests.webui.helpers import World

    config = {
        "TESTING": True,
        "SECRET_KEY": "journeys",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'journeys.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "dev",
    }
    app = webui.create_app(config)
    runner = app.extensions["runner"]
    runner.create_schema()
    runner.deploy()
    World(app).user("agente.mesa", roles=("mesa_servicio",))
    from webui.core.extensions import db

    with app.app_context():
        db.engine.dispose()
    return config


def test_journeys(page, live_server, tmp_path, artifacts_dir):
    base = live_server(prepare(tmp_path))
    pdf = tmp_path / "documento.pdf"
    pdf.write_bytes(PDF)
    exe = tmp_path / "rut.exe"
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00")
    rut = tmp_path / "rut-legible.pdf"
    rut.write_bytes(PDF)
    j = Journey(page, base, artifacts_dir, "a")

    # (a) ------------------------------------------------------------------ registration
    j.register_user("ana.perez", "ana.perez@alcaldia.gov.co")
    j.step("inicio-sin-cuenta")
    assert page.get_by_role("button", name="Registrar cuenta de Entidad Estatal").is_visible()
    assert page.get_by_role("button", name="Solicitud de acceso").count() == 0  # R1: after "Validar"
    assert page.get_by_role("heading", name="Crear o solicitar acceso a una Entidad").count() == 1
    j.click("Registrar cuenta de Entidad Estatal")
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría (obligatorio)", ENTITY)
    j.fill("Número de documento (obligatorio)", NIT)
    j.step("validar")
    j.click("Validar")
    assert page.locator("h1").inner_text() == "Registrar"  # §6: nothing found, "Registrar"
    j.step("registrar")
    j.click("Registrar")
    assert page.locator("h1").inner_text() == "Registrar – primera parte"
    page.get_by_label("¿Entidad registrada en el SIIF?").check()
    assert j.field("Código de unidad/subunidad ejecutora").is_visible()
    page.get_by_label("¿Entidad registrada en el SIIF?").uncheck()
    assert not j.field("Código de unidad/subunidad ejecutora").is_visible()
    page.get_by_label("Público", exact=True).check()
    page.get_by_label("Otras Entidades públicas").check()
    j.step("primera-parte")
    j.click("Generar formulario")

    # one refused field ...
    assert page.locator("h1").inner_text() == "Información general"
    j.fill_general_information("Alcaldía de prueba.")
    j.step("informacion-general")
    j.click("Continuar")
    summary = page.locator("#resumen-errores")
    assert summary.is_visible() and "Forma sugerida" in summary.inner_text()
    assert j.field("Dirección").input_value() == "Calle 10 # 20-30"  # kept
    j.step("campo-rechazado")
    j.fill("Nombre de la Entidad Estatal (obligatorio)", ENTITY)
    j.click("Continuar")

    # ... and one refused file
    assert page.locator("h1").inner_text() == "Anexar documentos"
    for label in (
        "Último acto de estructura y organización o Acta de creación (obligatorio)",
        "Acta de posesión del Ordenador del Gasto (obligatorio)",
        "Documento de autorización de usuario administrador (obligatorio)",
    ):
        j.field(label).set_input_files(str(pdf))
    j.field("Registro Único Tributario (RUT) de la Entidad").set_input_files(str(exe))
    j.step("anexar-documentos")
    j.click("Finalizar")
    page.wait_for_selector("#resumen-errores")
    assert ".exe" in page.locator("#resumen-errores").inner_text()
    assert page.locator(".document-ok").count() == 3  # the accepted files are kept
    j.step("archivo-rechazado")
    j.field("Registro Único Tributario (RUT) de la Entidad").set_input_files(str(pdf))
    j.click("Finalizar")
    page.wait_for_selector("h1:text('Solicitar activación a la Mesa de Servicio')")
    assert "Pendiente de activación" in page.locator(".flashes").inner_text()
    j.step("solicitar-activacion")

    # activation request (A1)
    j.fill("Nombres (obligatorio)", "Ana")
    j.fill("Apellidos (obligatorio)", "Pérez")
    j.fill("Número de documento (obligatorio)", "52123456")
    j.fill("Nombre de la Entidad Estatal (obligatorio)", ENTITY)
    j.select("Departamento (obligatorio)", "05")
    page.wait_for_function("() => document.querySelectorAll('#campo-municipality option').length < 200")
    j.select("Municipio (obligatorio)", "05001")
    j.fill("Correo electrónico (obligatorio)", "ana.perez@alcaldia.gov.co")
    j.fill("Teléfono y celular (obligatorio)", "3001234567")
    j.fill("Descripción (obligatorio)", "Solicito la activación de la cuenta de la Entidad Estatal.")
    j.click("Enviar")
    case_number = re.search(r"CASO-\d{4}-\d{6}", page.locator(".flashes").inner_text()).group(0)
    j.step("caso-creado")
    j.logout()

    # Mesa de Servicio asks for a correction
    j.login("agente.mesa")
    j.link("Mesa de Servicio")
    assert case_number in page.content()
    j.step("mesa-casos")
    j.open_task("Validar documentos y solicitud")
    page.get_by_label("Solicitar a la Entidad corregir documentos").check()
    j.fill("Motivo (obligatorio)", "El RUT no es legible; anéxelo de nuevo.")
    j.step("mesa-corregir")
    j.click("Registrar decisión")
    j.logout()

    # the administrator replaces the document
    j.login("ana.perez")  # one account: no chooser (issue 13.12)
    j.open_task("Corregir documentos")
    page.get_by_label("Registro Único Tributario (RUT) de la Entidad").set_input_files(str(rut))
    j.fill("Descripción de la corrección (obligatorio)", "Anexo el RUT legible.")
    j.step("corregir-documentos")
    j.click("Enviar corrección")
    page.wait_for_selector(".flashes")
    j.logout()

    # the agent activates
    j.login("agente.mesa")
    j.link("Mesa de Servicio")
    j.open_task("Validar documentos y solicitud")
    page.get_by_label("Activar la cuenta").check()
    j.click("Registrar decisión")
    j.goto("/mesa/casos/1")
    assert "rut-legible.pdf" in page.content() and "Solicitar corrección" in page.content()
    j.step("mesa-caso-decisiones")
    j.logout()

    # the administrator sees the Escritorio, at once: it is her only account
    j.login("ana.perez")
    assert page.locator("h1").inner_text() == "Escritorio"
    j.step("escritorio")
    j.logout()

    # (b) ------------------------------------------------------------------ access request
    j.prefix, j.step_no = "b", 0
    j.register_user("carlos.ruiz", "carlos.ruiz@alcaldia.gov.co", names=("Carlos", "Ruiz"))
    # section 3 (R1): "Validar" finds the account and offers "Solicitud de acceso"
    j.click("Registrar cuenta de Entidad Estatal")
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría (obligatorio)", ENTITY)
    j.fill("Número de documento (obligatorio)", NIT)
    j.step("validar")
    j.click("Validar")
    assert page.locator("h1").inner_text() == "Solicitud de acceso"
    j.step("solicitud-de-acceso")
    j.click("Solicitud de acceso")
    assert page.locator("h1").inner_text() == "Esperando aprobación"
    j.step("esperando-aprobacion")
    j.click("Finalizar")
    assert "Esperando aprobación" in page.locator(".flashes").inner_text()
    j.goto("/usuario/registros")
    assert "Pendiente" in page.locator("table").inner_text()
    j.step("mis-registros-pendiente")
    j.logout()

    j.login("ana.perez")
    j.open_task("Revisar solicitud de acceso")
    page.get_by_label("Aceptar", exact=True).check()
    page.get_by_label("Comprador", exact=True).check()
    page.get_by_label("Procesos de Contratación").check()
    j.step("revisar-solicitud")
    j.click("Guardar decisión")
    j.logout()

    j.login("carlos.ruiz")  # his one account: straight to its Escritorio
    assert page.locator("h1").inner_text() == "Escritorio"
    assert ENTITY in page.locator("main").inner_text()
    j.step("escritorio-comprador")
    j.goto("/usuario/registros")
    assert "Aceptado" in page.locator("table").inner_text()
    j.step("mis-registros-aceptado")

    # pages not on the way, checked too
    others = (
        ("/soporte-tecnico", "soporte"),
        ("/usuario/datos?editar=1", "mis-datos"),
        ("/usuario/accesos", "accesos"),
        ("/tareas/", "bandeja"),
        ("/cuenta/directorio", "directorio"),
        ("/cuenta/directorio/1", "directorio-entidad"),
    )
    for path, name in others:
        j.goto(path)
        j.step(name)

    (artifacts_dir / "axe-violations.json").write_text(json.dumps(j.violations, indent=2, ensure_ascii=False))
    assert not j.violations, json.dumps(j.violations, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("width", [375])
def test_phone_sized_screen(page, live_server, tmp_path, artifacts_dir, width):
    base = live_server(prepare(tmp_path))
    page.set_viewport_size({"width": width, "height": 800})
    j = Journey(page, base, artifacts_dir, "movil")
    j.goto("/")
    j.step("inicio")
    j.click("Registro")
    j.step("registro")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert not j.violations, j.violations


def test_forms_work_without_javascript(chromium_browser, live_server, tmp_path, artifacts_dir):
    """Without JS every conditional field is visible with its hint, and the form still posts."""
    base = live_server(prepare(tmp_path))
    context = chromium_browser.new_context(locale="es-CO", java_script_enabled=False)
    page = context.new_page()
    try:
        j = Journey(page, base, artifacts_dir, "sin-js")
        j.axe = False
        j.goto("/")
        j.click("Registro")
        j.click("Continuar")  # empty form: every error at once, server-side
        errors = page.locator("#resumen-errores li")
        assert errors.count() >= 10
        j.step("registro-errores")
        page.locator("#resumen-errores a").first.click()
        assert page.url.endswith("#campo-first_names")
        j.goto("/entrar")
        j.step("entrar")
    finally:
        context.close()
    assert not j.violations, j.violations

"""The analysts' workbench in chromium: the form editor builds a form with a required and a
conditional field, its preview is the inbox's, "Probar" asks the server's validator, and the
new form waits in the browser for the diagram that uses it. axe-core on every page."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.analyst.test_browser import journey
from tests.analyst.test_browser import served  # noqa: F401 — the fixture

EDITOR = "#editor-formulario[data-ready='true']"
# dmn-js's production bundle still carries Inferno's warning about development builds; it
# logs it as a console error on every page that loads the bundle. Nothing of ours.
INFERNO_WARNING = "It looks like you're using a minified copy of the development build of Inferno"


def our_errors(j) -> list[str]:
    return [e for e in j.page_errors if not e.startswith(INFERNO_WARNING)]


def add_field(page, name, label, kind, required=False, when=None):
    page.get_by_label("Nombre del campo (variable)").fill(name)
    page.get_by_label("Etiqueta", exact=True).fill(label)
    page.get_by_label("Tipo", exact=True).select_option(kind)
    page.get_by_label("Obligatorio", exact=True).set_checked(required)
    if when:
        page.get_by_label("Visible solo si el campo").select_option(when[0])
        page.get_by_label("tiene el valor").fill(when[1])
    page.get_by_role("button", name="Agregar el campo").click()
    page.locator("#lista-campos li", has_text=f"({name})").wait_for()


def build_revision_form(page, j):
    """A new form "revision": Motivo (required), ¿Es urgente? (sí/no) and Justificación,
    shown and required only when urgent. Returns once the browser keeps it for the modeler."""
    page.get_by_role("link", name="Nuevo formulario").click()
    page.wait_for_selector(EDITOR)
    page.get_by_label("Nombre del formulario").fill("revision")
    add_field(page, "motivo", "Motivo de la revisión", "text", required=True)
    add_field(page, "urgente", "¿Es urgente?", "boolean")
    add_field(page, "justificacion", "Justificación", "text", required=True, when=("urgente", "sí"))
    preview = page.locator("#vista-previa")
    preview.get_by_label("Justificación").wait_for(state="attached")
    assert preview.get_by_label("Justificación").is_hidden()  # until "urgente" is ticked
    preview.get_by_label("¿Es urgente?").check()
    assert preview.get_by_label("Justificación").is_visible()
    page.get_by_role("button", name="Probar").click()
    result = page.locator("#resultado-prueba")
    result.filter(has_text="rechazó").wait_for()
    assert result.inner_text() == "El servidor rechazó los datos de prueba: 2 campos con error."
    assert preview.locator("#campo-motivo-error").inner_text().endswith("Este campo es obligatorio.")
    j.step("formulario-probado-con-errores")
    preview.get_by_label("Motivo de la revisión").fill("Cambio de datos")
    preview.get_by_label("Justificación").fill("Vence hoy")
    page.get_by_role("button", name="Probar").click()
    result.filter(has_text="aceptó").wait_for()
    assert '"justificacion":"Vence hoy"' in result.inner_text()
    page.get_by_role("button", name="Guardar para el modelador").click()
    page.locator("#estado-formulario").filter(has_text="Guardado en este navegador").wait_for()
    j.step("formulario-guardado")


def test_analyst_builds_a_form_and_tries_it(page, served, artifacts_dir):  # noqa: F811
    base, app, runner = served
    j = journey(page, base, artifacts_dir, "analyst-form-editor")
    j.login("ana.analista")
    j.goto("/modelos/registro_usuario")
    j.link("Formularios")
    j.step("formularios")
    build_revision_form(page, j)
    kept = page.evaluate("() => localStorage.getItem('secop-formularios:registro_usuario')")
    schema = json.loads(kept)["revision"]["schema"]
    assert schema["required"] == ["motivo"]
    assert schema["allOf"][0]["then"]["required"] == ["justificacion"]
    assert schema["allOf"][0]["if"]["properties"] == {"urgente": {"const": True}}
    assert len(runner.versions("registro_usuario")) == 1  # nothing deployed yet

    # An existing form: edit a label, save, and the processes that use it get a version.
    j.goto("/modelos/registro_entidad/formularios/editor?nombre=validar_entidad")
    page.wait_for_selector(EDITOR)
    second = page.context.new_page()  # a second analyst's editor, opened before the first save
    second.goto(page.url)
    second.wait_for_selector(EDITOR)
    page.locator("#lista-campos li", has_text="(nit)").get_by_role("button", name="Editar").click()
    page.get_by_label("Etiqueta", exact=True).fill("NIT de la Entidad")
    page.get_by_role("button", name="Aplicar los cambios").click()
    page.locator("#vista-previa").get_by_label("NIT de la Entidad").wait_for()
    j.step("formulario-existente")
    page.get_by_role("button", name="Guardar en el borrador").click()
    page.locator("#estado-formulario").filter(has_text="Borrador guardado (revisión 1)").wait_for()
    assert len(runner.versions("registro_entidad")) == 1  # in the draft, not live
    second.get_by_role("button", name="Guardar en el borrador").click()
    second.locator("#conflicto").wait_for(state="visible")  # refused, both changes shown
    assert "Otra persona guardó el borrador (revisión 1)" in second.locator("#conflicto-mensaje").inner_text()
    theirs = second.locator("#conflicto-de-ellos").inner_text()
    assert "archivo modificado: forms/validar_entidad-schema.json" in theirs
    assert runner.drafts.get("registro_entidad").revision == 1
    second.close()
    deploy_the_draft(page, j, "registro_entidad", "forms/validar_entidad-schema.json", "NIT de la Entidad",
                     "Se desplegó: registro_entidad versión 2")  # fmt: skip
    newest = runner.versions("registro_entidad")[0][0]
    assert json.loads(newest.files["forms/validar_entidad-schema.json"])["properties"]["nit"]["title"] == (
        "NIT de la Entidad"
    )
    assert j.page_errors == [] and j.violations == []


def deploy_the_draft(page, j, process_id: str, changed_file: str, changed_text: str, deployed: str):
    """The draft's page shows the saved file's diff; deploying it with a reason makes it live."""
    j.goto(f"/modelos/{process_id}/borrador")
    diff = page.locator(f'[data-archivo="{changed_file}"]').first  # each process that changes lists it
    assert changed_text in diff.inner_text()
    j.step("borrador-diferencias")
    j.fill("Qué cambia y por qué (obligatorio)", "Cambio probado en el editor")
    j.click("Desplegar")
    assert deployed in page.locator(".flashes").inner_text()


def edit_and_test_the_documents_table(page, j):
    """Open "documentos_requeridos", change a row's output in dmn-js, test a delegated
    Entidad (the delegation row matches), save it in the draft, then deploy the draft."""
    page.get_by_role("link", name="documentos_requeridos.dmn").click()
    page.wait_for_selector("#editor-decision[data-ready='true']")
    assert page.locator("#tabla-dmn").get_by_text("Entonces", exact=True).count() == 1  # dmn-js in Spanish
    cell = page.locator('[data-element-id="regla_acto_delegacion_salida"]')
    cell.click()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.type('_firmado"')
    page.get_by_label("¿El Ordenador del Gasto actúa por delegación? (delegated)").select_option("Sí")
    page.get_by_label("Área de negocio de la Entidad (business_area)").fill("Nacional")
    page.get_by_role("button", name="Probar", exact=True).click()
    page.locator("#resultado-salida").wait_for()
    assert "acto_delegacion_firmado" in page.locator("#resultado-salida").inner_text()
    assert page.locator("#filas-que-aplican li", has_text="delegación").count() >= 1
    assert page.locator(".fila-aplica").count() > 0
    j.step("tabla-probada")
    page.get_by_role("button", name="Guardar en el borrador").click()
    page.locator("#estado-tabla").filter(has_text="Borrador guardado (revisión 1)").wait_for()
    deploy_the_draft(page, j, "registro_entidad", "documentos_requeridos.dmn", "acto_delegacion_firmado",
                     "Se desplegó: registro_entidad versión 2.")  # fmt: skip


def test_analyst_edits_and_tests_a_decision_table(page, served, artifacts_dir):  # noqa: F811
    base, app, runner = served
    j = journey(page, base, artifacts_dir, "analyst-decision")
    j.login("ana.analista")
    j.goto("/modelos/registro_entidad")
    j.link("Tablas de decisión")
    j.step("tablas")
    edit_and_test_the_documents_table(page, j)
    newest = runner.versions("registro_entidad")[0][0]
    assert '"acto_delegacion_firmado"' in newest.files["documentos_requeridos.dmn"]
    assert len(runner.versions("activacion_cuenta")) == 1
    assert our_errors(j) == [] and j.violations == []


ADD_USER_TASK = """() => {
  const m = window.secopModeler;
  const modeling = m.get('modeling'), factory = m.get('elementFactory'), registry = m.get('elementRegistry');
  const task = modeling.createShape(factory.createShape({ type: 'bpmn:UserTask' }), { x: 1190, y: 330 },
                                    registry.get('Participant_registro_usuario'));
  modeling.updateProperties(task, { id: 'revision_final', name: 'Revisión final' });
  modeling.reconnectEnd(registry.get('f_activo'), task, { x: 1190, y: 330 });
  modeling.connect(task, registry.get('fin'));
  return task.id;
}"""
SELECT = """(id) => {
  const m = window.secopModeler;
  m.get('selection').select(m.get('elementRegistry').get(id));
}"""


def test_properties_panel_edits_what_the_engine_reads(page, served, artifacts_dir):  # noqa: F811
    base, app, runner = served
    j = journey(page, base, artifacts_dir, "analyst-panel")
    j.login("ana.analista")
    j.goto("/modelos/registro_usuario/modelador")
    page.wait_for_selector('[data-diagram="modeler"][data-ready="true"]')
    assert page.evaluate(ADD_USER_TASK) == "revision_final"
    page.evaluate(SELECT, "revision_final")
    panel = page.locator("#panel-propiedades")
    panel.get_by_label("Formulario").select_option("registrar_usuario")
    panel.get_by_label("Instrucciones para la persona").fill("Revise y confirme.")
    panel.get_by_label("Instrucciones para la persona").blur()
    j.step("tarea-de-usuario")
    # A service task: a wrong parameter name is flagged at once, before any save.
    page.evaluate(SELECT, "crear_usuario")
    assert panel.get_by_label("Función").input_value() == "create_user"
    panel.get_by_role("button", name="Agregar parámetro").click()
    panel.get_by_label("Nombre del parámetro").last.fill("apodo")
    flagged = panel.locator("#problemas-parametros")
    assert "parámetro desconocido 'apodo'" in flagged.inner_text()
    panel.get_by_label("Expresión del valor").last.fill("first_names")
    panel.get_by_label("Expresión del valor").last.blur()
    # ...and the engine's checker, asked as one edits, marks the element too.
    badge = page.locator('.djs-overlays[data-container-id="crear_usuario"] .problem-badge')
    badge.wait_for()
    # The badge may come from the check of the empty name just added: wait for the newest.
    expect(page.locator("#problemas-elemento")).to_contain_text("parámetro desconocido 'apodo'")
    j.step("parametro-equivocado")
    panel.get_by_role("button", name="Quitar el parámetro apodo").click()
    page.locator('.djs-overlays[data-container-id="crear_usuario"] .problem-badge').wait_for(state="detached")
    # A lane's role: the lane's rule travels with the draft as lanes.json.
    page.evaluate(SELECT, "Lane_Usuario")
    assert panel.get_by_label("Quién trabaja las tareas del carril").input_value() == "owner"
    xml = page.evaluate("() => window.secopModeler.saveXML().then(r => r.xml)")
    assert 'value="registrar_usuario-schema.json"' in xml and "Revise y confirme." in xml
    assert page.locator("#resumen-verificador").inner_text() == "El verificador no encontró problemas."
    # The procedure's metadata: the participant's process properties.
    page.evaluate(SELECT, "Participant_registro_usuario")
    panel.get_by_label("Texto del botón de inicio (startLabel)").fill("Registrarme")
    panel.get_by_label("Texto del botón de inicio (startLabel)").blur()
    j.step("procedimiento")
    xml = page.evaluate("() => window.secopModeler.saveXML().then(r => r.xml)")
    assert 'name="startLabel" value="Registrarme"' in xml
    assert our_errors(j) == [] and j.violations == []


ROUND_TRIP = """async (xml) => {
  const div = document.createElement('div');
  document.body.appendChild(div);
  const extensions = { spiffworkflow: window.SecopSpiffModdle };
  const m = new window.BpmnJS({ container: div, moddleExtensions: extensions });
  const result = await m.importXML(xml);
  const saved = (await m.saveXML({ format: true })).xml;
  m.destroy(); div.remove();
  return { warnings: result.warnings.map(w => w.message), xml: saved };
}"""


def test_every_diagram_keeps_its_spiffworkflow_extensions_in_the_modeler(page, served, artifacts_dir):  # noqa: F811
    """The descriptor types every spiffworkflow: element the diagrams use: a diagram opened and
    saved in the modeler keeps each one (same tags, same count) and still passes the checker."""
    import re

    from engine.diagrams import DiagramSet

    base, app, runner = served
    j = journey(page, base, artifacts_dir, "analyst-round-trip")
    j.login("ana.analista")
    j.goto("/modelos/registro_usuario/modelador")
    page.wait_for_selector('[data-diagram="modeler"][data-ready="true"]')
    deployed = runner.deployed_diagrams()
    saved = {}
    for name, data in deployed.bpmn_files().items():
        answer = page.evaluate(ROUND_TRIP, data.decode())
        assert answer["warnings"] == [], (name, answer["warnings"])
        tags = sorted(re.findall(r"<spiffworkflow:(\w+)", data.decode()))
        assert sorted(re.findall(r"<spiffworkflow:(\w+)", answer["xml"])) == tags, name
        saved[name] = answer["xml"].encode()
    assert runner.check(DiagramSet({**deployed.workflows, **saved}, deployed.forms)) == []

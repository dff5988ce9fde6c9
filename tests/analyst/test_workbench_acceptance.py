"""Issue 15's acceptance, in chromium and in the browser only: an analyst edits and tests the
required-documents decision table, builds a new form (a required field and a conditional one)
in the form editor, adds a user task in the modeler and gives it that form and its lane in
the properties panel, sees a wrong service parameter flagged before saving, saves the draft
and deploys it. A new registration then shows the new form, validated on the server; an
instance started before keeps its version. axe-core on every page."""

from __future__ import annotations

from engine import Actor
from tests.analyst.test_browser import journey
from tests.analyst.test_browser import served  # noqa: F401 — the fixture
from tests.analyst.test_workbench_browser import SELECT
from tests.analyst.test_workbench_browser import build_revision_form
from tests.analyst.test_workbench_browser import edit_and_test_the_documents_table
from tests.analyst.test_workbench_browser import our_errors
from tests.browser.test_journeys import Journey

ADD_REVIEW_TASK = """() => {
  const m = window.secopModeler;
  const modeling = m.get('modeling'), factory = m.get('elementFactory'), registry = m.get('elementRegistry');
  const flow = registry.get('f_registrado'), next = flow.target;
  const task = modeling.createShape(factory.createShape({ type: 'bpmn:UserTask' }), { x: 480, y: 320 },
                                    registry.get('Participant_registro_usuario'));
  modeling.updateProperties(task, { id: 'revisar_motivo', name: 'Motivo de la revisión' });
  modeling.reconnectEnd(flow, task, { x: 480, y: 320 });
  modeling.connect(task, next);
  return task.businessObject.lanes ? task.businessObject.lanes.map(l => l.id) : [];
}"""


def register_a_user(v: Journey):
    v.goto("/")
    v.click("Registro")
    v.fill_user_registration(
        "nora.diaz", "nora.diaz@example.gov.co", names=("Nora", "Díaz"), document="52999888"
    )


def test_analyst_changes_a_procedure_in_the_browser_only(page, served, artifacts_dir):  # noqa: F811
    base, app, runner = served
    old = runner.start("registro_usuario", Actor.anonymous())  # running before any change
    v1 = runner.versions("registro_usuario")[0][0]
    j = journey(page, base, artifacts_dir, "analyst-workbench")
    j.login("ana.analista")

    # 1. The required-documents table: edit a row, test it, deploy it.
    j.goto("/modelos/registro_entidad")
    j.link("Tablas de decisión")
    edit_and_test_the_documents_table(page, j)

    # 2. A new form with a required and a conditional field.
    j.goto("/modelos/registro_usuario")
    j.link("Formularios")
    build_revision_form(page, j)

    # 3. The modeler: a new user task, its form and lane in the panel; a service task's
    #    wrong parameter flagged before saving.
    j.goto("/modelos/registro_usuario/modelador")
    page.wait_for_selector('[data-diagram="modeler"][data-ready="true"]')
    assert page.evaluate(ADD_REVIEW_TASK) == ["Lane_Usuario"]
    page.evaluate(SELECT, "revisar_motivo")
    panel = page.locator("#panel-propiedades")
    panel.get_by_label("Formulario").select_option("revision")
    page.evaluate(SELECT, "Lane_Usuario")
    panel.get_by_label("Quién trabaja las tareas del carril").select_option("owner")
    page.evaluate(SELECT, "crear_usuario")
    panel.get_by_role("button", name="Agregar parámetro").click()
    panel.get_by_label("Nombre del parámetro").last.fill("apodo")
    assert "parámetro desconocido 'apodo'" in panel.locator("#problemas-parametros").inner_text()
    j.step("parametro-marcado")
    panel.get_by_role("button", name="Quitar el parámetro apodo").click()
    page.get_by_role("button", name="Guardar borrador").click()
    page.locator("#estado-modelador").filter(has_text="Borrador guardado").wait_for()
    assert page.locator("#problemas").is_hidden()
    j.step("borrador")

    # 4. Deploy the draft with a reason.
    j.link("Revisar y desplegar el borrador")
    j.fill("Qué cambia y por qué (obligatorio)", "Motivo de la revisión antes de crear el usuario")
    j.click("Desplegar")
    assert "Se desplegó: registro_usuario versión 2." in page.locator(".flashes").inner_text()
    j.step("desplegado")
    newest = runner.versions("registro_usuario")[0][0]
    assert "forms/revision-schema.json" in newest.files
    assert "revisar_motivo" in newest.files["registro_usuario.bpmn"]

    # 5. A new registration meets the new form; the server validates it.
    visitor = page.context.browser.new_context(locale="es-CO")
    v = Journey(visitor.new_page(), base, artifacts_dir, "analyst-workbench-persona")
    register_a_user(v)
    assert v.page.locator("h1").inner_text() == "Motivo de la revisión"
    v.step("formulario-nuevo")
    v.page.get_by_label("¿Es urgente?").check()
    v.click("Continuar")
    assert v.page.locator("h1").inner_text() == "Motivo de la revisión"  # refused by the server
    summary = v.page.locator("#resumen-errores").inner_text()
    assert "Motivo de la revisión: Este campo es obligatorio." in summary
    assert "Justificación: Este campo es obligatorio." in summary
    v.step("validado-en-el-servidor")
    v.fill("Motivo de la revisión (obligatorio)", "Cambio de datos")
    v.fill("Justificación (obligatorio)", "Vence hoy")
    v.click("Continuar")
    assert v.page.locator("h1").inner_text() == "Confirmar registro"
    visitor.close()

    # 6. The instance started before stays on its version.
    assert runner.instance(old.instance_id).version_id == v1.id
    assert all(not e.startswith("4") and not e.startswith("5") for e in our_errors(j))
    assert j.violations == [] and v.violations == []

"""Issue 16's change workflow in chromium, with Play in the middle: an analyst edits the entity
registration in the modeler (a draft), plays the draft — starts it, fills the forms the inbox
shows, sees the token move and the rows of documentos_requeridos.dmn that matched — saves the
run as a scenario, sees the diff and the running instance waiting at the changed element, and
deploys; a second analyst's stale draft is refused with both changes shown; the previous
version comes back in one click and new instances follow it. Then a change that leaves the
saved path is refused at deploy, the diagram marking where the path differed. axe-core on
every page."""

from __future__ import annotations

import os
import shutil

from tests.analyst.test_browser import DOCS_SCREENSHOTS
from tests.analyst.test_browser import journey
from tests.analyst.test_browser import served  # noqa: F401 — the fixture
from tests.browser.test_journeys import ENTITY

PROCESS = "registro_entidad"
SCENARIO = "Entidad nueva sin delegación"
RENAME = """(args) => {
  const m = window.secopModeler;
  m.get('modeling').updateLabel(m.get('elementRegistry').get(args[0]), args[1]);
  return true;
}"""
# "Registrar" goes straight to "Información general": the first part is skipped.
SKIP_FIRST_PART = """() => {
  const m = window.secopModeler, registry = m.get('elementRegistry');
  const target = registry.get('informacion_general');
  m.get('modeling').reconnectEnd(registry.get('f_registrar'), target, { x: target.x, y: target.y + 40 });
  return registry.get('f_registrar').businessObject.targetRef.id;
}"""


def open_modeler(j):
    j.goto(f"/modelos/{PROCESS}/modelador")
    j.page.wait_for_selector('[data-diagram="modeler"][data-ready="true"]')


def save_draft(page, revision: int):
    page.get_by_role("button", name="Guardar borrador").click()
    page.locator("#estado-modelador").filter(has_text=f"revisión {revision}").wait_for()


def token_at(page, element_id: str, state: str) -> int:
    page.wait_for_selector('#diagrama-prueba[data-ready="true"]')
    return page.locator(f'#diagrama-prueba [data-element-id="{element_id}"].state-{state}').count()


def test_analyst_plays_a_draft_saves_a_scenario_and_deploys(page, served, artifacts_dir, world,  # noqa: F811
                                                              chromium_browser):  # fmt: skip
    base, app, runner = served
    person = world.user("pablo.persona")
    waiting = runner.start(PROCESS, runner.actor_for_user(person))  # waits at "Validar"
    j = journey(page, base, artifacts_dir, "analyst-play")
    j.page.set_default_timeout(20_000)
    j.login("ana.analista")
    # A second analyst opens the modeler before any draft exists.
    other_context = chromium_browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
    other = journey(other_context.new_page(), base, artifacts_dir, "analyst-play-conflict")
    other.page.set_default_timeout(20_000)
    world.user("ines.analista", roles=("analista",))
    other.login("ines.analista")
    open_modeler(other)

    # 1. The draft: "Validar" becomes "Validar la Entidad".
    open_modeler(j)
    assert page.evaluate(RENAME, ["validar_entidad", "Validar la Entidad"])
    save_draft(page, 1)
    assert len(runner.versions(PROCESS)) == 1  # nothing live
    j.link("Revisar y desplegar el borrador")

    # 2. Play it.
    j.link("Probar el borrador")
    assert page.locator("h1").inner_text().startswith("Probar el borrador de")
    j.click("Iniciar")
    assert page.locator("#t-tarea").inner_text() == "Tarea: Validar la Entidad"  # the draft's
    assert token_at(page, "validar_entidad", "active") == 1
    j.step("iniciada")
    j.fill("Número de documento (obligatorio)", "899999172")
    j.click("Validar")  # the name is missing: refused as the inbox refuses it
    summary = page.locator("#resumen-errores")
    assert "Confirme el nombre de la Entidad." in summary.inner_text()
    assert j.field("Número de documento").input_value() == "899999172"  # kept
    j.step("formulario-rechazado")
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría (obligatorio)", ENTITY)
    j.click("Validar")
    assert page.locator("#t-tarea").inner_text() == "Tarea: Registrar"
    assert token_at(page, "validar_entidad", "completed") == 1  # the token moved on
    assert token_at(page, "registrar_entidad", "active") == 1
    assert token_at(page, "validar_entidad", "active") == 0
    j.step("token")
    j.click("Registrar")
    page.get_by_label("Público", exact=True).check()
    page.get_by_label("Otras Entidades públicas").check()
    j.click("Generar formulario")
    assert page.locator("#t-tarea").inner_text() == "Tarea: Información general"
    j.fill_general_information(ENTITY)  # the municipalities come from the sandbox's own task
    j.click("Continuar")
    assert page.locator("#t-tarea").inner_text() == "Tarea: Anexar documentos"
    assert token_at(page, "determinar_documentos", "completed") == 1
    decision = page.locator('[data-decision="determinar_documentos"]')
    title = decision.locator("h3").inner_text()
    assert title.startswith("Determinar documentos obligatorios: 4 de 7 filas")
    matched = decision.locator("tr[data-regla]").evaluate_all("rows => rows.map(r => r.dataset.regla)")
    # No delegation, a public entity: neither the delegation rows nor the private one.
    assert matched == ["regla_acto_estructura", "regla_acta_posesion", "regla_autorizacion", "regla_rut"]
    assert runner.list_instances(process_id=PROCESS).total == 1  # only the real one from before
    j.step("decisiones")
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):  # docs/analysts-operators.md's picture
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = artifacts_dir / f"{j.prefix}-{j.step_no:02d}-decisiones.png"
        shutil.copyfile(shot, DOCS_SCREENSHOTS / "draft-play.png")

    # 3. Save the run as a scenario.
    j.fill("Nombre del escenario (obligatorio)", SCENARIO)
    j.click("Guardar como escenario")
    assert f"Se guardó el escenario «{SCENARIO}»" in page.locator(".flashes").inner_text()
    assert page.locator(f'#escenarios-guardados [data-escenario="{SCENARIO}"]').count() == 1
    j.step("escenario-guardado")

    # 4. The second analyst's stale save: refused, both changes shown.
    assert other.page.evaluate(RENAME, ["registrar_entidad", "Registrar la cuenta"])
    other.page.get_by_role("button", name="Guardar borrador").click()
    conflict = other.page.locator("#conflicto")
    conflict.wait_for(state="visible")
    assert "Otra persona guardó el borrador (revisión 1)" in conflict.inner_text()
    assert "Validar la Entidad (validar_entidad)" in other.page.locator("#conflicto-de-ellos").inner_text()
    assert "Registrar la cuenta (registrar_entidad)" in other.page.locator("#conflicto-suyo").inner_text()
    other.step("conflicto")
    assert other.violations == []
    assert [e for e in other.page_errors if not e.startswith("409 ")] == []  # the refusal is the 409
    other_context.close()

    # 5. The diff and the instance waiting at the changed element, then deploy.
    j.link("Borrador")
    page.wait_for_selector('#diff-borrador[data-ready="true"]')
    assert page.locator('#diff-borrador [data-element-id="validar_entidad"].diff-changed').count() == 1
    affected = page.locator("#instancias-afectadas li").inner_text()
    assert "1 instancia en curso espera" in affected and "validar_entidad" in affected
    j.step("diferencias")
    j.fill("Qué cambia y por qué (obligatorio)", "Nombre más claro para Validar")
    j.click("Desplegar")  # the saved scenario runs first, and passes
    assert "Se desplegó: registro_entidad versión 2" in page.locator(".flashes").inner_text()
    j.step("desplegado")
    assert runner.instance(waiting.instance_id).version_id == runner.versions(PROCESS)[1][0].id

    # 6. The previous version back in one click; a new instance follows it.
    page.get_by_role("button", name="Restaurar la versión 1").click()
    page.wait_for_load_state("load")
    assert "Se restauró la versión 1 como versión 3" in page.locator(".flashes").inner_text()
    (v3, _), _, (v1, _) = runner.versions(PROCESS)
    assert v3.content_hash == v1.content_hash
    fresh = runner.start(PROCESS, runner.actor_for_user(person))
    assert runner.instance(fresh.instance_id).version_id == v3.id
    assert runner.task(runner.actor_for_user(person), fresh.next_tasks[0].id).summary.title == "Validar"

    # 7. A change that leaves the saved path: the scenario blocks the deploy and the diagram
    #    marks where the path differed.
    open_modeler(j)
    assert page.evaluate(SKIP_FIRST_PART) == "informacion_general"
    save_draft(page, 1)
    j.link("Revisar y desplegar el borrador")
    j.fill("Qué cambia y por qué (obligatorio)", "Sin primera parte")
    j.click("Desplegar")
    refusal = page.locator("#error-despliegue").inner_text()
    assert f"el escenario «{SCENARIO}» falló" in refusal
    assert "esperaba la tarea registrar_primera_parte, pero espera informacion_general" in refusal
    result = page.locator(f'#escenarios [data-escenario="{SCENARIO}"]')
    assert result.get_attribute("data-resultado") == "falla"
    page.wait_for_selector('#diff-borrador[data-ready="true"]')
    assert page.locator('#diff-borrador [data-element-id="informacion_general"].has-problem').count() == 1
    j.step("escenario-bloquea")
    assert len(runner.versions(PROCESS)) == 3  # nothing deployed
    # The two refusals are 422s (the form drawn again, the deploy page with why); nothing else.
    refused = [e.split("/modelos/")[1] for e in j.page_errors if e.startswith("422 ")]
    assert refused == [f"{PROCESS}/probar/tareas/validar_entidad", f"{PROCESS}/borrador/desplegar"]
    assert [e for e in j.page_errors if not e.startswith("422 ")] == []
    assert j.violations == []

"""Analysts and operators in a real browser (Debian chromium through Playwright), against a
live server: diagram versions, the bpmn-js modeler, the instance page and the heatmap.

Screenshots land in tests/artifacts/analyst-*.png; the instance page and the heatmap are
also copied to docs/screenshots/ when UPDATE_DOCS_SCREENSHOTS=1. axe-core runs on each page
(no serious/critical issue).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import update

from engine import Actor
from engine.models import ElementVisit
from tests.analyst.diagrams import NEW_TASK
from tests.analyst.diagrams import changed_registration
from tests.analyst.helpers import start_registration
from tests.browser.test_journeys import Journey
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import user_form

ROOT = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def served(make_app, live_server, world):
    """(base URL, app, runner) with an analyst "ana.analista" and an operator "omar.operador"."""
    app = world.app
    world.user("ana.analista", roles=("analista",))
    world.user("omar.operador", roles=("operador",))
    from webui.core.extensions import db

    with app.app_context():
        db.engine.dispose()  # the server thread opens its own connections
    return live_server(app=app), app, app.extensions["runner"]


def journey(page, base, artifacts_dir, prefix) -> Journey:
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # console errors include Content-Security-Policy refusals (no inline script, no eval);
    # failed loads are checked by URL (the browser's own /favicon.ico probe is not ours)
    page.on(
        "console",
        lambda msg: (
            msg.type == "error" and "Failed to load resource" not in msg.text and errors.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400 and not r.url.endswith("/favicon.ico") and errors.append(f"{r.status} {r.url}")
        ),
    )
    j = Journey(page, base, artifacts_dir, prefix)
    j.page_errors = errors
    return j


def finish_registration_on_its_version(runner, instance_id, anonymous, username):
    """Walk an old registro_usuario instance to its end (activation), then the access request
    the user starts from section 3, which the account's administrator accepts (§8)."""
    walk = Onboarding(runner)
    result = runner.complete_task(anonymous, runner.inbox(anonymous, instance_id=instance_id)[0].id,
                                  user_form(username, entity_name="AGENCIA NACIONAL DE PRUEBA"))  # fmt: skip
    assert result.next_tasks == []  # no "Revisar datos": the old path goes straight to the email
    owner = walk.make_user("admin.agencia")
    walk.make_active_account(owner)
    runner.deliver_message("activacion_usuario", walk.activation_hash())
    user = walk.actor(result.data["user_id"])
    request = walk.start(user, "solicitud_acceso")
    walk.complete(user, "buscar_cuenta", {"entity_name": "AGENCIA NACIONAL DE PRUEBA"}, request)
    walk.complete(user, "solicitar_acceso", {}, request)
    walk.complete(
        walk.actor(owner.user_id), "revisar_solicitud_acceso", {"decision": "aceptar", "role": "Comprador"}
    )


def test_analyst_uploads_a_changed_registration_diagram(page, served, artifacts_dir, tmp_path):
    base, app, runner = served
    old = runner.start("registro_usuario", Actor.anonymous())  # started before the change
    j = journey(page, base, artifacts_dir, "analyst-upload")
    j.login("ana.analista")
    j.link("Modelos de proceso")
    j.step("modelos")
    page.get_by_role("link", name="Registro de usuario").first.click()
    upload = tmp_path / "registro_usuario.bpmn"
    upload.write_bytes(changed_registration())
    page.get_by_label("Diagrama (.bpmn)").set_input_files(str(upload))
    j.click("Guardar en el borrador")
    assert "Borrador guardado (revisión 1)" in page.locator(".flashes").inner_text()
    assert len(runner.versions("registro_usuario")) == 1  # in the draft, not live
    j.step("borrador")
    j.fill("Qué cambia y por qué (obligatorio)", "Revisar los datos antes de crear el usuario")
    j.click("Desplegar")
    assert "Se desplegó: registro_usuario versión 2." in page.locator(".flashes").inner_text()
    j.step("desplegado")

    # A new instance follows the new path: after "Registrar usuario" comes "Revisar datos del registro".
    visitor = page.context.browser.new_context(locale="es-CO")
    new_page = visitor.new_page()
    v = Journey(new_page, base, artifacts_dir, "analyst-upload-nueva")
    v.goto("/")
    v.click("Registro")
    v.fill_user_registration(
        "nora.diaz", "nora.diaz@example.gov.co", names=("Nora", "Díaz"), document="52999888"
    )
    assert new_page.locator("h1").inner_text() == "Revisar datos del registro"
    v.step("tarea-nueva")
    v.click("Continuar")
    assert new_page.locator("h1").inner_text() == "Confirmar registro"
    visitor.close()

    # The instance started before the change finishes on its own version.
    anonymous = Actor.anonymous(old.anonymous_token)
    finish_registration_on_its_version(runner, old.instance_id, anonymous, "antes.del.cambio")
    (v2, new_count), (v1, old_count) = runner.versions("registro_usuario")
    finished = runner.instance(old.instance_id)
    assert (finished.status, finished.version_id) == ("completed", v1.id)
    assert NEW_TASK not in runner.element_states(old.instance_id)
    assert (v2.number, new_count, v1.number, old_count) == (2, 1, 1, 1)

    # The models page shows both versions with their counts.
    j.goto("/modelos/")
    section = page.locator("section", has=page.locator("#p-registro_usuario"))
    rows = section.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).inner_text().startswith("Versión 2")
    assert rows.nth(0).locator('td[data-label="Instancias"]').inner_text() == "1"
    origin = rows.nth(0).locator('td[data-label="Origen y motivo"]').inner_text()
    assert origin == "Navegador: Revisar los datos antes de crear el usuario"  # who deployed it and why
    assert rows.nth(1).locator("td").nth(0).inner_text().startswith("Versión 1")
    assert rows.nth(1).locator('td[data-label="Instancias"]').inner_text() == "1"
    assert v2.content_hash[:12] in rows.nth(0).inner_text()
    j.step("dos-versiones")
    page.get_by_role("link", name="Versión 2").first.click()
    page.wait_for_selector('[data-diagram="viewer"][data-ready="true"]')
    assert page.locator(f'[data-element-id="{NEW_TASK}"]').count() == 1
    j.step("version-2")
    assert j.page_errors == [] and j.violations == []


MODELER_ADD = """() => {
  const m = window.secopModeler;
  const modeling = m.get('modeling'), factory = m.get('elementFactory'), registry = m.get('elementRegistry');
  const shape = factory.createShape({ type: 'bpmn:UserTask' });
  const task = modeling.createShape(shape, { x: 1190, y: 330 }, registry.get('Participant_registro_usuario'));
  modeling.updateProperties(task, { id: 'revision_final', name: 'Revisión final' });
  const flow = registry.get('f_activo');
  modeling.reconnectEnd(flow, task, { x: 1190, y: 330 });
  return registry.get('revision_final').type;
}"""
MODELER_FIX = """() => {
  const m = window.secopModeler;
  const registry = m.get('elementRegistry');
  m.get('modeling').connect(registry.get('revision_final'), registry.get('fin'));
  return registry.get('revision_final').outgoing.length;
}"""


MODELER_RENAME = """() => {
  const m = window.secopModeler;
  m.get('modeling').updateLabel(m.get('elementRegistry').get('registrar_usuario'), 'Registrar al usuario');
  return true;
}"""


def test_modeler_saves_a_draft_reviewed_and_deployed_with_a_reason(page, served, artifacts_dir, world,
                                                                    chromium_browser):  # fmt: skip
    """The analyst's change workflow: edit, save a draft (problems shown, nothing live), fix,
    see the diff and the instances waiting at changed elements, deploy with a reason; a second
    analyst who opened the modeler before the first save is refused with both changes."""
    base, app, runner = served
    start_registration(runner)  # waits at "Registrar usuario"
    j = journey(page, base, artifacts_dir, "analyst-modeler")
    j.login("ana.analista")
    # The second analyst opens the modeler now, before any draft exists.
    other_context = chromium_browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
    other = journey(other_context.new_page(), base, artifacts_dir, "analyst-conflict")
    other.page.set_default_timeout(15_000)
    world.user("ines.analista", roles=("analista",))
    other.login("ines.analista")
    other.goto("/modelos/registro_usuario/modelador")
    other.page.wait_for_selector('[data-diagram="modeler"][data-ready="true"]')

    j.goto("/modelos/registro_usuario/modelador")
    page.wait_for_selector('[data-diagram="modeler"][data-ready="true"]')
    j.step("abierto")
    assert page.evaluate(MODELER_ADD) == "bpmn:UserTask"
    page.get_by_role("button", name="Guardar borrador").click()
    problems = page.locator("#lista-problemas")
    problems.locator("li").first.wait_for()
    text = problems.inner_text()
    assert "registro_usuario.bpmn:" in text and "revision_final: el elemento no tiene flujo de salida" in text
    badge = page.locator('.djs-overlays[data-container-id="revision_final"] .problem-badge')
    assert badge.inner_text() == "1 problema"
    assert page.locator('[data-element-id="revision_final"].has-problem').count() == 1
    assert "Borrador guardado (revisión 1)" in page.locator("#estado-modelador").inner_text()
    assert len(runner.versions("registro_usuario")) == 1
    j.step("problema")

    assert page.evaluate(MODELER_FIX) == 1
    assert page.evaluate(MODELER_RENAME)
    page.get_by_role("button", name="Guardar borrador").click()
    status = page.locator("#estado-modelador")
    status.filter(has_text="revisión 2").wait_for()
    assert page.locator("#problemas").is_hidden() and page.locator(".problem-badge").count() == 0
    assert len(runner.versions("registro_usuario")) == 1  # still nothing live
    j.step("borrador")

    # The second analyst's save started from no draft at all: refused, both changes shown.
    assert other.page.evaluate(MODELER_RENAME)
    other.page.get_by_role("button", name="Guardar borrador").click()
    conflict = other.page.locator("#conflicto")
    conflict.wait_for(state="visible")
    assert "Otra persona guardó el borrador (revisión 2)" in conflict.inner_text()
    theirs = other.page.locator("#conflicto-de-ellos").inner_text()
    assert "elemento nuevo: Revisión final (revision_final)" in theirs
    yours = other.page.locator("#conflicto-suyo").inner_text()
    assert "elemento modificado: Registrar al usuario (registrar_usuario)" in yours
    assert other.page.locator("#conflicto-autor").inner_text().strip() not in ("", "Sistema")
    other.step("conflicto")
    conflict_shot = artifacts_dir / f"{other.prefix}-{other.step_no:02d}-conflicto.png"
    assert other.violations == []
    other_context.close()

    j.link("Revisar y desplegar el borrador")
    page.wait_for_selector('#diff-borrador[data-ready="true"]')
    page.wait_for_selector('#diff-vigente[data-ready="true"]')
    assert page.locator("#diff-borrador").get_attribute("data-differ") == "bpmn-js-differ"
    assert page.locator('#diff-borrador [data-element-id="revision_final"].diff-added').count() == 1
    assert page.locator('#diff-vigente [data-element-id="revision_final"]').count() == 0
    assert page.locator('#diff-borrador [data-element-id="registrar_usuario"].diff-changed').count() == 1
    assert page.locator('#diff-vigente [data-element-id="registrar_usuario"].diff-changed').count() == 1
    affected = page.locator("#instancias-afectadas li")
    assert "1 instancia en curso espera" in affected.inner_text()
    assert "registrar_usuario" in affected.inner_text()
    j.step("diferencias")
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):  # docs/analysts-operators.md's pictures
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(conflict_shot, DOCS_SCREENSHOTS / "draft-conflict.png")
        diff_shot = artifacts_dir / f"{j.prefix}-{j.step_no:02d}-diferencias.png"
        shutil.copyfile(diff_shot, DOCS_SCREENSHOTS / "draft-diff.png")
    j.click("Desplegar")  # the reason is required: the browser refuses the empty field
    assert len(runner.versions("registro_usuario")) == 1
    j.fill("Qué cambia y por qué (obligatorio)", "Revisión final antes de terminar")
    j.click("Desplegar")
    assert "Se desplegó: registro_usuario versión 2." in page.locator(".flashes").inner_text()
    assert "Navegador: Revisión final antes de terminar" in page.locator('[data-origen="2"]').inner_text()
    j.step("desplegado")
    (v2, _), (v1, _) = runner.versions("registro_usuario")
    assert v2.number == 2 and "revision_final" in v2.files["registro_usuario.bpmn"]
    assert (v2.origin, v2.comment) == ("browser", "Revisión final antes de terminar")
    assert v2.deployed_by is not None

    # The previous version back in one click; new instances follow it.
    page.get_by_role("button", name="Restaurar la versión 1").click()
    page.wait_for_load_state("load")
    assert "Se restauró la versión 1 como versión 3" in page.locator(".flashes").inner_text()
    assert "Restauración: Restaura la versión 1." in page.locator('[data-origen="3"]').inner_text()
    j.step("restaurada")
    v3 = runner.versions("registro_usuario")[0][0]
    assert (v3.number, v3.content_hash) == (3, v1.content_hash)
    started = runner.start("registro_usuario", Actor.anonymous())
    assert runner.instance(started.instance_id).version_id == v3.id
    assert j.page_errors == []
    assert j.violations == []


def _registrations(runner, count):
    """``count`` registrations past "Registrar usuario"; the first ``count // 2`` also activated."""
    walk = Onboarding(runner)
    ids = []
    for n in range(count):
        started = runner.start("registro_usuario", Actor.anonymous())
        anonymous = Actor.anonymous(started.anonymous_token)
        runner.complete_task(anonymous, started.next_tasks[0].id, user_form(f"persona.{n}"))
        if n < count // 2:
            runner.deliver_message("activacion_usuario", walk.activation_hash())
        ids.append(started.instance_id)
    runner.start("registro_usuario", Actor.anonymous())  # one still at the form
    return ids


def test_instance_page_and_heatmap_screenshots(page, served, artifacts_dir):
    base, app, runner = served
    ids = _registrations(runner, 6)
    # Time spent per element comes from real timestamps (fractions of a second in a test): give
    # the visits plausible durations so the screenshot reads like production data.
    typical = {
        "registrar_usuario": 540,
        "confirmar_registro": 5 * 3600,
        "crear_usuario": 1,
        "enviar_enlace_activacion": 2,
    }
    with runner.transaction() as session:
        for element, seconds in typical.items():
            session.execute(
                update(ElementVisit).where(ElementVisit.element_id == element).values(seconds=seconds)
            )
    j = journey(page, base, artifacts_dir, "analyst-operador")
    j.login("omar.operador")
    j.link("Instancias")
    j.step("lista")
    # one waiting for its activation link (the activated ones ended: section 3 is the start page)
    page.get_by_role("link", name=f"#{ids[-1]}", exact=True).click()
    page.wait_for_selector('[data-diagram="instance"][data-ready="true"]')
    assert page.locator('[data-element-id="registrar_usuario"].state-completed').count() == 1
    assert page.locator('[data-element-id="confirmar_registro"].state-active').count() == 1
    page.locator('.djs-element[data-element-id="registrar_usuario"]').click()
    history = page.locator("#historial-elemento")
    assert "Registrar usuario" in history.inner_text() and "Tarea completada" in history.inner_text()
    assert f"persona.{len(ids) - 1}" in history.inner_text() and "[oculto]" in history.inner_text()
    page.evaluate("() => document.activeElement.blur()")
    page.evaluate("() => window.scrollTo(0, document.querySelector('h2').offsetTop - 10)")
    shot = artifacts_dir / "analyst-instance.png"
    page.screenshot(path=str(shot))
    j.step("instancia")

    j.goto("/instancias/procesos/registro_usuario/mapa-de-calor")
    page.wait_for_selector('[data-diagram="heatmap"][data-ready="true"]')
    badges = page.locator(".heat-badge")
    assert badges.count() >= 5
    label = page.locator('.djs-overlays[data-container-id="registrar_usuario"] .heat-badge').inner_text()
    assert label == "6 inst. · 9 min"
    assert (
        page.locator('.djs-overlays[data-container-id="confirmar_registro"] .heat-badge').inner_text()
        == "3 inst. · 5,0 h"
    )
    heat = artifacts_dir / "analyst-heatmap.png"
    page.evaluate("() => window.scrollTo(0, document.querySelector('.legend').offsetTop - 10)")
    page.screenshot(path=str(heat))
    j.step("mapa-de-calor")
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):  # the README's pictures, refreshed on request only
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOTS / "instance.png")
        shutil.copyfile(heat, DOCS_SCREENSHOTS / "heatmap.png")
    assert j.page_errors == [], j.page_errors
    assert j.violations == [], json.dumps(j.violations, ensure_ascii=False, indent=1)

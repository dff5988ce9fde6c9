"""Issue 18 acceptance in a real browser: a version with a broken script is deployed; a
registrant's submission is kept and they read that it was received; the incident is in the
operators' queue; the operator corrects the variable (invalid JSON refused first) and
"Reintentar" runs the step; the instance goes on; everything is in its history. axe-core
runs on every page; the screenshots are copied to docs/screenshots/ when
UPDATE_DOCS_SCREENSHOTS=1."""

from __future__ import annotations

import json
import os
import shutil

from tests.analyst.diagrams import broken_registration
from tests.analyst.test_browser import DOCS_SCREENSHOTS
from tests.analyst.test_browser import journey
from tests.analyst.test_browser import served  # noqa: F401  (the fixture)


def test_a_broken_script_becomes_an_incident_the_operator_fixes_and_retries(
    page, served, artifacts_dir  # noqa: F811
):
    base, app, runner = served
    diagrams = runner.deployed_diagrams().with_files(
        workflows={"registro_usuario.bpmn": broken_registration("Cédula de ciudadanía")}
    )
    runner.deploy(diagrams)
    j = journey(page, base, artifacts_dir, "incidentes")
    shots = []

    def shot(name):
        path = artifacts_dir / f"incidentes-{name}"
        page.screenshot(path=str(path), full_page=True)
        shots.append((name, path))

    # A registrant with a passport: the new script does not know that type.
    j.goto("/")
    j.click("Registro")
    j.fill_user_registration("pedro.pasaporte", "pedro@example.gov.co", ("Pedro", "Pasaporte"), "AB123456",
                             document_type="Pasaporte")  # fmt: skip
    assert page.locator("h1").inner_text() == "Su información fue recibida"
    assert "Su información fue recibida; la Mesa de Servicio fue notificada." in page.locator(
        "#informacion-recibida").inner_text()  # fmt: skip
    j.step("recibida")
    shot("incident-received.png")
    [row] = runner.list_instances(status="error").rows
    assert runner.instance(row.id).data["username"] == "pedro.pasaporte"  # nothing typed was lost

    j.login("omar.operador")
    j.goto("/tareas/")
    j.link("Incidentes abiertos: 1")
    assert page.locator("h1").inner_text() == "Incidentes"
    queue = page.locator("#incidentes").inner_text()
    assert "Clasificar documento" in queue and "busca la clave 'Pasaporte'" in queue
    j.step("cola")
    shot("incidents-queue.png")
    page.locator("#incidentes").get_by_role("link", name=f"#{row.id}").click()
    page.wait_for_load_state("load")
    assert "Incidente abierto" in page.locator("#incidente").inner_text()
    j.step("instancia")
    shot("incident-instance.png")

    data = page.locator("#variables")
    typed = data.input_value()
    data.fill(typed.replace('"Pasaporte"', '"Cédula de ciudadanía"', 1).rstrip().rstrip("}"))
    page.get_by_label("Motivo de la corrección").fill("El registrante confirmó que es cédula")
    j.click("Guardar los datos corregidos")
    assert "El texto no es JSON válido" in page.locator("#error-variables").inner_text()
    assert data.input_value().startswith("{")  # what was typed is still there
    j.step("json-invalido")
    data.fill(typed.replace('"Pasaporte"', '"Cédula de ciudadanía"', 1))
    j.click("Guardar los datos corregidos")
    assert "Se corrigieron los datos del trámite" in page.locator(".flashes").inner_text()
    shown = json.loads(page.locator("#datos-instancia").inner_text())
    assert shown["document_type"] == "Cédula de ciudadanía"
    page.get_by_label("Motivo del reintento").fill("Tipo de documento corregido")
    j.click("Reintentar el paso fallido")
    report = page.locator(".flashes").inner_text()
    assert "Se ejecutó de nuevo «Clasificar documento»: el trámite sigue su curso." in report
    assert page.locator("#estado-instancia").inner_text() == "En curso"
    log = page.content()
    for words in ("Paso fallido", "Datos corregidos", "Reintento", "El registrante confirmó que es cédula"):
        assert words in log
    j.step("reintentada")
    shot("incident-retried.png")
    j.goto("/instancias/incidentes")
    assert "No hay incidentes con estos filtros." in page.content()
    assert j.violations == [], j.violations
    refused = f"422 {base}/instancias/{row.id}/datos"  # the invalid JSON, refused on purpose
    assert [e for e in j.page_errors if e != refused] == [], j.page_errors
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        for name, path in shots:
            shutil.copyfile(path, DOCS_SCREENSHOTS / name)

"""Issue 12 point 1: a NEW procedure (tests/data/constancia: a .bpmn and its form, written only
from docs/diagrams.md), copied into a temporary folder beside copies of the project's
diagrams, deploys, appears where its starters can start it, runs through its tasks in
chromium and tells the person what its diagram says, with no Python written for it."""

from __future__ import annotations

import json
import shutil

from tests.browser.test_journeys import Journey
from tests.webui.conftest import ROOT
from tests.webui.helpers import World

NEW = ROOT / "tests" / "data" / "constancia"  # constancia.bpmn and forms/: the new procedure


def with_new_procedure(tmp_path) -> tuple[str, str]:
    """The project's workflows/ and forms/ copied, plus the new procedure and its form."""
    workflows, forms = tmp_path / "workflows", tmp_path / "forms"
    shutil.copytree(ROOT / "workflows", workflows)
    shutil.copytree(ROOT / "forms", forms)
    shutil.copy(NEW / "constancia.bpmn", workflows)
    for form in (NEW / "forms").iterdir():
        shutil.copy(form, forms)
    return str(workflows), str(forms)


def test_a_new_procedure_runs_without_python(page, live_server, tmp_path, artifacts_dir):
    import webui

    workflows, forms = with_new_procedure(tmp_path)
    config = {
        "TESTING": True,
        "SECRET_KEY": "constancia",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'constancia.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "dev",
        "WORKFLOWS_DIR": workflows,
        "FORMS_DIR": forms,
    }
    app = webui.create_app(config)
    runner = app.extensions["runner"]
    runner.create_schema()
    deployed = {row.process_id for row in runner.deploy()}
    assert "constancia" in deployed
    World(app).user("luis.gomez")
    from webui.core.extensions import db

    with app.app_context():
        db.engine.dispose()

    j = Journey(page, live_server(config), artifacts_dir, "nuevo")
    j.impacts = None  # every axe-core violation counts
    j.goto("/")
    assert page.get_by_role("button", name="Pedir una constancia").count() == 0  # not for anonymous people
    j.login("luis.gomez")
    heading = page.get_by_role("heading", name="Crear o solicitar acceso a una Entidad")
    section_3 = page.locator("section", has=heading)  # the guide's section 3 lists it
    card = section_3.locator("section.card", has=page.get_by_role("heading", name="Pedir una constancia"))
    assert card.locator("p").inner_text() == "Pida una constancia de su registro en el SECOP II."
    assert card.locator("strong").inner_text() == "SECOP II"
    j.step("inicio-con-tramite-nuevo")
    j.click("Pedir una constancia")
    assert page.locator("h1").inner_text() == "Pedir constancia"
    assert "Escriba a quién va dirigida." in page.locator(".instructions").inner_text()
    j.click("Pedir")
    assert "Escriba el destinatario." in page.content()  # the form's own message, nothing typed lost
    j.fill("Destinatario", "Alcaldía de Prueba")
    j.step("pedir-constancia")
    j.click("Pedir")
    assert page.locator("h1").inner_text() == "Revisar constancia"
    assert page.locator(".flashes").inner_text().strip() == "Recibimos su pedido para Alcaldía de Prueba."
    assert "La constancia irá dirigida a Alcaldía de Prueba." in page.locator(".instructions").inner_text()
    j.step("revisar-constancia")
    j.click("Continuar")
    told = page.locator(".flashes").inner_text().strip()
    assert told == "Su constancia para Alcaldía de Prueba quedó lista."
    j.step("constancia-lista")
    assert not j.violations, json.dumps(j.violations, indent=2, ensure_ascii=False)

    # The operators' list names it as its diagram does.
    with app.app_context():
        names = {p.process_id: p.name for p in runner.procedures()}
    assert names["constancia"] == "Constancia de registro"

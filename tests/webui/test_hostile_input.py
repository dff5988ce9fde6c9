"""Issue 17: hostile input against pages and the API, on SQLite and PostgreSQL. Each test
replays one attack that worked before its fix (points 2, 11, 13 and 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


@pytest.fixture
def hostile_diagrams(tmp_path):
    """The project's diagrams, with raw HTML and Markdown in the registration's instructions."""
    workflows = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", workflows)
    path = workflows / "registro_usuario.bpmn"
    text = path.read_text(encoding="utf-8")
    marker = "<spiffworkflow:instructionsForEndUser>Diligencie sus datos"
    assert marker in text
    hostile = (
        REFRESH.replace("<", "&lt;").replace(">", "&gt;")
        + " **Importante:** [guía](https://www.colombiacompra.gov.co/) [x](javascript:alert(1)) "
    )
    path.write_text(text.replace(marker, marker.replace("Diligencie", hostile + "Diligencie")), "utf-8")
    return workflows


def test_instructions_are_markdown_never_raw_html(make_app, hostile_diagrams):
    """A <meta http-equiv="refresh"> in a diagram's instructions sent the browser off-site."""
    app = make_app(WORKFLOWS_DIR=str(hostile_diagrams))
    app.extensions["runner"].deploy()
    client = app.test_client()
    task_url = client.post("/registro").headers["Location"]
    html = client.get(task_url).get_data(as_text=True)
    instructions = html.split('<div class="instructions">', 1)[1].split("</div>", 1)[0]
    assert "<meta http-equiv" not in html
    assert "&lt;meta http-equiv=" in instructions  # shown as text, never interpreted
    assert "<strong>Importante:</strong>" in instructions
    assert 'href="https://www.colombiacompra.gov.co/"' in instructions
    assert "javascript:" not in instructions.replace("(javascript:alert(1))", "")
    assert "Diligencie sus datos personales" in instructions


# --------------------------------------------------------------------------- point 2


def _general_information_task(app, client, world) -> str:
    """A logged-in registrant's "Información general" page (registro_entidad, guide §6)."""
    from tests.webui.helpers import login

    world.user("registrante")
    assert login(client, "registrante").status_code == 302
    task = client.post("/tareas/iniciar/registro_entidad").headers["Location"]
    task = client.post(task, data={"entity_name": "ALCALDIA DE PRUEBA", "nit": "800197268"}).headers[
        "Location"
    ]
    first_part = {
        "country": "Colombia",
        "account_type": "Entidad Estatal",
        "business_area": "Público",
        "organization_type": "Otras Entidades públicas",
    }
    return client.post(task, data=first_part).headers["Location"]


def test_the_directory_is_not_readable_anonymously(deployed, world):
    """/api/opciones/active_accounts and /account_names gave anyone every account's name and
    NIT, pending accounts included. Lists are now served by the task that needs them."""
    from engine.domain.models import ACCOUNT_PENDING

    world.account(name="ENTIDAD ACTIVA")
    world.account(name="ENTIDAD PENDIENTE", state=ACCOUNT_PENDING)
    stranger = deployed.test_client()
    for source in ("active_accounts", "account_names", "departments"):
        response = stranger.get(f"/api/opciones/{source}")
        assert response.status_code == 404
        assert "ENTIDAD" not in response.get_data(as_text=True)

    # The anonymous registrant gets the names its own step needs: active ones, no NIT.
    registrant = deployed.test_client()
    task = registrant.post("/registro").headers["Location"]
    page = registrant.get(task).get_data(as_text=True)
    assert "ENTIDAD PENDIENTE" not in page
    url = f"{task}/opciones/entity_name"
    assert f'data-autocomplete-url="{url}"' in page
    names = registrant.get(url + "?q=entidad").get_json()
    assert names == [{"value": "ENTIDAD ACTIVA", "label": "ENTIDAD ACTIVA"}]
    assert registrant.get(url).get_json() == names
    # Another browser, or a field without a list, gets nothing.
    assert stranger.get(url + "?q=entidad").status_code == 404
    assert registrant.get(f"{task}/opciones/username").status_code == 404
    assert registrant.get(f"{task}/opciones/no_existe").status_code == 404


def test_a_step_gets_the_directory_only_for_its_own_actor(deployed, world):
    from engine.domain.models import ACCOUNT_PENDING

    active = world.account(name="GOBERNACION ACTIVA")
    world.account(name="GOBERNACION PENDIENTE", state=ACCOUNT_PENDING)
    client = deployed.test_client()
    task = _general_information_task(deployed, client, world)
    parents = client.get(f"{task}/opciones/parent_account_id?q=gobernacion").get_json()
    assert [item["value"] for item in parents] == [str(active)]
    assert "(NIT 8" in parents[0]["label"]
    # Municipality after department: the dependent list, from the same task.
    medellin = client.get(f"{task}/opciones/municipality?department=05&q=medel").get_json()
    assert {"value": "05001", "label": "MEDELLÍN"} in medellin
    assert client.get(f"{task}/opciones/municipality?department=00").get_json() == []
    # Anyone else: the task does not exist for them.
    world.user("otro")
    other = deployed.test_client()
    from tests.webui.helpers import login

    assert login(other, "otro").status_code == 302
    assert other.get(f"{task}/opciones/parent_account_id").status_code == 404
    assert deployed.test_client().get(f"{task}/opciones/municipality?department=05").status_code == 404


# --------------------------------------------------------------------------- point 18


def test_required_data_is_required_through_the_api_too(deployed, world):
    """Completing "Información general" through /api/v1 with an empty body was accepted and
    stored nulls: the form required its fields only while its hidden action said "continuar"."""
    client = deployed.test_client()
    task_id = _general_information_task(deployed, client, world).rsplit("/", 1)[1]
    for body in ({}, {"action": "continuar"}, {"action": None, "nit": "800197268"}):
        response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": body})
        assert response.status_code == 422, body
        errors = response.get_json()["errors"]
        assert {"account_name", "department", "notification_email"} <= set(errors), body
    assert (
        "action" in client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}).get_json()["errors"]
    )
    # The task is still waiting, nothing was stored.
    assert client.get(f"/api/v1/tasks/{task_id}").status_code == 200
    # "Modificar" is the form's one way back: it asks for nothing and returns to the first part.
    back = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"action": "modificar"}})
    assert back.status_code == 200
    assert [t["name"] for t in back.get_json()["next_tasks"]] == ["registrar_primera_parte"]

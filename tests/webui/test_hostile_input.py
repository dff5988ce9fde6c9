"""Issue 17: hostile input against pages and the API, on SQLite and PostgreSQL. Each test
replays one attack that worked before its fix (points 2, 11, 13 and 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


def _patched_workflows(target: Path, file: str, old: str, new: str) -> Path:
    """A copy of the project's diagrams with one text of ``file`` replaced."""
    shutil.copytree(ROOT / "workflows", target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return target


@pytest.fixture
def hostile_diagrams(tmp_path):
    """The project's diagrams, with raw HTML and Markdown in the registration's instructions."""
    marker = "<spiffworkflow:instructionsForEndUser>Diligencie sus datos"
    hostile = (
        REFRESH.replace("<", "&lt;").replace(">", "&gt;")
        + " **Importante:** [guía](https://www.colombiacompra.gov.co/) [x](javascript:alert(1)) "
    )
    return _patched_workflows(
        tmp_path / "workflows",
        "registro_usuario.bpmn",
        marker,
        marker.replace("Diligencie", hostile + "Diligencie"),
    )


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
    task = client.post(task, data={"next_step": "registrar"}).headers["Location"]  # "Registrar"
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


# --------------------------------------------------------------------------- point 13


@pytest.fixture
def failing_diagrams(tmp_path):
    """The project's diagrams, with the service after "Registrar usuario" broken."""
    broken = '<spiffworkflow:parameter id="first_names" type="any" value="first_names"/>'
    return _patched_workflows(
        tmp_path / "failing",
        "registro_usuario.bpmn",
        broken,
        broken.replace('"first_names"/>', '"first_names[999]"/>'),
    )


def test_a_failing_step_keeps_what_the_user_typed(make_app, failing_diagrams):
    """A service task that failed after "Continuar" answered a bare 500 page: everything the
    registrant typed was lost. Now the submission is kept, the instance stops at the failing
    element with an incident, and the person is told in Spanish that it was received."""
    from tests.webui.helpers import PASSWORD

    app = make_app(WORKFLOWS_DIR=str(failing_diagrams))
    runner = app.extensions["runner"]
    runner.deploy()
    client = app.test_client()
    task_url = client.post("/registro").headers["Location"]
    typed = {
        "first_names": "Ana María", "last_names": "Pérez", "document_type": "Cédula de ciudadanía",
        "document_number": "52123456", "email": "ana@example.gov.co", "phone": "3001234567",
        "username": "ana.maria", "password": PASSWORD, "password_confirmation": PASSWORD,
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito", "entity_name": "ALCALDIA DE PRUEBA",
        "accept_terms": "true",
    }  # fmt: skip
    response = client.post(task_url, data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Su información fue recibida; la Mesa de Servicio fue notificada." in html
    assert PASSWORD not in html  # secrets are never sent back
    [instance_id] = [row.id for row in runner.list_instances(status="error").rows]
    kept = runner.instance(instance_id).data
    for field in ("first_names", "email", "username", "entity_name"):
        assert kept[field] == typed[field], field  # nothing the registrant typed was lost


HUGE = str(2**64)  # beyond any 64-bit id: OverflowError in both drivers
BEYOND_PG = str(2**31)  # beyond PostgreSQL's integer, the type of every id column
MALFORMED_PAGES = [
    f"/instancias/{HUGE}",
    f"/instancias/{'9' * 30}",
    f"/instancias/{BEYOND_PG}",
    f"/cuenta/directorio/{HUGE}",
    f"/cuenta/directorio/{BEYOND_PG}",
    f"/mesa/casos/{HUGE}",
    f"/instancias/?version={HUGE}",
    f"/instancias/?version={BEYOND_PG}",
    f"/instancias/?cuenta={HUGE}",
    f"/instancias/?pagina={HUGE}",
    "/instancias/?pagina=²",
    "/instancias/?cuenta=²",
    "/instancias/?version=²",
    "/instancias/?por_pagina=²",
    "/instancias/?pagina=٣",
    f"/instancias/migrar?ids={HUGE}",
    f"/instancias/migrar?ids={BEYOND_PG}",
    "/instancias/migrar?ids=²",
    "/cuenta/?cuenta=²",
    f"/cuenta/?cuenta={HUGE}",
    "/tareas/²",
    f"/documentos/{HUGE}",
    "/instancias/?cuenta=%00",
    "/instancias/?proceso=%00",
    "/instancias/?rol=%00",
    "/tareas/?proceso=%00",
    "/modelos/%00",
    "/cuenta/directorio?q=%00",
    "/documentos/%00",
    "/instancias/procesos/%00/mapa-de-calor",
]
MALFORMED_API = [
    f"/api/v1/instances/{HUGE}",
    f"/api/v1/instances/{BEYOND_PG}",
    f"/api/v1/versions/{HUGE}",
    f"/api/v1/versions/{BEYOND_PG}/files/lanes.json",
    "/api/v1/instances?page=²",
    f"/api/v1/instances?page={HUGE}",
    f"/api/v1/instances?account_id={HUGE}",
    f"/api/v1/instances?account_id={BEYOND_PG}",
    "/api/v1/instances?per_page=²",
    f"/api/v1/instances?version_id={HUGE}",
    "/api/v1/instances?process_id=%00",
    "/api/v1/tasks?process_id=%00",
    "/api/v1/instances?waiting_role=%00",
    "/api/v1/processes/%00/versions",
    "/api/v1/no-existe",
    "/api/no-existe",
]


@pytest.fixture
def operator(deployed, world):
    """A person holding every platform role and an account: every page answers them."""
    from tests.webui.helpers import login

    world.user("todo", roles=("operador", "analista", "mesa_servicio"))
    world.account(admin=world.user("admin.cuenta"))
    client = deployed.test_client()
    assert login(client, "todo").status_code == 302
    return client


def test_malformed_ids_and_text_are_never_a_server_error(operator):
    """Ids beyond 64 bits, Unicode digits ("²".isdigit() is True), NUL characters (which
    PostgreSQL refuses): each was a 500 on at least one database."""
    wrong = []
    for url in MALFORMED_PAGES + MALFORMED_API:
        response = operator.get(url)
        if response.status_code >= 500:
            wrong.append(f"{url}: {response.status_code}")
        if url.startswith("/api/") and response.status_code >= 400:
            if response.mimetype != "application/problem+json":
                wrong.append(f"{url}: {response.mimetype}")
    assert wrong == []
    assert operator.get(f"/instancias/{HUGE}").status_code == 404
    assert operator.get("/api/v1/instances?page=²").status_code == 400


def test_the_api_always_answers_problem_details(operator):
    """An unknown URL, a wrong method or a crash under /api answered an HTML page."""
    for method, url, status in [
        ("GET", "/api/v1/no-existe", 404),
        ("DELETE", "/api/v1/instances", 405),
        ("TRACE", "/api/v1/instances", 405),
        ("PUT", "/api/v1/tasks", 405),
        ("POST", "/api/v1/migrations", 400),
    ]:
        response = operator.open(url, method=method)
        assert response.status_code == status, (method, url)
        assert response.mimetype == "application/problem+json", (method, url)
        problem = response.get_json()
        assert problem["status"] == status and problem["type"] == "about:blank"
        assert problem["title"] and problem["detail"], (method, url)
    anonymous = operator.application.test_client()
    refused = anonymous.get("/api/v1/processes")
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_methods_answer_405_with_allow(operator):
    """TRACE and other unsupported methods answered 400, without the Allow header."""
    for method, url in [
        ("TRACE", "/"),
        ("PUT", "/entrar"),
        ("DELETE", "/tareas/"),
        ("PATCH", "/instancias/"),
    ]:
        response = operator.open(url, method=method)
        assert response.status_code == 405, (method, url)
        assert "GET" in response.headers["Allow"]
        assert "Operación no permitida" in response.get_data(as_text=True)
    assert "POST" in operator.open("/entrar", method="PUT").headers["Allow"]


HOSTILE_BODIES = [
    "[" * 100_000 + "]" * 100_000,  # RecursionError in json
    '{"instance_ids": ' + "[" * 40 + "1" + "]" * 40 + "}",
    '{"instance_ids": [NaN], "dry_run": true}',
    '{"instance_ids": [Infinity], "dry_run": true}',
    '{"instance_ids": [%s], "dry_run": true}' % (2**70),
    '{"instance_ids": [true], "dry_run": true}',
    '{"correlation_value": "a\\u0000b"}',
    "{",
]


def test_hostile_json_bodies_are_refused_cleanly(operator):
    """Deep nesting was a RecursionError (500); NaN, 2**70 and NUL reached the databases."""
    wrong = []
    for url in ("/api/v1/migrations", "/api/v1/messages/activacion_usuario", "/api/v1/tasks/x/complete"):
        for body in HOSTILE_BODIES:
            response = operator.post(url, data=body, content_type="application/json")
            if response.status_code not in (400, 404) or response.mimetype != "application/problem+json":
                wrong.append(f"{url} {body[:40]}: {response.status_code} {response.mimetype}")
    assert wrong == []


def test_an_oversized_body_is_a_problem_too(make_app):
    from tests.webui.helpers import World
    from tests.webui.helpers import login

    app = make_app(MAX_UPLOAD_BYTES=1000)  # bodies up to 8,000 bytes
    World(app).user("op", roles=("operador",))
    client = app.test_client()
    assert login(client, "op").status_code == 302
    response = client.post(
        "/api/v1/migrations",
        data='{"instance_ids": [' + "1," * 10_000 + "1]}",
        content_type="application/json",
    )
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Lo enviado (un archivo o los datos) supera el tamaño permitido."

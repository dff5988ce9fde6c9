"""JSON API v1: every endpoint, with session and Bearer auth, and the refusals."""

from __future__ import annotations

import pytest

from engine import Actor
from tests.analyst.diagrams import changed_registration
from tests.analyst.diagrams import dangling_registration
from tests.analyst.helpers import start_registration
from tests.engine.onboarding import user_form


@pytest.fixture
def tokens(app, people):
    """Bearer headers by role, plus a system token."""
    from webui.api import tokens as api_tokens

    with app.app_context():
        made = {key: api_tokens.issue(key, people["ids"][key]) for key in ("analyst", "operator", "plain")}
        made["system"] = api_tokens.issue("sistema", None)
    return {key: {"Authorization": f"Bearer {raw}"} for key, raw in made.items()}


@pytest.fixture
def api(app):
    return app.test_client()


def test_openapi_document_is_served_and_lists_every_route(app, api):
    spec = api.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {path for path in spec["paths"]}
    routes = {
        rule.rule.removeprefix("/api/v1")
        .replace("<int:", "{")
        .replace("<path:", "{")
        .replace("<", "{")
        .replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.v1.")
    }
    assert routes == documented


def test_no_credentials_or_a_bad_token_is_401(api):
    assert api.get("/api/v1/processes").status_code == 401
    response = api.get("/api/v1/tasks", headers={"Authorization": "Bearer secop_nope"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json" and "detail" in response.json


def test_revoked_token_is_401(app, api, tokens):
    assert api.get("/api/v1/processes", headers=tokens["analyst"]).status_code == 200
    app.test_cli_runner().invoke(args=["revoke-token", "analyst"])
    assert api.get("/api/v1/processes", headers=tokens["analyst"]).status_code == 401


def test_process_models_for_analysts(api, tokens, runner):
    start_registration(runner)
    body = api.get("/api/v1/processes", headers=tokens["analyst"]).json
    registration = [p for p in body["processes"] if p["process_id"] == "registro_usuario"][0]
    assert registration["versions"][0]["instances"] == 1
    versions = api.get("/api/v1/processes/registro_usuario/versions", headers=tokens["analyst"]).json[
        "versions"
    ]
    version_id = versions[0]["id"]
    one = api.get(f"/api/v1/versions/{version_id}", headers=tokens["analyst"]).json
    assert "registro_usuario.bpmn" in one["files"] and "forms/registrar_usuario-schema.json" in one["files"]
    xml = api.get(f"/api/v1/versions/{version_id}/files/registro_usuario.bpmn", headers=tokens["analyst"])
    assert xml.mimetype == "application/xml" and b"registrar_usuario" in xml.data
    assert xml.headers["Content-Disposition"] == 'attachment; filename="registro_usuario.bpmn"'  # not inline
    assert (
        api.get(f"/api/v1/versions/{version_id}/files/no.json", headers=tokens["analyst"]).status_code == 404
    )
    assert api.get("/api/v1/versions/999", headers=tokens["analyst"]).status_code == 404
    assert api.get("/api/v1/processes/nada/versions", headers=tokens["analyst"]).status_code == 404


def test_deploy_through_the_api(api, tokens, runner):
    url = "/api/v1/processes/registro_usuario/versions"
    dangling = dangling_registration().decode()
    why = {"comment": "Revisar los datos antes de crear el usuario"}
    bad = api.post(url, json={"xml": dangling, **why}, headers=tokens["analyst"])
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    # The problem names the file and the line where the element is declared.
    line = next(n for n, text in enumerate(dangling.splitlines(), 1) if 'id="revisar_datos"' in text)
    assert f"registro_usuario.bpmn:{line}: revisar_datos: el elemento no tiene flujo de salida" in [
        p["text"] for p in bad.json["problems"]
    ]
    no_reason = api.post(url, json={"xml": changed_registration().decode()}, headers=tokens["analyst"])
    assert no_reason.status_code == 400 and "Falta «comment»" in no_reason.json["detail"]
    good = api.post(url, json={"xml": changed_registration().decode(), **why}, headers=tokens["analyst"])
    assert good.status_code == 201 and good.json["versions"][0]["number"] == 2
    assert good.json["versions"][0]["origin"] == "api"  # deploy-diagrams keeps it unless --force
    assert good.json["versions"][0]["comment"] == why["comment"]  # who and why, in the history
    assert good.json["versions"][0]["deployed_by"] is not None
    same = api.post(url, json={"xml": changed_registration().decode(), **why}, headers=tokens["analyst"])
    assert same.status_code == 200 and same.json["versions"] == []
    assert api.post(url, json={"nada": 1}, headers=tokens["analyst"]).status_code == 400
    assert api.post(url, data="x", headers=tokens["analyst"]).status_code == 400


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/processes/registro_usuario/versions"),
        ("get", "/api/v1/versions/1"),
        ("get", "/api/v1/versions/1/files/registro_usuario.bpmn"),
        ("post", "/api/v1/processes/registro_usuario/versions"),
        ("get", "/api/v1/instances/1"),
        ("post", "/api/v1/instances/1/cancel"),
        ("post", "/api/v1/instances/1/retry"),
        ("get", "/api/v1/processes/registro_usuario/heatmap"),
    ],
)
def test_ids_of_another_role_are_404(api, tokens, runner, method, url):
    start_registration(runner)
    for who in ("plain", "system"):
        response = getattr(api, method)(url, json={"reason": "x", "xml": "<x/>"}, headers=tokens[who])
        assert response.status_code == 404, (who, response.json)


@pytest.mark.parametrize(
    "method,url,who",
    [
        ("get", "/api/v1/processes", "operator"),
        ("get", "/api/v1/instances", "analyst"),
        ("post", "/api/v1/migrations", "analyst"),
        ("post", "/api/v1/messages/activacion_usuario", "analyst"),
        ("get", "/api/v1/tasks", "system"),
    ],
)
def test_collections_of_another_role_are_403(api, tokens, method, url, who):
    response = getattr(api, method)(
        url, json={"instance_ids": [1], "correlation_value": "x"}, headers=tokens[who]
    )
    assert response.status_code == 403


def test_instances_for_operators(api, tokens, runner):
    waiting, _ = start_registration(runner)
    past, _ = start_registration(runner, fill=True)
    page = api.get(
        "/api/v1/instances?process_id=registro_usuario&sort=id&per_page=1", headers=tokens["operator"]
    )
    assert page.json["total"] == 2 and [r["id"] for r in page.json["instances"]] == [waiting]
    page2 = api.get("/api/v1/instances?sort=id&per_page=1&page=2&status=running", headers=tokens["operator"])
    assert [r["id"] for r in page2.json["instances"]] == [past]
    assert api.get("/api/v1/instances?started_from=2999-01-01", headers=tokens["operator"]).json["total"] == 0
    assert api.get("/api/v1/instances?started_from=ayer", headers=tokens["operator"]).status_code == 400
    assert api.get("/api/v1/instances?page=x", headers=tokens["operator"]).status_code == 400
    assert (
        api.get("/api/v1/instances?waiting_role=mesa_servicio", headers=tokens["operator"]).json["total"] == 0
    )
    one = api.get(f"/api/v1/instances/{past}", headers=tokens["operator"]).json
    assert one["element_states"]["registrar_usuario"] == "completed"
    assert one["element_states"]["confirmar_registro"] == "active"
    assert "Clave.Segura1" not in str(one) and "[oculto]" in str(one["data"])
    assert api.get("/api/v1/instances/999", headers=tokens["operator"]).status_code == 404
    heat = api.get("/api/v1/processes/registro_usuario/heatmap", headers=tokens["operator"]).json
    assert heat["elements"]["registrar_usuario"]["instances"] == 1
    until = api.get("/api/v1/processes/registro_usuario/heatmap?until=2000-01-01", headers=tokens["operator"])
    assert until.json["elements"] == {}


def test_cancel_retry_and_migrate_through_the_api(api, tokens, runner):
    movable, _ = start_registration(runner)
    stuck, _ = start_registration(runner, fill=True)
    runner.deploy(
        runner.deployed_diagrams().with_files(workflows={"registro_usuario.bpmn": changed_registration()})
    )
    dry = api.post("/api/v1/migrations", json={"instance_ids": [movable, stuck], "dry_run": True},
                   headers=tokens["operator"]).json  # fmt: skip
    assert [(r["instance_id"], r["can_move"]) for r in dry["results"]] == [(movable, True), (stuck, False)]
    no_reason = api.post("/api/v1/migrations", json={"instance_ids": [movable]}, headers=tokens["operator"])
    assert no_reason.status_code == 422
    assert (
        api.post("/api/v1/migrations", json={"instance_ids": "1"}, headers=tokens["operator"]).status_code
        == 400
    )
    real = api.post("/api/v1/migrations", json={"instance_ids": [movable, stuck], "reason": "v2"},
                    headers=tokens["operator"]).json  # fmt: skip
    assert [r["can_move"] for r in real["results"]] == [True, False]
    assert runner.instance(movable).version_id != runner.instance(stuck).version_id

    assert (
        api.post(
            f"/api/v1/instances/{stuck}/retry", json={"reason": "x"}, headers=tokens["operator"]
        ).status_code
        == 409
    )
    assert (
        api.post(f"/api/v1/instances/{stuck}/cancel", json={}, headers=tokens["operator"]).status_code == 422
    )
    done = api.post(
        f"/api/v1/instances/{stuck}/cancel", json={"reason": "Duplicado"}, headers=tokens["operator"]
    )
    assert done.status_code == 200 and runner.instance(stuck).status == "cancelled"
    again = api.post(
        f"/api/v1/instances/{stuck}/cancel", json={"reason": "Duplicado"}, headers=tokens["operator"]
    )
    assert again.status_code == 409


def test_tasks_follow_the_engine_rules(app, api, tokens, runner, people):
    from tests.webui.helpers import login

    # a logged-in user starts a registration of an entity: the task is theirs only
    user = runner.actor_for_user(people["ids"]["plain"])
    started = runner.start("registro_entidad", user)
    mine = api.get("/api/v1/tasks", headers=tokens["plain"]).json["tasks"]
    assert [t["instance_id"] for t in mine] == [started.instance_id]
    task_id = mine[0]["id"]
    form = api.get(f"/api/v1/tasks/{task_id}", headers=tokens["plain"]).json
    assert form["task"]["name"] == "validar_entidad" and form["schema"]["type"] == "object"
    assert api.get(f"/api/v1/tasks/{task_id}", headers=tokens["operator"]).status_code == 404
    assert api.get("/api/v1/tasks/no-es-un-id", headers=tokens["plain"]).status_code == 404
    invalid = api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=tokens["plain"])
    assert invalid.status_code == 422 and "nit" in invalid.json["errors"]
    assert (
        api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": []}, headers=tokens["plain"]).status_code
        == 400
    )
    other = api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=tokens["operator"])
    assert other.status_code == 404
    entity = {"entity_name": "Alcaldía de Chía", "nit": "899999172"}
    done = api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": entity}, headers=tokens["plain"])
    assert done.status_code == 200 and done.json["next_tasks"][0]["name"] == "registrar_entidad"
    again = api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=tokens["plain"])
    assert again.status_code == 409
    # the same through the session (no CSRF in this app's config)
    client = app.test_client()
    login(client, people["plain"])
    assert client.get("/api/v1/tasks").json["tasks"][0]["name"] == "registrar_entidad"


def test_deliver_message_operator_or_system(api, tokens, runner):
    from tests.engine.onboarding import Onboarding

    walk = Onboarding(runner)
    started = runner.start("registro_usuario", Actor.anonymous())
    anonymous = Actor.anonymous(started.anonymous_token)
    runner.complete_task(anonymous, started.next_tasks[0].id, user_form("mensaje.api"))
    value = walk.activation_hash()
    url = "/api/v1/messages/activacion_usuario"
    assert api.post(url, json={"correlation_value": value}, headers=tokens["plain"]).status_code == 403
    assert api.post(url, json={}, headers=tokens["system"]).status_code == 400
    assert (
        api.post(url, json={"correlation_value": value, "payload": []}, headers=tokens["system"]).status_code
        == 400
    )
    assert api.post(url, json={"correlation_value": "otro"}, headers=tokens["operator"]).status_code == 404
    delivered = api.post(url, json={"correlation_value": value}, headers=tokens["system"])
    assert delivered.status_code == 200 and delivered.json["instance_id"] == started.instance_id
    assert runner.instance(started.instance_id).status == "completed"  # activated: the registration ends


def test_session_writes_need_csrf_but_bearer_writes_do_not(make_app):
    from tests.webui.helpers import World
    from tests.webui.helpers import username_of
    from webui.api import tokens as api_tokens

    app = make_app(WTF_CSRF_ENABLED=True)
    operator_id = World(app).user(roles=("operador",))
    operator = username_of(app, operator_id)
    instance_id, _ = start_registration(app.extensions["runner"])
    client = app.test_client()
    page = client.get("/entrar").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/entrar", data={"usuario": operator, "contrasena": "Clave-segura-1", "csrf_token": token})
    url = f"/api/v1/instances/{instance_id}/cancel"
    refused = client.post(url, json={"reason": "x"})
    assert refused.status_code == 400 and "CSRF" in refused.json["detail"]
    assert client.get("/api/v1/instances").status_code == 200  # reads need no token
    with app.app_context():
        raw = api_tokens.issue("op", operator_id)
    bearer = app.test_client().post(url, json={"reason": "x"}, headers={"Authorization": f"Bearer {raw}"})
    assert bearer.status_code == 200


def test_incidents_variables_retry_suspend_and_resume_through_the_api(app, api, tokens, people, runner):
    """Issue 18 point 6: what an operator does on the pages, through /api/v1."""
    from tests.analyst.test_instances_pages import _failed_registration

    instance_id = _failed_registration(app, runner, people, "pasaporte.api")
    operator = tokens["operator"]
    assert api.get("/api/v1/incidents", headers=tokens["plain"]).status_code == 403
    [incident] = api.get("/api/v1/incidents", headers=operator).get_json()["incidents"]
    assert (incident["instance_id"], incident["element_id"], incident["status"]) == (
        instance_id, "clasificar_documento", "open")  # fmt: skip
    assert incident["message"].startswith("El paso «Clasificar documento» busca la clave")
    assert "document_type" in incident["data_keys"]
    assert api.get("/api/v1/incidents?process_id=otro", headers=operator).get_json() == {"incidents": []}
    assert api.get("/api/v1/incidents?age=nunca", headers=operator).status_code == 400

    url = f"/api/v1/instances/{instance_id}"
    refused = api.post(f"{url}/variables", json={"variables": "[1]", "reason": "x"}, headers=operator)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"variables": ["Debe ser un objeto."]}
    no_reason = api.post(f"{url}/variables", json={"variables": {}}, headers=operator)
    assert no_reason.status_code == 422
    data = api.get(url, headers=operator).get_json()["data"]
    fix = {"variables": {**data, "document_type": "Cédula de ciudadanía"}, "reason": "Es cédula"}
    fixed = api.post(f"{url}/variables", headers=operator, json=fix)
    assert fixed.status_code == 200 and fixed.get_json()["data"]["document_type"] == "Cédula de ciudadanía"
    not_running = api.post(f"{url}/suspend", json={"reason": "x"}, headers=operator)
    assert not_running.status_code == 409

    retry = f"/api/v1/incidents/{incident['id']}/retry"
    retried = api.post(retry, json={"reason": "Corregido"}, headers=operator)
    assert retried.status_code == 200
    assert retried.get_json() == {
        "id": instance_id, "status": "running", "ran": ["Clasificar documento"], "failed": None,
        "waiting": [], "report": "Se ejecutó de nuevo «Clasificar documento»: el trámite sigue su curso.",
    }  # fmt: skip
    again = api.post(retry, json={"reason": "x"}, headers=operator)
    assert again.status_code == 409
    assert api.get("/api/v1/incidents?status=resolved", headers=operator).get_json()["incidents"][0][
        "resolution"] == "retried"  # fmt: skip

    suspended = api.post(f"{url}/suspend", json={"reason": "Verificar"}, headers=operator)
    assert suspended.get_json() == {"id": instance_id, "status": "suspended"}
    assert api.get("/api/v1/instances?status=suspended", headers=operator).get_json()["total"] == 1
    resumed = api.post(f"{url}/resume", json={"reason": "Verificado"}, headers=operator)
    assert resumed.get_json() == {"id": instance_id, "status": "running"}
    kinds = [e["kind"] for e in api.get(url, headers=operator).get_json()["events"]]
    assert kinds[-2:] == ["suspended", "resumed"]
    assert kinds.index("step_failed") < kinds.index("variables_edited") < kinds.index("retried")

"""Issue 18.6: the API does what the inbox does — claim, release, reassign, a supervisor's
unclaim and views, starting a procedure — with the same rules, as problem details."""

from __future__ import annotations

import pytest

from tests.engine.onboarding import support_form


@pytest.fixture
def api(deployed, world):
    from webui.api import tokens

    people = {name: world.user(name, roles=roles) for name, roles in (
        ("agente1", ("mesa_servicio",)), ("agente2", ("mesa_servicio",)), ("jefa", ("supervisor",)),
        ("admin.cuenta", ()), ("persona", ()),
    )}  # fmt: skip
    account = world.account(admin=people["admin.cuenta"])
    runner = deployed.extensions["runner"]
    admin = runner.actor_for_user(people["admin.cuenta"])
    started = runner.start("activacion_cuenta", admin, {"account_id": account, "account_name": "A"})
    runner.complete_task(admin, runner.inbox(admin, instance_id=started.instance_id)[0].id, support_form())
    with deployed.app_context():
        raw = {name: tokens.issue("t", user_id) for name, user_id in people.items()}
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in raw.items()}
    task = runner.inbox(runner.actor_for_user(people["agente1"]), instance_id=started.instance_id)[0].id
    return deployed.test_client(), headers, people, task, account


def test_claim_reassign_unclaim_release(api):
    client, h, people, task, _ = api
    claimed = client.post(f"/api/v1/tasks/{task}/claim", headers=h["agente1"])
    assert claimed.status_code == 200 and claimed.json["task"]["claimed_by"] == people["agente1"]
    refused = client.post(f"/api/v1/tasks/{task}/complete", json={"data": {"decision": "activar"}},
                          headers=h["agente2"])  # fmt: skip
    assert refused.status_code == 409 and refused.json["detail"].startswith("Otra persona tiene esta tarea")
    assert client.post(f"/api/v1/tasks/{task}/release", headers=h["agente2"]).status_code == 409

    seen = client.get("/api/v1/tasks?scope=supervised", headers=h["jefa"]).json["tasks"]
    assert [(t["id"], t["claimed_by"]) for t in seen] == [(task, people["agente1"])]
    assert client.get("/api/v1/tasks", headers=h["jefa"]).json["tasks"] == []  # not hers to work
    assert client.get("/api/v1/tasks?scope=todo", headers=h["jefa"]).status_code == 400
    assert client.post(f"/api/v1/tasks/{task}/unclaim", json={}, headers=h["agente2"]).status_code == 404
    missing = client.post(f"/api/v1/tasks/{task}/unclaim", json={}, headers=h["jefa"])
    assert missing.status_code == 422 and missing.json["errors"] == {"reason": ["Indique el motivo."]}
    unclaimed = client.post(f"/api/v1/tasks/{task}/unclaim", json={"reason": "Sin avance"}, headers=h["jefa"])
    assert unclaimed.status_code == 200 and unclaimed.json["task"]["claimed_by"] is None

    nobody = client.post(f"/api/v1/tasks/{task}/reassign", json={"username": "persona", "reason": "x"},
                         headers=h["jefa"])  # fmt: skip
    assert nobody.status_code == 422 and "no puede atender esta tarea" in nobody.json["errors"]["user"][0]
    moved = client.post(f"/api/v1/tasks/{task}/reassign", json={"username": "agente2", "reason": "Turno"},
                        headers=h["jefa"])  # fmt: skip
    assert moved.status_code == 200 and moved.json["task"]["claimed_by"] == people["agente2"]
    assert moved.json["task"]["claimed_at"]
    released = client.post(f"/api/v1/tasks/{task}/release", headers=h["agente2"])
    assert released.status_code == 200 and released.json["task"]["claimed_by"] is None
    assert client.post(f"/api/v1/tasks/{task}/claim", headers=h["persona"]).status_code == 404


def test_start_a_procedure(api):
    client, h, people, _, account = api
    started = client.post("/api/v1/processes/solicitud_acceso/instances", json={}, headers=h["persona"])
    assert started.status_code == 201
    assert [t["name"] for t in started.json["next_tasks"]] == ["buscar_cuenta"]
    assert client.post("/api/v1/processes/registro_usuario/instances", json={},
                       headers=h["persona"]).status_code == 404  # fmt: skip
    assert client.post("/api/v1/processes/perfil_mixto/instances", json={},
                       headers=h["admin.cuenta"]).status_code == 422  # fmt: skip
    stranger = client.post("/api/v1/processes/perfil_mixto/instances", json={"account_id": account},
                           headers=h["persona"])  # fmt: skip
    assert stranger.status_code == 403
    mixed = client.post("/api/v1/processes/perfil_mixto/instances", json={"account_id": account},
                        headers=h["admin.cuenta"])  # fmt: skip
    assert mixed.status_code == 201 and mixed.json["next_tasks"][0]["name"] == "solicitar_perfil_mixto"
    assert client.post("/api/v1/processes/solicitud_acceso/instances", json={}).status_code == 401

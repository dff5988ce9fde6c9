"""The API's drafts (issue 16, gap 2): API clients follow the browser's rule, nothing live
until deployed. Read the draft, save files into it naming the version and revision they were
made on (a stale start is refused with both changes), deploy it with a reason, discard it."""

from __future__ import annotations

import pytest

from tests.analyst.diagrams import NEW_FORM
from tests.analyst.diagrams import REGISTRATION
from tests.analyst.diagrams import changed_registration
from tests.analyst.diagrams import new_form
from tests.analyst.diagrams import registration_with_a_new_form

DRAFT = "/api/v1/processes/registro_usuario/draft"
RENAMED = REGISTRATION.read_text().replace('name="Registrar usuario"', 'name="Registrar al usuario"', 1)


@pytest.fixture
def api(app, people):
    """A test client and the analyst's and operator's Bearer headers."""
    from webui.api import tokens as api_tokens

    with app.app_context():
        analyst = api_tokens.issue("analista", people["ids"]["analyst"])
        operator = api_tokens.issue("operador", people["ids"]["operator"])
    return (app.test_client(), {"Authorization": f"Bearer {analyst}"},
            {"Authorization": f"Bearer {operator}"})  # fmt: skip


def _save(client, headers, base: int, revision: int, **files):
    return client.put(DRAFT, headers=headers, json={**files, "base_version": base, "base_revision": revision})


def _deploy(client, headers, revision: int, comment: str):
    return client.post(f"{DRAFT}/deploy", headers=headers, json={"revision": revision, "comment": comment})


def _numbers(runner) -> list[int]:
    return [v.number for v, _ in runner.versions("registro_usuario")]


def test_an_api_change_is_a_draft_until_deployed_with_a_reason(api, runner, people):
    client, analyst, _ = api
    start = client.get(DRAFT, headers=analyst).json
    live = runner.versions("registro_usuario")[0][0]
    assert start["exists"] is False and start["revision"] == 0 and start["base_version"] == live.id
    assert start["files"]["registro_usuario.bpmn"] == live.files["registro_usuario.bpmn"]

    saved = _save(client, analyst, live.id, 0, xml=RENAMED)
    assert saved.status_code == 200, saved.json
    assert saved.json["revision"] == 1 and saved.json["problems"] == []
    assert _numbers(runner) == [1]  # nothing live
    draft = client.get(DRAFT, headers=analyst).json
    assert draft["exists"] is True and draft["revision"] == 1 and draft["updated_by"] == people["analyst"]
    assert 'name="Registrar al usuario"' in draft["files"]["registro_usuario.bpmn"]

    no_reason = _deploy(client, analyst, 1, " ")
    assert no_reason.status_code == 400 and "comment" in no_reason.json["detail"]
    deployed = _deploy(client, analyst, 1, "Nombre más claro")
    assert deployed.status_code == 201, deployed.json
    [version] = deployed.json["versions"]
    assert (version["number"], version["origin"], version["comment"]) == (2, "api", "Nombre más claro")
    assert version["deployed_by"] == people["ids"]["analyst"]
    assert _numbers(runner) == [2, 1]
    assert client.get(DRAFT, headers=analyst).json["exists"] is False


def test_a_stale_save_is_refused_with_both_changes(api, runner):
    client, analyst, _ = api
    base = runner.versions("registro_usuario")[0][0].id
    first = _save(client, analyst, base, 0, xml=RENAMED)
    assert first.status_code == 200
    stale = _save(client, analyst, base, 0, xml=changed_registration().decode())
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert "Otra persona guardó el borrador (revisión 1)" in stale.json["detail"]
    conflict = stale.json["conflict"]
    assert "elemento modificado: Registrar al usuario (registrar_usuario)" in conflict["theirs"]
    assert "elemento nuevo: Revisar datos del registro (revisar_datos)" in conflict["yours"]
    assert "Revisar datos" not in runner.drafts.get("registro_usuario").files["registro_usuario.bpmn"]


def test_a_new_task_and_its_new_form_in_two_saves(api, runner):
    """The form is checked against the draft it joins: the draft's new diagram uses it."""
    client, analyst, _ = api
    base = runner.versions("registro_usuario")[0][0].id
    diagram = _save(client, analyst, base, 0, xml=registration_with_a_new_form().decode())
    assert diagram.status_code == 200
    assert any(NEW_FORM in p["message"] for p in diagram.json["problems"])  # the form is missing
    form = _save(client, analyst, base, 1, forms={NEW_FORM: new_form()})
    assert form.status_code == 200, form.json
    assert form.json["problems"] == [] and f"forms/{NEW_FORM}" in form.json["files"]
    unused = _save(client, analyst, base, 2, forms={"nadie_lo_usa-schema.json": new_form()})
    assert unused.status_code == 422
    assert unused.json["refused"] == [
        "«nadie_lo_usa-schema.json»: ningún proceso lo usa; no se desplegó nada."
    ]
    deployed = _deploy(client, analyst, 2, "Revisar datos")
    assert deployed.status_code == 201
    assert f"forms/{NEW_FORM}" in runner.versions("registro_usuario")[0][0].files


def test_discard_names_the_revision_and_deploy_refuses_a_changed_draft(api, runner):
    client, analyst, _ = api
    base = runner.versions("registro_usuario")[0][0].id
    _save(client, analyst, base, 0, xml=RENAMED)
    lanes = runner.versions("registro_usuario")[0][0].files["lanes.json"]
    _save(client, analyst, base, 1, lanes=lanes)
    old = _deploy(client, analyst, 1, "Revisado")
    assert old.status_code == 409 and "El borrador cambió (revisión 2)" in old.json["detail"]
    assert client.post(f"{DRAFT}/discard", headers=analyst, json={"revision": 1}).status_code == 409
    assert client.post(f"{DRAFT}/discard", headers=analyst, json={"revision": 2}).status_code == 204
    assert runner.drafts.get("registro_usuario") is None and _numbers(runner) == [1]
    assert client.post(f"{DRAFT}/discard", headers=analyst, json={"revision": 2}).status_code == 404


def test_only_analysts_see_or_change_drafts(api, runner):
    client, _, operator = api
    base = runner.versions("registro_usuario")[0][0].id
    assert client.get(DRAFT, headers=operator).status_code == 404
    refused = _save(client, operator, base, 0, xml=RENAMED)
    assert refused.status_code == 404 and runner.drafts.get("registro_usuario") is None

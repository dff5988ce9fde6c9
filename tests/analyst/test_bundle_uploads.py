"""Uploads of the other files of a bundle (.dmn, lanes.json, forms), through the page and the
API: taken and versioned, or refused by name with nothing deployed; never 200-and-ignore."""

from __future__ import annotations

import io
import json

from tests.analyst.diagrams import NEW_FORM
from tests.analyst.diagrams import ROOT
from tests.analyst.diagrams import new_form
from tests.analyst.diagrams import registration_with_a_new_form
from tests.analyst.helpers import base
from tests.analyst.helpers import deploy_draft

DMN = ROOT / "workflows" / "documentos_requeridos.dmn"
LANES = ROOT / "workflows" / "lanes.json"


def changed_decision() -> bytes:
    text = DMN.read_text()
    old = "§5.2 Acta de posesión del Ordenador del Gasto"
    assert text.count(old) == 1
    return text.replace(old, "§5.2 Acta de posesión vigente del Ordenador del Gasto").encode()


def lanes_with_an_auditor() -> dict:
    return json.loads(LANES.read_text()) | {"Auditoría": {"kind": "platform", "role": "mesa_servicio"}}


def _numbers(runner) -> dict[str, int]:
    return {v.process_id: v.number for v in runner.latest_versions()}


def _upload(client, runner, files, process_id="registro_entidad"):
    """The process page's upload: the files go to the process's draft."""
    return client.post(
        f"/modelos/{process_id}/subir",
        data={"archivos": [(io.BytesIO(data), name) for name, data in files], **base(runner, process_id)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_decision_table_change_versions_only_the_processes_that_call_it(as_user, people, runner):
    """registro_entidad calls the table (nothing calls registro_entidad since 13.9: section 3
    starts it); registro_usuario, the activation and access processes do not, so they keep
    their version."""
    before = _numbers(runner)
    client = as_user(people["analyst"])
    page = _upload(client, runner, [("documentos_requeridos.dmn", changed_decision())]).get_data(as_text=True)
    assert "Borrador guardado (revisión 1)" in page and 'data-archivo="documentos_requeridos.dmn"' in page
    assert _numbers(runner) == before  # saved in the draft, not live
    deployed = "Se desplegó: registro_entidad versión 2."
    assert deployed in deploy_draft(client, runner, "registro_entidad").get_data(as_text=True)
    calling = {"registro_entidad"}
    assert _numbers(runner) == {p: n + (p in calling) for p, n in before.items()}
    assert {"registro_usuario", "activacion_cuenta", "solicitud_acceso"} <= set(before) - calling
    newest = runner.versions("registro_entidad")[0][0]
    assert newest.files["documentos_requeridos.dmn"] == changed_decision().decode()
    assert "documentos_requeridos.dmn" not in runner.versions("activacion_cuenta")[0][0].files


def test_lanes_upload_versions_every_process(as_user, people, runner):
    before = _numbers(runner)
    lanes = json.dumps(lanes_with_an_auditor()).encode()
    client = as_user(people["analyst"])
    page = _upload(client, runner, [("lanes.json", lanes)], "registro_usuario").get_data(as_text=True)
    assert "Borrador guardado" in page and _numbers(runner) == before
    assert "Se desplegó:" in deploy_draft(client, runner, "registro_usuario").get_data(as_text=True)
    assert _numbers(runner) == {process_id: number + 1 for process_id, number in before.items()}
    assert json.loads(runner.versions("registro_usuario")[0][0].files["lanes.json"])["Auditoría"]


def test_files_it_cannot_take_are_refused_by_name(as_user, people, runner):
    client = as_user(people["analyst"])
    before = _numbers(runner)
    page = _upload(
        client, runner, [("notas.txt", b"hola"), ("documentos_requeridos.dmn", changed_decision())]
    ).get_data(as_text=True)
    assert "«notas.txt»: no se puede usar; se aceptan diagramas .bpmn, tablas de decisión .dmn" in page
    bpmn = _upload(client, runner, [("otro.bpmn", b"<x/>")]).get_data(as_text=True)
    assert "«otro.bpmn»: un diagrama .bpmn se sube en la página de su proceso." in bpmn
    unused = _upload(client, runner, [("nuevo-schema.json", b'{"type": "object"}')]).get_data(as_text=True)
    assert "«nuevo-schema.json»: ningún proceso lo usa; no se desplegó nada." in unused
    nothing = _upload(client, runner, []).get_data(as_text=True)
    assert "Seleccione el diagrama .bpmn o los archivos que cambiaron." in nothing
    assert _numbers(runner) == before and runner.drafts.get("registro_entidad") is None


def test_a_broken_decision_table_shows_the_checker_problems(as_user, people, runner):
    broken = changed_decision().replace(b"<text>True</text>", b"<text>import os</text>", 1)
    client = as_user(people["analyst"])
    response = _upload(client, runner, [("documentos_requeridos.dmn", broken)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "documentos_requeridos.dmn" in html
    assert "se guardó en el borrador, pero no se puede desplegar así" in html
    assert len(runner.versions("registro_entidad")) == 1
    draft = client.get("/modelos/registro_entidad/borrador").get_data(as_text=True)
    assert 'id="problemas-borrador"' in draft and '<button type="submit" disabled>Desplegar</button>' in draft
    refused = deploy_draft(client, runner, "registro_entidad")
    assert refused.status_code == 422 and len(runner.versions("registro_entidad")) == 1


def test_api_takes_decisions_lanes_and_forms_and_refuses_the_rest(app, runner, people):
    from webui.api import tokens as api_tokens

    with app.app_context():
        headers = {"Authorization": f"Bearer {api_tokens.issue('analyst', people['ids']['analyst'])}"}
    api = app.test_client()
    url = "/api/v1/processes/registro_entidad/versions"
    before = _numbers(runner)
    why = {"comment": "Tabla de documentos revisada"}
    table = {"documentos_requeridos.dmn": changed_decision().decode()}
    silent = api.post(url, json={"decisions": table}, headers=headers)
    assert silent.status_code == 400 and "Falta «comment»" in silent.json["detail"]
    assert _numbers(runner) == before
    decision = api.post(url, json={"decisions": table, **why}, headers=headers)
    assert decision.status_code == 201
    assert {v["comment"] for v in decision.json["versions"]} == {"Tabla de documentos revisada"}
    assert {v["origin"] for v in decision.json["versions"]} == {"api"}
    assert [v["process_id"] for v in decision.json["versions"]] == ["registro_entidad"]
    lanes = api.post(url, json={"lanes": lanes_with_an_auditor(), **why}, headers=headers)
    assert lanes.status_code == 201 and len(lanes.json["versions"]) == len(before)
    form = json.loads((ROOT / "forms" / "anexar_documentos-uischema.json").read_text())
    form["ui:order"] = list(reversed(form.get("ui:order", []))) or ["*"]
    changed = api.post(url, json={"forms": {"anexar_documentos-uischema.json": form}, **why}, headers=headers)
    assert changed.status_code == 201
    unused = api.post(url, json={"forms": {"nuevo-schema.json": {"type": "object"}}, **why}, headers=headers)
    assert unused.status_code == 422 and unused.mimetype == "application/problem+json"
    assert unused.json["refused"] == ["«nuevo-schema.json»: ningún proceso lo usa; no se desplegó nada."]
    other = api.post(url, json={"forms": {"notas.txt": "hola"}, **why}, headers=headers)
    assert other.status_code == 422 and "«notas.txt»: no se puede usar" in other.json["refused"][0]
    assert api.post(url, json={"decisions": {"tabla.xml": "<x/>"}, **why}, headers=headers).status_code == 400
    assert api.post(url, json={"diagramas": {}}, headers=headers).status_code == 400
    assert api.post(url, json=why, headers=headers).status_code == 400


def test_a_new_task_and_its_new_form_in_two_uploads(as_user, people, runner):
    """The second upload is checked against the draft it joins, whose new diagram uses the form."""
    client = as_user(people["analyst"])
    diagram = client.post(
        "/modelos/registro_usuario/subir",
        data={"diagrama": (io.BytesIO(registration_with_a_new_form()), "registro_usuario.bpmn"),
              **base(runner, "registro_usuario")},  # fmt: skip
        content_type="multipart/form-data",
    )
    assert diagram.status_code == 422 and NEW_FORM in diagram.get_data(as_text=True)  # saved; form missing
    form = json.dumps(new_form()).encode()
    page = _upload(client, runner, [(NEW_FORM, form)], "registro_usuario").get_data(as_text=True)
    assert "ningún proceso lo usa" not in page and "Borrador guardado (revisión 2)" in page
    assert f"forms/{NEW_FORM}" in runner.drafts.get("registro_usuario").files
    deployed = deploy_draft(client, runner, "registro_usuario").get_data(as_text=True)
    assert "Se desplegó: registro_usuario versión 2" in deployed
    assert f"forms/{NEW_FORM}" in runner.versions("registro_usuario")[0][0].files

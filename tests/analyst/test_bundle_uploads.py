"""Uploads of the other files of a bundle (.dmn, lanes.json, forms), through the page and the
API: taken and versioned, or refused by name with nothing deployed; never 200-and-ignore."""

from __future__ import annotations

import io
import json

from tests.analyst.diagrams import ROOT

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


def _upload(client, files, process_id="registro_entidad"):
    return client.post(
        f"/modelos/{process_id}/subir",
        data={"archivos": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_decision_table_change_versions_only_the_processes_that_call_it(as_user, people, runner):
    """registro_entidad calls the table, and registro_usuario calls registro_entidad; the
    activation and access processes do not, so they keep their version."""
    before = _numbers(runner)
    page = _upload(as_user(people["analyst"]), [("documentos_requeridos.dmn", changed_decision())])
    deployed = "Se desplegó: registro_entidad versión 2, registro_usuario versión 2."
    assert deployed in page.get_data(as_text=True)
    calling = {"registro_entidad", "registro_usuario"}
    assert _numbers(runner) == {p: n + (p in calling) for p, n in before.items()}
    assert {"activacion_cuenta", "solicitud_acceso"} <= set(before) - calling
    newest = runner.versions("registro_entidad")[0][0]
    assert newest.files["documentos_requeridos.dmn"] == changed_decision().decode()
    assert "documentos_requeridos.dmn" not in runner.versions("activacion_cuenta")[0][0].files


def test_lanes_upload_versions_every_process(as_user, people, runner):
    before = _numbers(runner)
    lanes = json.dumps(lanes_with_an_auditor()).encode()
    page = _upload(as_user(people["analyst"]), [("lanes.json", lanes)]).get_data(as_text=True)
    assert "Se desplegó:" in page
    assert _numbers(runner) == {process_id: number + 1 for process_id, number in before.items()}
    assert json.loads(runner.versions("registro_usuario")[0][0].files["lanes.json"])["Auditoría"]


def test_files_it_cannot_take_are_refused_by_name(as_user, people, runner):
    client = as_user(people["analyst"])
    before = _numbers(runner)
    page = _upload(
        client, [("notas.txt", b"hola"), ("documentos_requeridos.dmn", changed_decision())]
    ).get_data(as_text=True)
    assert "«notas.txt»: no se puede usar; se aceptan diagramas .bpmn, tablas de decisión .dmn" in page
    bpmn = _upload(client, [("otro.bpmn", b"<x/>")]).get_data(as_text=True)
    assert "«otro.bpmn»: un diagrama .bpmn se sube en la página de su proceso." in bpmn
    unused = _upload(client, [("nuevo-schema.json", b'{"type": "object"}')]).get_data(as_text=True)
    assert "«nuevo-schema.json»: ningún proceso lo usa; no se desplegó nada." in unused
    nothing = _upload(client, []).get_data(as_text=True)
    assert "Seleccione el diagrama .bpmn o los archivos que cambiaron." in nothing
    assert _numbers(runner) == before


def test_a_broken_decision_table_shows_the_checker_problems(as_user, people, runner):
    broken = changed_decision().replace(b"<text>True</text>", b"<text>import os</text>", 1)
    response = _upload(as_user(people["analyst"]), [("documentos_requeridos.dmn", broken)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "documentos_requeridos.dmn" in html
    assert "no se desplegó ninguna versión" in html
    assert len(runner.versions("registro_entidad")) == 1


def test_api_takes_decisions_lanes_and_forms_and_refuses_the_rest(app, runner, people):
    from webui.api import tokens as api_tokens

    with app.app_context():
        headers = {"Authorization": f"Bearer {api_tokens.issue('analyst', people['ids']['analyst'])}"}
    api = app.test_client()
    url = "/api/v1/processes/registro_entidad/versions"
    before = _numbers(runner)
    decision = api.post(url, json={"decisions": {"documentos_requeridos.dmn": changed_decision().decode()}},
                        headers=headers)  # fmt: skip
    assert decision.status_code == 201
    assert [v["process_id"] for v in decision.json["versions"]] == ["registro_entidad", "registro_usuario"]
    lanes = api.post(url, json={"lanes": lanes_with_an_auditor()}, headers=headers)
    assert lanes.status_code == 201 and len(lanes.json["versions"]) == len(before)
    form = json.loads((ROOT / "forms" / "anexar_documentos-uischema.json").read_text())
    form["ui:order"] = list(reversed(form.get("ui:order", []))) or ["*"]
    changed = api.post(url, json={"forms": {"anexar_documentos-uischema.json": form}}, headers=headers)
    assert changed.status_code == 201
    unused = api.post(url, json={"forms": {"nuevo-schema.json": {"type": "object"}}}, headers=headers)
    assert unused.status_code == 422 and unused.mimetype == "application/problem+json"
    assert unused.json["refused"] == ["«nuevo-schema.json»: ningún proceso lo usa; no se desplegó nada."]
    other = api.post(url, json={"forms": {"notas.txt": "hola"}}, headers=headers)
    assert other.status_code == 422 and "«notas.txt»: no se puede usar" in other.json["refused"][0]
    assert api.post(url, json={"decisions": {"tabla.xml": "<x/>"}}, headers=headers).status_code == 400
    assert api.post(url, json={"diagramas": {}}, headers=headers).status_code == 400
    assert api.post(url, json={}, headers=headers).status_code == 400

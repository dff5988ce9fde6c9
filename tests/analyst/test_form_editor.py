"""The form editor's server side: the preview is the inbox's own rendering, "Probar" reads
and validates sample values as a real post, and a saved form is versioned with the bundle."""

from __future__ import annotations

import json

from tests.analyst.diagrams import ROOT
from tests.analyst.helpers import base
from tests.analyst.helpers import deploy_draft

PREVIEW = "/modelos/formularios/vista-previa"
SCHEMA = {
    "type": "object",
    "properties": {
        "motivo": {"type": "string", "title": "Motivo de la revisión", "pattern": "^[A-Za-zÁÉÍÓÚáéíóúñ ]+$"},
        "urgente": {"type": "boolean", "title": "¿Es urgente?"},
    },
    "required": ["motivo"],
    "allOf": [
        {
            "if": {"properties": {"urgente": {"const": True}}, "required": ["urgente"]},
            "then": {
                "properties": {"justificacion": {"type": "string", "title": "Justificación de la urgencia"}},
                "required": ["justificacion"],
            },
        }
    ],
}


def test_preview_is_drawn_by_the_inbox_renderer(as_user, people):
    answer = as_user(people["analyst"]).post(
        PREVIEW, json={"name": "revision", "schema": SCHEMA, "uischema": {}}
    )
    assert answer.status_code == 200 and answer.json["problems"] == []
    html = answer.json["html"]
    assert 'class="task-form"' in html and 'id="campo-motivo"' in html and 'name="urgente"' in html
    assert "Diligencie este campo solo si «¿Es urgente?» es «Sí»." in html  # the conditional field


def test_probar_validates_sample_values_on_the_server(as_user, people):
    client = as_user(people["analyst"])
    body = {"name": "revision", "schema": SCHEMA, "uischema": {}}
    empty = client.post(PREVIEW, json=body | {"values": [["urgente", "on"]]}).json
    assert set(empty["errors"]) == {"motivo", "justificacion"} and empty["data"] is None
    assert 'id="campo-motivo-error"' in empty["html"]  # the errors drawn as the inbox draws them
    bad = client.post(PREVIEW, json=body | {"values": [["motivo", "123"]]}).json
    assert list(bad["errors"]) == ["motivo"]
    good = client.post(
        PREVIEW, json=body | {"values": [["motivo", "Cambio de datos"], ["justificacion", "x"]]}
    )
    # not urgent: the conditional field's value is dropped, as a real post drops it
    assert good.json["errors"] == {} and good.json["data"] == {"motivo": "Cambio de datos", "urgente": False}


def test_the_checker_speaks_about_a_broken_schema(as_user, people):
    client = as_user(people["analyst"])
    broken = {"type": "object", "properties": {"x": {"type": "texto"}}}
    answer = client.post(PREVIEW, json={"name": "roto", "schema": broken, "uischema": {}}).json
    assert answer["html"] == "" and answer["problems"][0].startswith("roto no es un JSON Schema válido")
    unknown = {"type": "object", "properties": {"x": {"type": "string", "x-options": "nada"}}}
    answer = client.post(PREVIEW, json={"name": "f", "schema": unknown, "uischema": {}}).json
    assert answer["problems"] == ["f: x: fuente de opciones no registrada 'nada'"]
    assert client.post(PREVIEW, json={"name": "f", "schema": []}).status_code == 400
    assert (
        client.post(PREVIEW, json={"name": "f", "schema": {}, "uischema": {}, "values": "x"}).status_code
        == 400
    )


def test_a_saved_form_goes_to_the_draft_and_lives_only_once_the_draft_is_deployed(as_user, people, runner):
    client = as_user(people["analyst"])
    editor = client.get("/modelos/registro_entidad/formularios/editor?nombre=validar_entidad")
    assert editor.status_code == 200 and "Nombre del campo" in editor.get_data(as_text=True)
    assert client.get("/modelos/registro_entidad/formularios/editor?nombre=nada").status_code == 404
    listing = client.get("/modelos/registro_entidad/formularios").get_data(as_text=True)
    assert "nombre=validar_entidad" in listing and "Nuevo formulario" in listing
    schema = json.loads((ROOT / "forms" / "validar_entidad-schema.json").read_text())
    schema["properties"]["nit"]["description"] = "Solo los números del NIT."
    url = "/modelos/registro_entidad/formularios/editor"
    start = base(runner, "registro_entidad")
    saved = client.post(url, json={"name": "validar_entidad", "schema": schema, "uischema": {}, **start})
    assert saved.status_code == 200 and saved.json["message"].startswith("Borrador guardado (revisión 1)")
    assert len(runner.versions("registro_entidad")) == 1  # nothing live until the draft is deployed
    reopened = client.get("/modelos/registro_entidad/formularios/editor?nombre=validar_entidad")
    assert "Solo los números del NIT." in reopened.get_data(as_text=True)  # the editor opens the draft

    # A second analyst who opened the editor before that save is refused, with both changes.
    stale = client.post(url, json={"name": "validar_entidad", "schema": SCHEMA, "uischema": {}, **start})
    assert stale.status_code == 409 and "Otra persona guardó el borrador" in stale.json["error"]
    assert "archivo modificado: forms/validar_entidad-schema.json" in stale.json["conflict"]["theirs"]
    assert "archivo modificado: forms/validar_entidad-uischema.json" in stale.json["conflict"]["yours"]

    page = client.get("/modelos/registro_entidad/borrador").get_data(as_text=True)
    assert 'data-archivo="forms/validar_entidad-schema.json"' in page and "Solo los números del NIT." in page
    deployed = deploy_draft(client, runner, "registro_entidad").get_data(as_text=True)
    assert "Se desplegó: registro_entidad versión 2" in deployed
    newest = runner.versions("registro_entidad")[0][0]
    assert json.loads(newest.files["forms/validar_entidad-schema.json"]) == schema
    fresh = base(runner, "registro_entidad")
    unused = client.post(url, json={"name": "nuevo", "schema": SCHEMA, "uischema": {}, **fresh})
    assert unused.status_code == 422 and "ningún proceso de este borrador lo usa" in unused.json["refused"][0]
    assert (
        client.post(url, json={"name": "Con Espacios", "schema": SCHEMA, "uischema": {}}).status_code == 400
    )


def test_catalog_lists_functions_with_their_parameters(as_user, people):
    catalog = as_user(people["analyst"]).get("/modelos/catalogo").json
    assert {"name": "user_id", "required": True} in catalog["services"]["activate_user"]
    assert "nit_base" in catalog["checks"] and catalog["options"]


def test_the_modeler_keeps_a_new_form_in_the_draft_with_the_diagram_that_uses_it(as_user, people, runner):
    from tests.analyst.diagrams import changed_registration

    properties = (
        "<spiffworkflow:properties>"
        '<spiffworkflow:property name="formJsonSchemaFilename" value="revision-schema.json" />'
        '<spiffworkflow:property name="formUiSchemaFilename" value="revision-uischema.json" />'
        "</spiffworkflow:properties>\n        <spiffworkflow:instructionsForEndUser>Revise sus datos"
    )
    old = "<spiffworkflow:instructionsForEndUser>Revise sus datos"
    xml = changed_registration().decode().replace(old, properties, 1)
    files = {"forms/revision-schema.json": json.dumps(SCHEMA), "forms/revision-uischema.json": "{}"}
    client = as_user(people["analyst"])
    base = runner.versions("registro_usuario")[0][0].id
    body = {"xml": xml, "files": files, "base_version": base, "base_revision": 0}
    saved = client.post("/modelos/registro_usuario/modelador", json=body)
    assert saved.status_code == 200 and saved.json["problems"] == [], saved.json
    draft = runner.drafts.get("registro_usuario")
    assert json.loads(draft.files["forms/revision-schema.json"]) == SCHEMA
    assert len(runner.versions("registro_usuario")) == 1  # a draft, not live


def test_the_modeler_asks_the_checker_as_the_analyst_edits(as_user, people, runner):
    from tests.analyst.diagrams import changed_registration
    from tests.analyst.diagrams import dangling_registration

    client = as_user(people["analyst"])
    url = "/modelos/registro_usuario/verificar"
    assert client.post(url, json={"xml": changed_registration().decode()}).json == {"problems": []}
    dangling = client.post(url, json={"xml": dangling_registration().decode()}).json["problems"]
    assert {p["element_id"] for p in dangling} == {"revisar_datos", "crear_usuario"}
    lanes = json.loads((ROOT / "workflows" / "lanes.json").read_text())
    lanes["Usuario"] = {"kind": "nadie"}
    bad_lanes = client.post(url, json={"xml": changed_registration().decode(), "lanes": lanes}).json[
        "problems"
    ]
    assert "tipo de carril desconocido (owner|account|platform)" in bad_lanes[0]["message"]
    assert client.post(url, json={"xml": ""}).status_code == 400
    assert len(runner.versions("registro_usuario")) == 1  # nothing deployed by asking

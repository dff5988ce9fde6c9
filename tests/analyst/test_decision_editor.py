"""Decision tables in the workbench: the harness evaluates the table sent (not the deployed
one) on the server, as a business rule task would; saving versions only its callers."""

from __future__ import annotations

from tests.analyst.helpers import base
from tests.analyst.helpers import deploy_draft
from tests.analyst.test_bundle_uploads import DMN
from tests.analyst.test_bundle_uploads import _numbers

TRY = "/modelos/decisiones/probar"
EDITOR = "/modelos/registro_entidad/decisiones/documentos_requeridos.dmn"


def _try(client, xml: bytes, values: dict):
    return client.post(TRY, json={"name": "documentos_requeridos.dmn", "xml": xml.decode(), "values": values})


def test_the_harness_shows_the_rows_that_match_and_the_result(as_user, people):
    client = as_user(people["analyst"])
    xml = DMN.read_bytes()
    plain = _try(
        client, xml, {"business_area": "Nacional", "organization_type": "Otra", "delegated": "false"}
    ).json
    assert [i["expression"] for i in plain["inputs"]] == ["business_area", "organization_type", "delegated"]
    matched = [r["id"] for r in plain["rules"] if r["matched"]]
    assert "regla_acto_delegacion" not in matched and "regla_acta_posesion" in matched
    delegated = _try(
        client, xml, {"business_area": "Nacional", "organization_type": "Otra", "delegated": "true"}
    )
    assert "acto_delegacion" in delegated.json["result"]["documentos_obligatorios"]
    # the table as edited, not as deployed: a changed output shows in the result at once
    edited = xml.replace(b'"acta_posesion_ordenador"', b'"acta_de_posesion"')
    result = _try(client, edited, {"delegated": "false", "business_area": "", "organization_type": ""}).json
    assert "acta_de_posesion" in result["result"]["documentos_obligatorios"]


def test_the_harness_refuses_what_the_checker_refuses(as_user, people):
    client = as_user(people["analyst"])
    evil = DMN.read_bytes().replace(b"<text>True</text>", b'<text>__import__("os")</text>', 1)
    answer = _try(client, evil, {"delegated": "true"}).json
    assert (
        answer["rules"] == [] and "llamada a una función no registrada: __import__" in answer["problems"][0]
    )
    assert "XML mal formado" in _try(client, b"<definitions", {}).json["problems"][0]
    assert client.post(TRY, json={"xml": "<x/>", "values": []}).status_code == 400


def test_a_saved_table_goes_to_the_draft_and_its_deploy_versions_only_its_callers(as_user, people, runner):
    client = as_user(people["analyst"])
    assert "documentos_requeridos.dmn" in client.get("/modelos/registro_entidad/decisiones").get_data(
        as_text=True
    )
    assert 'data-try-url="/modelos/decisiones/probar"' in client.get(EDITOR).get_data(as_text=True)
    assert client.get("/modelos/registro_entidad/decisiones/otra.dmn").status_code == 404
    before = _numbers(runner)
    edited = DMN.read_text().replace(
        "§5.2 Acta de posesión del Ordenador", "§5.2 Acta de posesión vigente del Ordenador"
    )
    start = base(runner, "registro_entidad")
    saved = client.post(EDITOR, json={"xml": edited, **start})
    assert saved.status_code == 200 and saved.json["revision"] == 1
    assert saved.json["message"].startswith("Borrador guardado (revisión 1). No está vigente")
    assert _numbers(runner) == before  # nothing live yet
    editor = client.get(EDITOR).get_data(as_text=True)  # the editor now opens the draft's table
    assert 'data-xml-url="/modelos/registro_entidad/borrador/archivos/documentos_requeridos.dmn"' in editor
    assert 'data-base-revision="1"' in editor
    stale = client.post(EDITOR, json={"xml": DMN.read_text(), **start})
    assert stale.status_code == 409 and stale.json["conflict"]["theirs"] == [
        "archivo modificado: documentos_requeridos.dmn"
    ]
    page = client.get("/modelos/registro_entidad/borrador").get_data(as_text=True)
    assert 'data-archivo="documentos_requeridos.dmn"' in page and "vigente del Ordenador" in page
    deployed = deploy_draft(client, runner, "registro_entidad").get_data(as_text=True)
    assert "Se desplegó: registro_entidad versión 2." in deployed  # its only caller
    after = _numbers(runner)
    assert after == {**before, "registro_entidad": before["registro_entidad"] + 1}
    broken = edited.replace("<text>True</text>", "<text>import os</text>", 1)
    kept = client.post(EDITOR, json={"xml": broken, **base(runner, "registro_entidad")})
    assert kept.status_code == 200 and kept.json["problems"][0]["file"] == "documentos_requeridos.dmn"
    assert "El verificador encontró problemas" in kept.json["message"]
    assert _numbers(runner) == after
    assert client.post(EDITOR, json={}).status_code == 400

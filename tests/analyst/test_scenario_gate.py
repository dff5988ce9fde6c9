"""The scenario tests gate every deploy (issue 16, point 4): a draft, an upload, the API and
`flask deploy-diagrams` all run the changed processes' scenarios (workflows/scenarios) first;
a failing one blocks the deploy and says where the path differed; a change that keeps every
path deploys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.analyst.diagrams import changed_registration

ROOT = Path(__file__).resolve().parents[2]
DRAFT = "/modelos/registro_usuario/borrador"
RENAMED = (ROOT / "workflows" / "registro_usuario.bpmn").read_bytes().replace(
    b'name="Registrar usuario"', b'name="Registrar al usuario"', 1
)


@pytest.fixture
def app(make_app):
    return make_app(WORKFLOWS_DIR=str(ROOT / "workflows"))  # with its scenarios


def _draft(client, runner, xml: bytes):
    base = runner.versions("registro_usuario")[0][0].id
    saved = client.post("/modelos/registro_usuario/modelador",
                        json={"xml": xml.decode(), "base_version": base, "base_revision": 0})  # fmt: skip
    assert saved.status_code == 200 and saved.json["problems"] == []


def test_a_failing_scenario_blocks_a_draft_deploy_and_says_where(as_user, people, runner):
    client = as_user(people["analyst"])
    _draft(client, runner, changed_registration())  # a new task before "Crear usuario"
    refused = client.post(f"{DRAFT}/desplegar", data={"revision": "1", "comentario": "Revisar datos"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "No se desplegó: el escenario" in html
    assert ("el escenario «Usuario nuevo: registro y activación» falló: paso 2: esperaba el mensaje "
            "activacion_usuario, pero espera revisar_datos") in html  # fmt: skip
    assert 'data-escenario="Usuario nuevo: registro y activación" data-resultado="falla"' in html
    assert "Recorrido: registrar_usuario → revisar_datos" in html
    assert "data-scenario-marks='[\"revisar_datos\"" in html.replace("&#34;", '\"')
    assert [v.number for v, _ in runner.versions("registro_usuario")] == [1]
    assert 'name="comentario"' in html and "Revisar datos</textarea>" in html  # nothing lost


def test_a_change_that_keeps_every_path_deploys(as_user, people, runner):
    client = as_user(people["analyst"])
    _draft(client, runner, RENAMED)
    done = client.post(f"{DRAFT}/desplegar", data={"revision": "1", "comentario": "Nombre más claro"})
    assert done.status_code == 302
    assert [v.number for v, _ in runner.versions("registro_usuario")] == [2, 1]


def test_a_failing_scenario_blocks_an_api_deploy(app, runner, people):
    from webui.api import tokens as api_tokens

    with app.app_context():
        raw = api_tokens.issue("analista", people["ids"]["analyst"])
    response = app.test_client().post(
        "/api/v1/processes/registro_usuario/versions",
        json={"xml": changed_registration().decode(), "comment": "Revisar los datos"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert any("Escenario «Usuario nuevo: registro y activación»" in m for m in response.json["refused"])
    assert len(runner.versions("registro_usuario")) == 1


def test_deploy_diagrams_runs_the_scenarios_of_the_folder(app, runner, tmp_path):
    folder = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", folder)
    (folder / "registro_usuario.bpmn").write_bytes(changed_registration())
    runner.version_cache.config.workflows_dir = folder
    refused = app.test_cli_runner().invoke(args=["deploy-diagrams", "--sin-diferencias"])
    assert refused.exit_code != 0
    assert "el escenario «Usuario nuevo: registro y activación» falló" in refused.output
    assert len(runner.versions("registro_usuario")) == 1
    (folder / "registro_usuario.bpmn").write_bytes(RENAMED)
    done = app.test_cli_runner().invoke(args=["deploy-diagrams", "--sin-diferencias"])
    assert done.exit_code == 0, done.output
    assert len(runner.versions("registro_usuario")) == 2


def test_a_failing_scenario_blocks_an_api_draft_deploy_naming_scenario_and_element(app, runner, people):
    from webui.api import tokens as api_tokens

    with app.app_context():
        headers = {"Authorization": f"Bearer {api_tokens.issue('analista', people['ids']['analyst'])}"}
    client, draft = app.test_client(), "/api/v1/processes/registro_usuario/draft"
    base = client.get(draft, headers=headers).json["base_version"]
    changed = {"xml": changed_registration().decode(), "base_version": base, "base_revision": 0}
    assert client.put(draft, headers=headers, json=changed).status_code == 200
    reason = {"revision": 1, "comment": "Revisar datos"}
    refused = client.post(f"{draft}/deploy", headers=headers, json=reason)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert ("el escenario «Usuario nuevo: registro y activación» falló: paso 2: esperaba el mensaje "
            "activacion_usuario, pero espera revisar_datos") in refused.json["detail"]  # fmt: skip
    failed = {s["name"]: s for s in refused.json["scenarios"]}
    assert failed["Usuario nuevo: registro y activación"]["element_id"] == "revisar_datos"
    assert failed["Usuario nuevo: registro y activación"]["process"] == "registro_usuario"
    assert len(runner.versions("registro_usuario")) == 1
    assert runner.drafts.get("registro_usuario").revision == 1  # the draft stays, to fix

"""One source of truth and rollback (issue 16, point 3): ``flask deploy-diagrams`` deploys a
folder only where it differs from the newest version, prints the diff, and keeps versions made
in the browser unless ``--force`` (recorded); a process id change is refused unless it is
explicitly a new process; any version is restored as the newest in one click."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from engine import Actor
from tests.analyst.diagrams import NEW_TASK
from tests.analyst.diagrams import changed_registration
from tests.analyst.helpers import base
from tests.analyst.helpers import deploy_draft

ROOT = Path(__file__).resolve().parents[2]


def _folder(tmp_path, registration: bytes | None = None) -> Path:
    """A copy of workflows/ (without its scenario tests: test_scenario_gate.py), with
    registro_usuario.bpmn replaced when given."""
    folder = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", folder, ignore=shutil.ignore_patterns("scenarios"))
    if registration is not None:
        (folder / "registro_usuario.bpmn").write_bytes(registration)
    return folder


def _deploy_diagrams(app, folder: Path, *args):
    app.extensions["runner"].version_cache.config.workflows_dir = folder
    return app.test_cli_runner().invoke(args=["deploy-diagrams", *args])


def _numbers(runner, process_id="registro_usuario"):
    return [v.number for v, _ in runner.versions(process_id)]


def _upload(client, runner, xml: bytes, filename="registro_usuario.bpmn", deploy=True, **form):
    """Upload the diagram into the draft and (``deploy``) deploy the draft, as an analyst does."""
    response = client.post(
        "/modelos/registro_usuario/subir",
        data={"diagrama": (io.BytesIO(xml), filename), **base(runner, "registro_usuario"), **form},
        content_type="multipart/form-data",
    )
    if deploy and response.status_code == 302 and runner.drafts.get("registro_usuario") is not None:
        return deploy_draft(client, runner, "registro_usuario")
    return response


def test_an_unchanged_folder_makes_no_version(app, runner, tmp_path):
    before = {v.process_id: _numbers(runner, v.process_id) for v in runner.latest_versions()}
    result = _deploy_diagrams(app, _folder(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Sin cambios: ninguna versión nueva." in result.output
    assert {v.process_id: _numbers(runner, v.process_id) for v in runner.latest_versions()} == before


def test_a_changed_folder_deploys_that_process_only_and_prints_the_diff(app, runner, tmp_path):
    others = _numbers(runner, "registro_entidad")
    folder = _folder(tmp_path, changed_registration())
    result = _deploy_diagrams(app, folder, "--comentario", "Revisión de datos")
    assert result.exit_code == 0, result.output
    assert "registro_usuario: cambia respecto de la versión 1 (repository)." in result.output
    assert "elemento nuevo: Revisar datos del registro (revisar_datos)" in result.output
    assert "+++ nuevo/registro_usuario.bpmn" in result.output
    assert f'+    <bpmn:userTask id="{NEW_TASK}"' in result.output
    assert "Desplegado: registro_usuario versión 2." in result.output
    newest = runner.versions("registro_usuario")[0][0]
    assert (newest.number, newest.origin, newest.comment) == (2, "repository", "Revisión de datos")
    assert _numbers(runner, "registro_entidad") == others


def test_deploy_diagrams_keeps_a_browser_version_unless_forced(app, runner, as_user, people, tmp_path):
    assert _upload(as_user(people["analyst"]), runner, changed_registration()).status_code == 200
    browser = runner.versions("registro_usuario")[0][0]
    assert (browser.number, browser.origin) == (2, "browser")

    repository = _folder(tmp_path)  # the repository still has version 1's file
    refused = _deploy_diagrams(app, repository)
    assert refused.exit_code != 0
    assert "No se desplegó nada" in refused.output and "registro_usuario (versión 2)" in refused.output
    assert "--force" in refused.output
    assert "elemento quitado: Revisar datos del registro (revisar_datos)" in refused.output
    assert _numbers(runner) == [2, 1]

    forced = _deploy_diagrams(app, repository, "--force")
    assert forced.exit_code == 0, forced.output
    newest = runner.versions("registro_usuario")[0][0]
    assert (newest.number, newest.origin) == (3, "repository")
    assert newest.comment == "--force: reemplaza la versión 2 (browser)"
    assert newest.content_hash == runner.versions("registro_usuario")[2][0].content_hash
    again = _deploy_diagrams(app, repository)
    assert again.exit_code == 0 and "Sin cambios" in again.output


def test_a_changed_process_id_is_refused_unless_it_is_a_new_process(app, runner, as_user, people):
    client = as_user(people["analyst"])
    # A second process may not also be the anonymous registration (the checker allows one).
    renamed = (
        changed_registration()
        .replace(b'id="registro_usuario"', b'id="registro_usuario_2"')
        .replace(b'name="startableBy" value="anonymous"', b'name="startableBy" value="user"')
    )
    response = _upload(client, runner, renamed)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "«registro_usuario_2», que no es un proceso desplegado" in html
    assert _numbers(runner) == [1] and runner.versions("registro_usuario_2") == []
    assert runner.drafts.get("registro_usuario") is None  # refused, not kept in a draft

    response = _upload(client, runner, renamed, filename="registro_usuario_2.bpmn", proceso_nuevo="1")
    assert response.status_code == 302, response.get_data(as_text=True)
    new = runner.versions("registro_usuario_2")[0][0]
    assert (new.number, new.source_file, new.origin) == (1, "registro_usuario_2.bpmn", "browser")
    assert _numbers(runner) == [1]  # the old process is untouched

    clash = _upload(client, runner, renamed, proceso_nuevo="1")  # a new process may not take an existing file
    assert clash.status_code == 409
    assert "Ya existe un archivo registro_usuario.bpmn" in clash.get_data(as_text=True)


def test_a_version_is_restored_in_one_click_and_new_instances_follow_it(app, runner, as_user, people):
    client = as_user(people["analyst"])
    _upload(client, runner, changed_registration())
    first, second = runner.versions("registro_usuario")[1][0], runner.versions("registro_usuario")[0][0]
    page = client.get("/modelos/registro_usuario").get_data(as_text=True)
    assert f'action="/modelos/versiones/{first.id}/restaurar"' in page
    assert f'action="/modelos/versiones/{second.id}/restaurar"' not in page  # the newest is live already

    response = client.post(f"/modelos/versiones/{first.id}/restaurar", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Se restauró la versión 1 como versión 3" in html
    restored = runner.versions("registro_usuario")[0][0]
    assert (restored.number, restored.origin, restored.content_hash) == (3, "restore", first.content_hash)
    assert restored.comment == "Restaura la versión 1." and restored.deployed_by == people["ids"]["analyst"]
    assert "Restauración: Restaura la versión 1." in html

    started = runner.start("registro_usuario", Actor.anonymous())
    assert runner.instance(started.instance_id).version_id == restored.id
    assert [t.name for t in started.next_tasks] == ["registrar_usuario"]

    same = client.post(f"/modelos/versiones/{restored.id}/restaurar", follow_redirects=True)
    assert "ya es la vigente" in same.get_data(as_text=True) and _numbers(runner) == [3, 2, 1]

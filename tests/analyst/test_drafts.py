"""Drafts (issue 16, points 1 and 2): the modeler saves a draft, never a live version; the
draft's page shows what changes and which running instances wait there, and deploys it with a
required reason recorded in the history; a save from a stale start is refused with both
changes, never a silent overwrite."""

from __future__ import annotations

import json
from pathlib import Path

from tests.analyst.diagrams import NEW_TASK
from tests.analyst.diagrams import changed_registration
from tests.analyst.diagrams import dangling_registration
from tests.analyst.helpers import start_registration

ROOT = Path(__file__).resolve().parents[2]
SAVE = "/modelos/registro_usuario/modelador"
DRAFT = "/modelos/registro_usuario/borrador"


def _base(runner) -> int:
    return runner.versions("registro_usuario")[0][0].id


def _save(client, runner, xml: bytes | None = None, revision=0, base=None, files=None):
    payload = {"base_version": base or _base(runner), "base_revision": revision}
    if xml is not None:
        payload["xml"] = xml.decode()
    if files:
        payload["files"] = files
    return client.post(SAVE, json=payload)


def _renamed_form() -> str:
    schema = json.loads((ROOT / "forms" / "registrar_usuario-schema.json").read_text())
    schema["title"] = "Registro de usuario (nuevo título)"
    return json.dumps(schema, ensure_ascii=False, indent=2)


def test_a_save_makes_a_draft_not_a_version(as_user, people, runner):
    client = as_user(people["analyst"])
    page = client.get("/modelos/registro_usuario/modelador").get_data(as_text=True)
    assert f'data-base-version="{_base(runner)}" data-base-revision="0"' in page
    assert "Guardar borrador" in page
    saved = _save(client, runner, changed_registration())
    assert saved.status_code == 200, saved.json
    assert saved.json["revision"] == 1 and saved.json["problems"] == []
    assert "No está vigente hasta que lo despliegue" in saved.json["message"]
    assert [v.number for v, _ in runner.versions("registro_usuario")] == [1]  # nothing live
    page = client.get("/modelos/registro_usuario/modelador").get_data(as_text=True)
    assert "/modelos/registro_usuario/borrador/archivos/registro_usuario.bpmn" in page  # reopens the draft
    assert 'data-base-revision="1"' in page
    draft_xml = client.get(f"{DRAFT}/archivos/registro_usuario.bpmn").get_data(as_text=True)
    assert f'id="{NEW_TASK}"' in draft_xml


def test_a_draft_with_problems_is_kept_but_cannot_be_deployed(as_user, people, runner):
    client = as_user(people["analyst"])
    saved = _save(client, runner, dangling_registration())
    assert saved.status_code == 200
    assert {p["element_id"] for p in saved.json["problems"]} == {"revisar_datos", "crear_usuario"}
    page = client.get(DRAFT).get_data(as_text=True)
    assert 'id="problemas-borrador"' in page and "revisar_datos: el elemento no tiene flujo de salida" in page
    refused = client.post(f"{DRAFT}/desplegar", data={"revision": "1", "comentario": "Intento"})
    assert refused.status_code == 422
    assert "no se desplegó nada" in refused.get_data(as_text=True)
    assert len(runner.versions("registro_usuario")) == 1


def test_a_stale_save_is_refused_with_both_changes(as_user, people, runner, world, app):
    from tests.webui.helpers import username_of

    first = as_user(people["analyst"])
    second = as_user(username_of(app, world.user(roles=("analista",))))
    assert _save(first, runner, changed_registration()).status_code == 200  # revision 1
    # The second analyst opened the modeler before that save: revision 0, and renames a task.
    renamed = (ROOT / "workflows" / "registro_usuario.bpmn").read_bytes().replace(
        b'name="Registrar usuario"', b'name="Registrar usuario (nuevo)"', 1
    )
    stale = _save(second, runner, renamed, revision=0)
    assert stale.status_code == 409
    body = stale.json
    assert "Otra persona guardó el borrador (revisión 1)" in body["error"]
    assert "elemento nuevo: Revisar datos del registro (revisar_datos)" in body["conflict"]["theirs"]
    assert "elemento modificado: Registrar usuario (nuevo) (registrar_usuario)" in body["conflict"]["yours"]
    assert body["conflict"]["by"] != "Sistema"
    draft_xml = first.get(f"{DRAFT}/archivos/registro_usuario.bpmn").get_data(as_text=True)
    assert f'id="{NEW_TASK}"' in draft_xml and "Registrar usuario (nuevo)" not in draft_xml  # kept

    # After a deploy, a save that started from the old version is refused too.
    first.post(f"{DRAFT}/desplegar", data={"revision": "1", "comentario": "Revisar datos"})
    late = _save(second, runner, renamed, revision=1, base=runner.versions("registro_usuario")[1][0].id)
    assert late.status_code == 409 and "La versión vigente cambió (versión 2)" in late.json["error"]


def test_the_draft_page_shows_the_change_and_the_instances_waiting_there(as_user, people, runner):
    start_registration(runner)  # waits at "Registrar usuario", whose form changes
    start_registration(runner)
    client = as_user(people["analyst"])
    files = {"forms/registrar_usuario-schema.json": _renamed_form()}
    assert _save(client, runner, changed_registration(), files=files).status_code == 200
    page = client.get(DRAFT).get_data(as_text=True)
    assert f'data-cambio="nuevo" data-elemento="{NEW_TASK}"' in page
    assert 'data-cambio="modificado" data-elemento="f_registrado"' in page
    assert '"diff-added": ["revisar_datos"' in page.replace("&#34;", '"')
    assert 'data-archivo="forms/registrar_usuario-schema.json"' in page
    assert "Registro de usuario (nuevo título)" in page
    assert 'data-instancias="2"' in page and "<code>registrar_usuario</code> (2)" in page
    assert 'data-proceso="registro_usuario"' in page and ": versión 1 → 2</h3>" in page


def test_deploying_a_draft_needs_a_reason_recorded_in_the_history(as_user, people, runner):
    client = as_user(people["analyst"])
    _save(client, runner, changed_registration())
    no_reason = client.post(f"{DRAFT}/desplegar", data={"revision": "1", "comentario": "  "})
    assert no_reason.status_code == 422 and "Indique qué cambia y por qué" in no_reason.get_data(as_text=True)
    assert len(runner.versions("registro_usuario")) == 1
    stale = client.post(f"{DRAFT}/desplegar", data={"revision": "7", "comentario": "x"})
    assert stale.status_code == 409 and "El borrador cambió" in stale.get_data(as_text=True)

    reason = {"revision": "1", "comentario": "Revisar los datos antes de crear"}
    done = client.post(f"{DRAFT}/desplegar", data=reason, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Se desplegó: registro_usuario versión 2." in html
    assert "Navegador: Revisar los datos antes de crear" in html
    v2 = runner.versions("registro_usuario")[0][0]
    assert (v2.number, v2.origin, v2.deployed_by) == (2, "browser", people["ids"]["analyst"])
    assert 'id="sin-borrador"' in client.get(DRAFT).get_data(as_text=True)  # the draft is gone


def test_a_draft_started_before_another_deploy_cannot_be_deployed(as_user, people, runner):
    client = as_user(people["analyst"])
    _save(client, runner, changed_registration())
    other = changed_registration().replace(b"Revisar datos del registro", b"Revisar datos", 1)
    # Another version goes live meanwhile (through the API's explicit deploy, or deploy-diagrams).
    runner.deploy(runner.deployed_diagrams().with_files(workflows={"registro_usuario.bpmn": other}),
                  origin="api", comment="Otro cambio")  # fmt: skip
    assert len(runner.versions("registro_usuario")) == 2
    refused = client.post(f"{DRAFT}/desplegar", data={"revision": "1", "comentario": "x"})
    assert refused.status_code == 409 and "Otra versión se desplegó" in refused.get_data(as_text=True)
    assert len(runner.versions("registro_usuario")) == 2
    assert client.post(f"{DRAFT}/descartar", data={"revision": "1"}).status_code == 302
    assert 'id="sin-borrador"' in client.get(DRAFT).get_data(as_text=True)


def test_bad_saves_are_400(as_user, people, runner):
    client = as_user(people["analyst"])
    assert client.post(SAVE, json={}).status_code == 400
    assert client.post(SAVE, json={"xml": "<x/>"}).status_code == 400  # no base
    assert _save(client, runner, files={"../secreto.txt": "x"}).status_code == 400
    assert client.post(SAVE, data="nada").status_code == 400
    assert client.get(f"{DRAFT}/archivos/registro_usuario.bpmn").status_code == 404

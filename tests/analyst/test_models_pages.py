"""Process models pages (Analista): versions, viewer, downloads, upload and modeler saves."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.analyst.diagrams import changed_registration
from tests.analyst.diagrams import dangling_registration
from tests.analyst.helpers import base
from tests.analyst.helpers import deploy_draft
from tests.analyst.helpers import start_registration


@pytest.mark.parametrize("url", ["/modelos/", "/instancias/", "/admin/roles", "/instancias/migrar"])
def test_role_pages_are_403_for_people_without_the_role(as_user, people, url):
    assert as_user(people["plain"]).get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/modelos/registro_usuario",
        "/modelos/versiones/1",
        "/instancias/1",
        "/modelos/versiones/1/paquete.zip",
    ],
)
def test_ids_are_404_for_people_without_the_role(as_user, people, url):
    assert as_user(people["plain"]).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_login(app):
    response = app.test_client().get("/modelos/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")


def test_analyst_is_not_an_operator(as_user, people):
    client = as_user(people["analyst"])
    assert client.get("/instancias/").status_code == 403
    assert client.get("/modelos/").status_code == 200


def test_models_page_lists_every_process_with_versions_and_counts(as_user, people, runner):
    start_registration(runner)
    html = as_user(people["analyst"]).get("/modelos/").get_data(as_text=True)
    for process_id in ("registro_usuario", "registro_entidad", "activacion_cuenta", "solicitud_acceso"):
        assert f'id="p-{process_id}"' in html
    version, count = runner.versions("registro_usuario")[0]
    assert version.content_hash[:12] in html and count == 1
    assert 'data-instancias="1">1</td>' in html
    assert "Modelos de proceso" in html  # nav link for analysts


def test_models_page_says_more_than_ten_thousand_past_the_cap(as_user, people, runner):
    """A version with more than 10.000 instances reads "más de 10.000" (its count stops
    there, as the instance list's does); the API says instances_capped."""
    from sqlalchemy import insert
    from sqlalchemy import select

    from engine.models import ProcessInstance

    start_registration(runner)
    with runner.transaction() as session:
        first = session.scalars(select(ProcessInstance)).one()
        row = {c.key: getattr(first, c.key) for c in ProcessInstance.__mapper__.column_attrs if c.key != "id"}
        session.execute(insert(ProcessInstance), [{**row, "state": "{}"} for _ in range(10_000)])
    client = as_user(people["analyst"])
    html = client.get("/modelos/").get_data(as_text=True)
    assert 'data-instancias="1">más de 10.000</td>' in html
    version = client.get("/api/v1/processes/registro_usuario/versions").json["versions"][0]
    assert (version["instances"], version["instances_capped"]) == (10_001, True)


def test_version_page_downloads_and_zip(as_user, people, runner):
    client = as_user(people["analyst"])
    version = runner.versions("registro_usuario")[0][0]
    page = client.get(f"/modelos/versiones/{version.id}").get_data(as_text=True)
    assert 'data-diagram="viewer"' in page and "forms/registrar_usuario-schema.json" in page
    bpmn = client.get(f"/modelos/versiones/{version.id}/archivos/registro_usuario.bpmn")
    assert bpmn.headers["Content-Disposition"].startswith("attachment")
    assert bpmn.data.decode() == version.files["registro_usuario.bpmn"]
    form = client.get(f"/modelos/versiones/{version.id}/archivos/forms/registrar_usuario-schema.json")
    assert form.status_code == 200 and form.mimetype == "application/json"
    assert client.get(f"/modelos/versiones/{version.id}/archivos/nada.bpmn").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/modelos/versiones/{version.id}/paquete.zip").data))
    assert set(archive.namelist()) == set(version.files)


def _upload(client, runner, xml: bytes, filename="registro_usuario.bpmn", start=None):
    """The process page's upload of a diagram: into the process's draft."""
    return client.post(
        "/modelos/registro_usuario/subir",
        data={"diagrama": (io.BytesIO(xml), filename), **(start or base(runner, "registro_usuario"))},
        content_type="multipart/form-data",
    )


def test_upload_with_problems_shows_them_and_deploys_nothing(as_user, people, runner):
    dangling = dangling_registration()
    response = _upload(as_user(people["analyst"]), runner, dangling)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "se guardó en el borrador, pero no se puede desplegar así" in html
    # The problem names the file and the line where the element is declared.
    line = next(n for n, text in enumerate(dangling.splitlines(), 1) if b'id="revisar_datos"' in text)
    assert f"registro_usuario.bpmn:{line}: revisar_datos: el elemento no tiene flujo de salida" in html
    assert "data-problems=" in html and 'data-xml-source="xml-enviado"' in html
    assert len(runner.versions("registro_usuario")) == 1
    assert runner.drafts.get("registro_usuario").revision == 1


def test_an_upload_goes_to_the_draft_and_lives_once_the_draft_is_deployed(as_user, people, runner):
    client = as_user(people["analyst"])
    start = base(runner, "registro_usuario")
    response = _upload(client, runner, changed_registration(), start=start)
    assert (response.status_code, response.headers["Location"]) == (302, "/modelos/registro_usuario/borrador")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Borrador guardado (revisión 1)" in page and 'data-cambio="nuevo"' in page
    assert len(runner.versions("registro_usuario")) == 1
    assert 'id="aviso-borrador"' in client.get("/modelos/registro_usuario").get_data(as_text=True)

    # An upload prepared before that save (same start) is refused with both changes.
    other = changed_registration().replace(b"Revisar datos", b"Revisar", 1)
    stale = _upload(client, runner, other, start=start)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "No se guardó: el borrador cambió" in html
    assert "Otra persona guardó el borrador (revisión 1)" in html and 'id="conflicto-suyo"' in html
    assert runner.drafts.get("registro_usuario").revision == 1

    deployed = deploy_draft(client, runner, "registro_usuario", "Revisar los datos antes de crear")
    assert "Se desplegó: registro_usuario versión 2." in deployed.get_data(as_text=True)
    (v2, _), (v1, _) = runner.versions("registro_usuario")
    assert (v2.number, v2.deployed_by, v2.origin) == (2, people["ids"]["analyst"], "browser")
    assert v2.comment == "Revisar los datos antes de crear"
    # the same file again changes nothing
    again = client.get(_upload(client, runner, changed_registration()).headers["Location"])
    assert 'id="sin-cambios"' in again.get_data(as_text=True)
    unchanged = deploy_draft(client, runner, "registro_usuario").get_data(as_text=True)
    assert "no se creó una versión nueva" in unchanged


def test_upload_refuses_other_files(as_user, people, runner):
    client = as_user(people["analyst"])
    assert _upload(client, runner, b"x", "diagrama.txt").status_code == 302
    assert len(client.get("/modelos/registro_usuario").get_data(as_text=True)) > 0


def test_modeler_save_reports_problems_and_keeps_the_draft(as_user, people, runner):
    client = as_user(people["analyst"])
    page = client.get("/modelos/registro_usuario/modelador").get_data(as_text=True)
    assert 'data-save-url="/modelos/registro_usuario/modelador"' in page and "bpmn-modeler" in page
    base = runner.versions("registro_usuario")[0][0].id
    start = {"base_version": base, "base_revision": 0}
    url = "/modelos/registro_usuario/modelador"
    bad = client.post(url, json={"xml": dangling_registration().decode(), **start})
    assert bad.status_code == 200 and bad.json["revision"] == 1
    assert {p["element_id"] for p in bad.json["problems"]} == {"revisar_datos", "crear_usuario"}
    start = {"base_version": base, "base_revision": 1}
    good = client.post(url, json={"xml": changed_registration().decode(), **start})
    assert good.status_code == 200 and good.json["problems"] == [] and good.json["revision"] == 2
    assert len(runner.versions("registro_usuario")) == 1  # a draft, not a version
    assert client.post("/modelos/registro_usuario/modelador", json={}).status_code == 400


def test_modeler_save_needs_the_csrf_header(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    from tests.webui.helpers import World
    from tests.webui.helpers import username_of

    analyst = username_of(app, World(app).user(roles=("analista",)))
    client = app.test_client()
    page = client.get("/entrar").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/entrar", data={"usuario": analyst, "contrasena": "Clave-segura-1", "csrf_token": token})
    modeler = client.get("/modelos/registro_usuario/modelador").get_data(as_text=True)
    csrf = modeler.split('data-csrf="', 1)[1].split('"', 1)[0]
    base = modeler.split('data-base-version="', 1)[1].split('"', 1)[0]
    payload = {"xml": changed_registration().decode(), "base_version": int(base), "base_revision": 0}
    assert client.post("/modelos/registro_usuario/modelador", json=payload).status_code == 400
    saved = client.post("/modelos/registro_usuario/modelador", json=payload, headers={"X-CSRFToken": csrf})
    assert saved.status_code == 200

"""«Probar el borrador» (issue 16.4) through the pages: an analyst starts a play, fills the
forms the inbox would show (errors drawn the same way), sees the token and the matched
decision rows, saves a scenario; nobody else may play, and nothing real is created."""

from __future__ import annotations

import io
import re
from html import unescape

from engine.scenarios import run_scenarios
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info
from tests.engine.test_play import posted as form

PLAY = "/modelos/registro_entidad/probar"


def test_an_analyst_plays_the_registration_and_saves_a_scenario(as_user, people, runner):
    client = as_user(people["analyst"])
    page = client.get(PLAY).get_data(as_text=True)
    assert "Probar el borrador de" in page and 'id="iniciar-prueba"' in page
    assert client.post(f"{PLAY}/iniciar").status_code == 302
    page = client.get(PLAY).get_data(as_text=True)
    assert 'data-tarea="validar_entidad"' in page and 'name="nit"' in page  # the inbox's form
    assert "&#34;validar_entidad&#34;: &#34;active&#34;" in page or '"validar_entidad": "active"' in page

    refused = client.post(f"{PLAY}/tareas/validar_entidad", data={"entity_name": "", "nit": "899999172"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Confirme el nombre de la Entidad." in html and 'value="899999172"' in html

    for task, data in [
        ("validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": "899999172"}),
        ("registrar_entidad", {"next_step": "registrar"}),
        ("registrar_primera_parte", first_part()),
        ("informacion_general", general_info(nit="899999172", delegated=True)),
    ]:
        done = client.post(f"{PLAY}/tareas/{task}", data=form(data))
        assert done.status_code == 302, (task, done.get_data(as_text=True)[:2000])
    page = unescape(client.get(PLAY).get_data(as_text=True))
    assert 'data-tarea="anexar_documentos"' in page
    espera = page.split('id="espera-en">', 1)[1].split("</span>", 1)[0]
    assert espera.split(", ")[0] == "Anexar documentos"  # the diagram's name, not the element id
    assert '"determinar_documentos": "completed"' in page and '"anexar_documentos": "active"' in page
    decision = page.split('data-decision="determinar_documentos"', 1)[1].split("</section>", 1)[0]
    assert 'data-regla="regla_acto_delegacion"' in decision and 'data-regla="regla_rut"' in decision
    assert "regla_certificado_existencia" not in decision
    assert re.search(r"Determinar documentos obligatorios: 6 de \d+ filas", decision)

    saved = client.post(f"{PLAY}/escenario", data={"nombre": "Entidad con delegación"})
    assert saved.status_code == 302
    page = client.get(PLAY).get_data(as_text=True)
    assert 'data-escenario="Entidad con delegación"' in page
    [scenario] = runner.plays.saved(["registro_entidad"])
    assert scenario["expect"]["waiting"] == ["anexar_documentos"] and len(scenario["steps"]) == 4
    taken = client.post(f"{PLAY}/escenario", data={"nombre": "Entidad con delegación"})
    assert taken.status_code == 422 and "Ya hay un escenario con ese nombre" in taken.get_data(as_text=True)

    # The documents: a chosen file stands for a PDF in the sandbox; the play goes on.
    slots = re.findall(r'<code>"(\w+)"</code>', decision)  # the required ones, as the table said
    assert "acto_delegacion" in slots and set(slots) <= set(re.findall(r'type="file" name="([^"]+)"', page))
    files = {slot: (io.BytesIO(b"%PDF-1.7 prueba"), f"{slot}.pdf") for slot in slots}
    sent = client.post(f"{PLAY}/tareas/anexar_documentos", data=files, content_type="multipart/form-data")
    assert sent.status_code == 302
    page = unescape(client.get(PLAY).get_data(as_text=True))
    assert '"anexar_documentos": "completed"' in page and '"registrar_cuenta": "completed"' in page
    assert runner.list_instances().total == 0  # nothing real was started


def test_the_dependent_select_of_a_played_form_lists_its_options(as_user, people, runner):
    client = as_user(people["analyst"])
    client.post(f"{PLAY}/iniciar")
    for task, data in [
        ("validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": "899999172"}),
        ("registrar_entidad", {"next_step": "registrar"}),
        ("registrar_primera_parte", first_part()),
    ]:
        assert client.post(f"{PLAY}/tareas/{task}", data=form(data)).status_code == 302
    page = client.get(PLAY).get_data(as_text=True)
    url = re.search(r'data-options-url="([^"]+)"', page)[1]
    options = client.get(f"{url}?department=25").json
    assert {"value": "25175", "label": "CHÍA"} in options
    assert all(o["value"].startswith("25") for o in options)  # Cundinamarca's only
    assert client.get(url.replace("/informacion_general/", "/validar_entidad/")).status_code == 404

    # A saved scenario can be deleted from the page.
    name = {"nombre": "Hasta la primera parte"}
    assert client.post(f"{PLAY}/escenario", data=name).status_code == 302
    assert 'data-escenario="Hasta la primera parte"' in client.get(PLAY).get_data(as_text=True)
    downloaded = client.get(f"{PLAY}/escenarios/Hasta la primera parte.json")
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="hasta-la-primera-parte.json"'
    [run] = run_scenarios(runner.current_diagrams(), [downloaded.json], runner._sandbox)  # as a file
    assert run.passed and run.waiting == ["informacion_general"], run.problem
    assert client.post(f"{PLAY}/escenario/borrar", data=name).status_code == 302
    assert 'data-escenario="Hasta la primera parte"' not in client.get(PLAY).get_data(as_text=True)
    assert client.post(f"{PLAY}/escenario/borrar", data=name).status_code == 404


def test_messages_and_timers_are_buttons(as_user, people):
    from tests.engine.onboarding import user_form

    client = as_user(people["analyst"])
    play = "/modelos/registro_usuario/probar"
    client.post(f"{play}/iniciar")
    assert client.post(f"{play}/tareas/registrar_usuario", data=form(user_form())).status_code == 302
    page = client.get(play).get_data(as_text=True)
    assert 'data-mensaje="activacion_usuario"' in page and 'data-temporizador="enlace_vencido"' in page
    assert client.post(f"{play}/temporizador", data={"temporizador": "enlace_vencido"}).status_code == 302
    page = client.get(play).get_data(as_text=True)
    assert 'data-mensaje="reenvio_enlace"' in page and "data-temporizador" not in page
    wrong = client.post(f"{play}/mensaje", data={"mensaje": "activacion_usuario"})
    assert wrong.status_code == 422
    assert "esperaba el mensaje activacion_usuario" in wrong.get_data(as_text=True)


def test_only_analysts_play(as_user, people):
    for who in ("operator", "plain"):
        client = as_user(people[who])
        assert client.get(PLAY).status_code in (403, 404)
        assert client.post(f"{PLAY}/iniciar").status_code in (403, 404)


def test_a_draft_with_problems_says_so_instead_of_playing(as_user, people, runner):
    from pathlib import Path

    bpmn = (Path(__file__).resolve().parents[2] / "workflows" / "registro_entidad.bpmn").read_text()
    broken = bpmn.replace('value="validar_entidad-schema.json"', 'value="no_existe-schema.json"', 1)
    client = as_user(people["analyst"])
    base = runner.versions("registro_entidad")[0][0].id
    saved = client.post("/modelos/registro_entidad/modelador",
                        json={"xml": broken, "base_version": base, "base_revision": 0})  # fmt: skip
    assert saved.status_code == 200 and saved.json["problems"]
    refused = client.post(f"{PLAY}/iniciar")
    assert refused.status_code == 409
    assert "corríjalos antes de probarlo" in refused.get_data(as_text=True)
    page = client.get(PLAY)
    assert page.status_code == 200 and 'id="iniciar-prueba"' in page.get_data(as_text=True)


def test_a_saved_scenario_travels_with_the_version_export(as_user, people, runner):
    """The version's .zip holds the scenarios saved from plays as workflows/ keeps them."""
    import json
    import zipfile

    from tests.engine.onboarding import user_form

    client = as_user(people["analyst"])
    play = "/modelos/registro_usuario/probar"
    client.post(f"{play}/iniciar")
    assert client.post(f"{play}/tareas/registrar_usuario", data=form(user_form())).status_code == 302
    assert client.post(f"{play}/escenario", data={"nombre": "Registro sin activar"}).status_code == 302
    version = runner.versions("registro_usuario")[0][0]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/modelos/versiones/{version.id}/paquete.zip").data))
    name = "scenarios/registro_usuario/registro-sin-activar.json"
    assert set(archive.namelist()) == {*version.files, name}
    downloaded = client.get(f"{play}/escenarios/Registro sin activar.json")
    assert archive.read(name) == downloaded.data  # the same file as "Descargar"
    exported = json.loads(archive.read(name))
    assert exported["name"] == "Registro sin activar" and exported["process"] == "registro_usuario"
    entity = runner.versions("registro_entidad")[0][0]  # another process's export has none of it
    other = zipfile.ZipFile(io.BytesIO(client.get(f"/modelos/versiones/{entity.id}/paquete.zip").data))
    assert not [n for n in other.namelist() if n.startswith("scenarios/")]

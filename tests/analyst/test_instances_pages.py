"""Instance pages (Operador): list with filters, one instance, cancel/retry with a reason,
migration with its dry run, heatmap; and the role administration page."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import update

from engine.models import InstanceEvent
from engine.models import ProcessInstance
from tests.analyst.diagrams import NEW_TASK
from tests.analyst.diagrams import broken_registration
from tests.analyst.diagrams import changed_registration
from tests.analyst.helpers import start_registration
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import user_form


def test_list_filters_sort_and_paginate(as_user, people, runner):
    waiting = [start_registration(runner)[0] for _ in range(3)]
    past = start_registration(runner, fill=True)[0]
    client = as_user(people["operator"])
    html = client.get("/instancias/?proceso=registro_usuario&orden=id&por_pagina=2").get_data(as_text=True)
    assert "4 instancias; página 1 de 2" in html
    assert re.findall(r'href="/instancias/(\d+)"', html) == [str(waiting[0]), str(waiting[1])]
    assert 'rel="next"' in html
    page2 = client.get("/instancias/?proceso=registro_usuario&orden=id&por_pagina=2&pagina=2").get_data(
        as_text=True
    )
    assert re.findall(r'href="/instancias/(\d+)"', page2) == [str(waiting[2]), str(past)]
    assert "0 instancias" in client.get("/instancias/?estado=completed").get_data(as_text=True)
    assert "0 instancias" in client.get("/instancias/?desde=2000-01-01&hasta=2000-01-02").get_data(
        as_text=True
    )
    assert "4 instancias" in client.get("/instancias/?desde=2000-01-01").get_data(as_text=True)
    assert "0 instancias" in client.get("/instancias/?rol=mesa_servicio").get_data(as_text=True)
    assert "0 instancias" in client.get("/instancias/?cuenta=899999999").get_data(as_text=True)
    version = runner.versions("registro_usuario")[0][0]
    assert "4 instancias" in client.get(f"/instancias/?version={version.id}").get_data(as_text=True)


def test_instance_page_shows_states_history_redacted_data_and_log(as_user, people, runner):
    instance_id, _ = start_registration(runner, username="maria.ruiz", fill=True)
    client = as_user(people["operator"])
    html = client.get(f"/instancias/{instance_id}?elemento=registrar_usuario").get_data(as_text=True)
    assert 'data-diagram="instance"' in html
    assert (
        "&#34;registrar_usuario&#34;: &#34;completed&#34;" in html
        or '"registrar_usuario": "completed"' in html
    )
    assert '"confirmar_registro": "active"' in html
    assert "Tarea completada" in html and "maria.ruiz" in html  # the element's history, without JS
    assert "Clave.Segura1" not in html and "[oculto]" in html  # secrets redacted
    assert "Registro de eventos" in html and "Inicio" in html


def test_cancel_needs_a_reason_and_is_audited(as_user, people, runner):
    instance_id, _ = start_registration(runner)
    client = as_user(people["operator"])
    page = client.get(
        client.post(f"/instancias/{instance_id}/cancelar", data={"motivo": " "}).headers["Location"]
    )
    assert "Indique el motivo de la cancelación." in page.get_data(as_text=True)
    assert runner.instance(instance_id).status == "running"
    client.post(f"/instancias/{instance_id}/cancelar", data={"motivo": "Registro duplicado"})
    view = runner.instance(instance_id)
    assert view.status == "cancelled"
    event = [e for e in view.events if e["kind"] == "cancelled"][0]
    assert event["data"]["reason"] == "Registro duplicado"
    assert event["actor"] == f"usuario:{people['ids']['operator']}"
    again = client.get(
        client.post(f"/instancias/{instance_id}/cancelar", data={"motivo": "x"}).headers["Location"]
    )
    assert "La instancia ya terminó." in again.get_data(as_text=True)


def test_retry_a_failed_step_with_a_reason(app, as_user, people, runner):
    instance_id, _ = start_registration(runner)
    client = as_user(people["operator"])
    page = client.get(
        client.post(f"/instancias/{instance_id}/reintentar", data={"motivo": "x"}).headers["Location"]
    )
    assert "Solo se reintentan instancias con error." in page.get_data(as_text=True)
    with runner.transaction() as session:  # as the engine leaves an instance whose step failed
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                        .values(status="error", error_message="Falló el servicio"))  # fmt: skip
        session.add(InstanceEvent(instance_id=instance_id, actor="sistema", kind="step_failed",
                                  element_id="registrar_usuario"))  # fmt: skip
    html = client.get(f"/instancias/{instance_id}").get_data(as_text=True)
    assert "Reintentar el paso fallido" in html and '"registrar_usuario": "failed"' in html
    client.post(f"/instancias/{instance_id}/reintentar", data={"motivo": ""})
    assert runner.instance(instance_id).status == "error"
    client.post(f"/instancias/{instance_id}/reintentar", data={"motivo": "Servicio restablecido"})
    view = runner.instance(instance_id)
    assert view.status == "running"
    assert [e["data"]["reason"] for e in view.events if e["kind"] == "retried"] == ["Servicio restablecido"]


def test_migration_dry_run_then_real_with_an_instance_that_cannot_move(as_user, people, runner):
    movable, anonymous = start_registration(runner)
    stuck, _ = start_registration(runner, fill=True)
    finished, _ = start_registration(runner)
    runner.cancel(runner.actor_for_user(people["ids"]["operator"]), finished, "prueba")
    old = runner.versions("registro_usuario")[0][0]
    diagrams = runner.deployed_diagrams().with_files(
        workflows={"registro_usuario.bpmn": changed_registration()}
    )
    new = runner.deploy(diagrams, deployed_by=people["ids"]["analyst"])[0]
    client = as_user(people["operator"])
    listing = client.get("/instancias/?proceso=registro_usuario").get_data(as_text=True)
    assert f'name="ids" value="{movable}"' in listing and f'name="ids" value="{finished}"' not in listing

    dry = client.get(f"/instancias/migrar?ids={movable}&ids={stuck}&ids={finished}").get_data(as_text=True)
    found = re.findall(r'data-instancia="(\d+)">.*?badge-\w+">(Sí|No)</span>', dry, re.S)
    assert dict(found) == {str(movable): "Sí", str(stuck): "No", str(finished): "No"}
    assert "Puede migrarse." in dry
    assert "Ya pasó por elementos que cambiaron en la nueva versión: Crear usuario, Registrar usuario." in dry
    assert "La instancia ya terminó." in dry
    assert f'<input type="hidden" name="ids" value="{movable}">' in dry
    assert f'<input type="hidden" name="ids" value="{stuck}">' not in dry
    assert runner.instance(movable).version_id == old.id  # a dry run changes nothing

    refused = client.post("/instancias/migrar", data={"ids": [movable, stuck]})
    assert refused.status_code == 400 and "indique el motivo" in refused.get_data(as_text=True)
    done = client.post(
        "/instancias/migrar", data={"ids": [movable, stuck], "motivo": "Nueva revisión de datos"}
    )
    html = done.get_data(as_text=True)
    assert "Instancias migradas: 1 de 2." in html
    assert runner.instance(movable).version_id == new.id
    assert runner.instance(stuck).version_id == old.id
    event = [e for e in runner.instance(movable).events if e["kind"] == "migrated"][0]
    assert event["data"]["reason"] == "Nueva revisión de datos"
    # the migrated instance now takes the new path
    task = runner.inbox(anonymous, instance_id=movable)[0]
    from tests.engine.onboarding import user_form

    result = runner.complete_task(anonymous, task.id, user_form("migrada.uno"))
    assert [t.name for t in result.next_tasks] == [NEW_TASK]


def test_heatmap_page(as_user, people, runner):
    for _ in range(2):
        start_registration(runner, fill=True)
    client = as_user(people["operator"])
    html = client.get("/instancias/procesos/registro_usuario/mapa-de-calor").get_data(as_text=True)
    assert 'data-diagram="heatmap"' in html
    assert re.search(r"Registrar usuario <small>\(registrar_usuario\)</small></td><td>2</td>", html)
    empty = client.get(
        "/instancias/procesos/registro_usuario/mapa-de-calor?desde=2000-01-01&hasta=2000-01-02"
    )
    assert "Ninguna instancia pasó" in empty.get_data(as_text=True)
    assert client.get("/instancias/procesos/no_existe/mapa-de-calor").status_code == 404


def test_admin_grants_and_revokes_roles(as_user, people, runner):
    client = as_user(people["admin"])
    plain = people["plain"]
    assert plain in client.get(f"/admin/roles?q={plain}").get_data(as_text=True)
    client.post("/admin/roles", data={"usuario": plain, "rol": "operador"})
    assert runner.actor_for_user(people["ids"]["plain"]).has_platform_role("operador")
    assert as_user(plain).get("/instancias/").status_code == 200
    client.post("/admin/roles", data={"usuario": plain, "rol": "operador", "accion": "quitar"})
    assert not runner.actor_for_user(people["ids"]["plain"]).has_platform_role("operador")
    last = client.post("/admin/roles", data={"usuario": people["admin"], "rol": "admin", "accion": "quitar"})
    assert "al menos un Administrador" in client.get(last.headers["Location"]).get_data(as_text=True)
    bad = client.post("/admin/roles", data={"usuario": "nadie", "rol": "operador"})
    assert "Indique un usuario existente" in client.get(bad.headers["Location"]).get_data(as_text=True)


def test_cli_grant_revoke_role_and_tokens(app, people, runner):
    cli = app.test_cli_runner()
    plain = people["plain"]
    assert "analista" in cli.invoke(args=["grant-role", plain, "analista"]).output
    assert runner.actor_for_user(people["ids"]["plain"]).has_platform_role("analista")
    assert "ya no tiene" in cli.invoke(args=["revoke-role", plain, "analista"]).output
    assert cli.invoke(args=["grant-role", plain, "admin"]).exit_code == 0
    out = cli.invoke(args=["create-token", "integracion", "--usuario", plain]).output
    raw = out.strip().splitlines()[-1]
    assert raw.startswith("secop_")
    from engine.domain.models import ApiToken
    from webui.core.extensions import db

    with app.app_context():
        stored = db.session.query(ApiToken).one()
        assert stored.token_hash != raw and len(stored.token_hash) == 64
    assert cli.invoke(args=["create-token", "x"]).exit_code != 0
    assert "Tokens revocados: 1." in cli.invoke(args=["revoke-token", "integracion"]).output


def test_date_filters_are_days_of_the_operator(as_user, people, runner):
    """Issue 13.11/13.17: "Iniciada desde/hasta" are typed day first and are the operator's
    days: an instance started at 22:14 in Bogotá (03:14 UTC the next day) is of the 30th."""
    instance_id = start_registration(runner)[0]
    with runner.transaction() as session:
        session.execute(
            update(ProcessInstance).where(ProcessInstance.id == instance_id)
            .values(created_at=dt.datetime(2026, 12, 1, 3, 14))
        )  # fmt: skip
    client = as_user(people["operator"])
    html = client.get("/instancias/").get_data(as_text=True)
    assert 'placeholder="dd/mm/aaaa"' in html and 'type="date"' not in html
    assert "30/11/2026 22:14" in html
    cases = [
        ("desde=30/11/2026&hasta=30/11/2026", "1 instancia;"),
        ("desde=01/12/2026", "0 instancias"),
        ("desde=2026-11-30&hasta=2026-11-30", "1 instancia;"),
    ]
    for query, found in cases:
        assert found in client.get(f"/instancias/?{query}").get_data(as_text=True), query


def test_a_broken_script_keeps_the_submission_then_the_incident_is_fixed_and_retried(
    app, as_user, people, runner, world
):
    """Issue 18 points 1-2: deploy a script that fails for some registrants; one of them
    submits, sees that their information was received; the operator finds the incident in
    the queue, corrects the variable (invalid JSON refused) and "Reintentar" runs it."""
    diagrams = runner.deployed_diagrams().with_files(
        workflows={"registro_usuario.bpmn": broken_registration("Cédula de ciudadanía")}
    )
    runner.deploy(diagrams, deployed_by=people["ids"]["analyst"])
    client = app.test_client()
    location = client.post("/registro").headers["Location"]
    form = user_form("pasaporte.1", document_type="Pasaporte") | {"accept_terms": "true"}
    page = client.post(location, data=form)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Su información fue recibida; la Mesa de Servicio fue notificada." in html
    [instance_id] = [row.id for row in runner.list_instances(status="error").rows]
    view = runner.instance(instance_id)
    assert view.status == "error" and view.data["username"] == "pasaporte.1"  # nothing was lost

    operator = as_user(people["operator"])
    queue = operator.get("/instancias/incidentes").get_data(as_text=True)
    assert f'href="/instancias/{instance_id}"' in queue
    assert "El paso «Clasificar documento» busca la clave &#39;Pasaporte&#39;" in queue
    assert "Clasificar documento" in operator.get("/instancias/incidentes?proceso=registro_usuario").get_data(
        as_text=True
    )
    nothing = operator.get("/instancias/incidentes?texto=otra+cosa").get_data(as_text=True)
    assert "No hay incidentes" in nothing

    edit = f"/instancias/{instance_id}/datos"
    refused = operator.post(edit, data={"variables": '{"document_type": ', "motivo": "Tipo mal escrito"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "El texto no es JSON válido (línea 1, columna 19). Nada se cambió." in html
    assert "{&#34;document_type&#34;: </textarea>" in html  # drawn again as typed
    data = runner.instance(instance_id).data
    fixed = json.dumps({**data, "document_type": "Cédula de ciudadanía"})
    operator.post(edit, data={"variables": fixed, "motivo": "El registrante confirmó que es cédula"})
    assert runner.instance(instance_id).status == "error"
    page = operator.get(
        operator.post(f"/instancias/{instance_id}/reintentar", data={"motivo": "Dato corregido"}).headers[
            "Location"
        ]
    ).get_data(as_text=True)
    assert "Se ejecutó de nuevo «Clasificar documento»: el trámite sigue su curso." in page
    view = runner.instance(instance_id)
    assert view.status == "running" and view.data["prefijo_documento"] == "CÉ"
    kinds = [e["kind"] for e in view.events]
    assert kinds.index("step_failed") < kinds.index("variables_edited") < kinds.index("retried")
    [edited] = [e for e in view.events if e["kind"] == "variables_edited"]
    assert edited["data"]["before"] == {"document_type": "Pasaporte"}
    assert edited["data"]["after"] == {"document_type": "Cédula de ciudadanía"}
    assert edited["data"]["reason"] == "El registrante confirmó que es cédula"
    assert "No hay incidentes" in operator.get("/instancias/incidentes").get_data(as_text=True)


def _failed_registration(app, runner, people, username="pasaporte.2"):
    """A registration stopped at the broken "Clasificar documento" (see broken_registration)."""
    diagrams = runner.deployed_diagrams().with_files(
        workflows={"registro_usuario.bpmn": broken_registration("Cédula de ciudadanía")}
    )
    runner.deploy(diagrams, deployed_by=people["ids"]["analyst"])
    client = app.test_client()
    location = client.post("/registro").headers["Location"]
    client.post(location, data=user_form(username, document_type="Pasaporte") | {"accept_terms": "true"})
    [instance_id] = [row.id for row in runner.list_instances(status="error").rows]
    return instance_id


def test_move_the_token_after_a_dry_run_skip_and_suspend_from_the_instance_page(app, as_user, people, runner):
    instance_id = _failed_registration(app, runner, people)
    operator = as_user(people["operator"])
    html = operator.get(f"/instancias/{instance_id}").get_data(as_text=True)
    assert "Incidente abierto" in html and "Mover el token" in html and "Simular" in html

    form = {"desde": "clasificar_documento", "hacia": "registrar_usuario", "motivo": "Que elija otro tipo"}
    dry = operator.post(f"/instancias/{instance_id}/mover", data=form | {"simular": "1"})
    assert dry.status_code == 200
    text = dry.get_data(as_text=True)
    assert (
        "Si mueve el token de «Clasificar documento» a «Registrar usuario», el trámite quedaría "
        "esperando «Registrar usuario»."
    ) in text
    assert runner.instance(instance_id).status == "error"  # a dry run writes nothing
    assert not [e for e in runner.instance(instance_id).events if e["kind"] == "token_moved"]

    done = operator.get(operator.post(f"/instancias/{instance_id}/mover", data=form).headers["Location"])
    assert "Se movió el token de «Clasificar documento» a «Registrar usuario»" in done.get_data(as_text=True)
    view = runner.instance(instance_id)
    assert view.status == "running"
    assert [t.name for t in view.tasks if t.status == "ready"] == ["registrar_usuario"]
    [moved] = [e for e in view.events if e["kind"] == "token_moved"]
    assert moved["data"]["reason"] == "Que elija otro tipo"
    assert moved["actor"] == f"usuario:{people['ids']['operator']}"
    history = operator.get(f"/instancias/{instance_id}").get_data(as_text=True)
    assert "Token movido" in history and "Que elija otro tipo" in history

    missing = operator.post(f"/instancias/{instance_id}/suspender", data={"motivo": ""})
    missing = operator.get(missing.headers["Location"])
    assert "Indique el motivo de la suspensión." in missing.get_data(as_text=True)
    operator.post(f"/instancias/{instance_id}/suspender", data={"motivo": "Verificar identidad"})
    assert runner.instance(instance_id).status == "suspended"
    page = operator.get(f"/instancias/{instance_id}").get_data(as_text=True)
    assert "Suspendida" in page and "Reanudar" in page
    operator.post(f"/instancias/{instance_id}/reanudar", data={"motivo": "Identidad verificada"})
    assert runner.instance(instance_id).status == "running"

    # Skipping the form lets the engine go on with the data it had: the script fails again.
    skip = {"elemento": "registrar_usuario", "motivo": "Datos ya recibidos"}
    skipped = operator.get(operator.post(f"/instancias/{instance_id}/omitir", data=skip).headers["Location"])
    assert (
        "Se omitió «Registrar usuario» (sin ejecutarlo); después el trámite se detuvo: El paso "
        "«Clasificar documento» busca la clave"
    ) in skipped.get_data(as_text=True)
    view = runner.instance(instance_id)
    assert view.status == "error"
    assert [e["kind"] for e in view.events][-4:] == ["suspended", "resumed", "skipped", "step_failed"]
    [incident] = runner.incidents()
    assert incident.failures == 1  # the first one was resolved by the move: this is a new one


def test_an_operator_inbox_counts_the_open_incidents(app, as_user, people, runner, world):
    operator = as_user(people["operator"])
    assert "Incidentes abiertos: 0." in operator.get("/tareas/").get_data(as_text=True)
    assert "Incidentes abiertos" not in as_user(people["plain"]).get("/tareas/").get_data(as_text=True)
    _failed_registration(app, runner, people)
    html = operator.get("/tareas/").get_data(as_text=True)
    assert '<a href="/instancias/incidentes">Incidentes abiertos: 1</a>' in html


def test_called_processes_are_listed_opened_filtered_and_lead_back(app, as_user, people, runner):
    """Issue 18 point 4: a registered Entidad waiting in its called "Solicitar activación de la
    cuenta" (section 3 starts the registration; registro_usuario calls nothing since 13.9)."""
    walk = Onboarding(runner)
    _registration, user = walk.register_user("llamada.uno")
    instance_id = walk.start(user, "registro_entidad")
    walk.register_entity(user, instance_id)
    other, _ = start_registration(runner)
    operator = as_user(people["operator"])

    listing = operator.get("/instancias/?proceso=activacion_cuenta").get_data(as_text=True)
    assert f'href="/instancias/{instance_id}"' in listing and f'href="/instancias/{other}"' not in listing
    assert "<td>Solicitar activación a la Mesa de Servicio</td>" in listing  # in the called one
    assert "Registrar usuario" in operator.get("/instancias/").get_data(as_text=True)  # the other one's

    page = operator.get(f"/instancias/{instance_id}").get_data(as_text=True)
    assert "Procesos llamados" in page and "Solicitar activación de la cuenta" in page
    [link] = re.findall(rf'href="(/instancias/{instance_id}/llamados/[^"]+)"', page)
    child = operator.get(link)
    assert child.status_code == 200
    html = child.get_data(as_text=True)
    parent = f"Instancia #{instance_id}: Registro de la cuenta de la Entidad Estatal"
    assert f'<a href="/instancias/{instance_id}">{parent}</a>' in html
    assert "En curso" in html and "Solicitar activación a la Mesa de Servicio" in html
    assert '"solicitar_activacion": "active"' in html  # the child's diagram is coloured by its state
    assert "process id=&#34;activacion_cuenta&#34;" in html  # its own diagram, not the caller's
    assert operator.get(f"/instancias/{instance_id}/llamados/otra").status_code == 404

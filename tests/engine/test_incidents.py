"""Issue 18 points 1 and 2: an automatic step that fails after a person completed a task
keeps what they sent; the instance stops at the failing element with an incident; the
operators are told; "Reintentar" runs that element again once the cause is fixed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import Actor
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.models import Incident
from engine.models import OutboxEmail
from tests.engine.linear import linear
from tests.engine.linear import script_task
from tests.engine.linear import user_task
from tests.engine.linear import write_set
from tests.engine.onboarding import Onboarding

ANA = Actor(user_id=1)
OPERATOR = Actor(user_id=2, platform_roles=frozenset({"operador"}))
SCHEMA = {
    "type": "object",
    "properties": {
        "monto": {"type": "integer", "title": "Monto"},
        "plazo": {"type": "integer", "title": "Plazo"},
    },
    "required": ["monto", "plazo"],
}


def form_task(node_id: str):
    tag, node, _head, tail = user_task(node_id)
    head = (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{node_id}-schema.json" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    return (tag, node, head, tail)


@pytest.fixture
def cuota(make_runner, tmp_path):
    """pedir (monto, plazo) → calcular: cuota = monto / plazo → revisar."""
    directory = write_set(
        tmp_path / "workflows",
        linear(
            "cuota",
            form_task("pedir"),
            script_task("calcular", "cuota = monto / plazo"),
            user_task("revisar"),
        ),
        forms={"pedir-schema.json": json.dumps(SCHEMA)},
    )
    return make_runner(directory, directory / "forms")


def _incidents(runner):
    with runner.transaction() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def test_a_failing_script_keeps_the_submission_and_opens_an_incident(cuota):
    started = cuota.start("cuota", ANA)
    result = cuota.complete_task(ANA, started.next_tasks[0].id, {"monto": 1000, "plazo": 0})
    assert result.status == "error" and result.next_tasks == []
    view = cuota.instance(started.instance_id)
    assert view.status == "error"
    assert view.data["monto"] == 1000 and view.data["plazo"] == 0  # what the person sent is kept
    assert [t.status for t in view.tasks] == ["completed"]  # their task is done, not to redo
    [incident] = cuota.incidents()
    assert (incident.instance_id, incident.element_id, incident.step) == (started.instance_id, "calcular",
                                                                          "complete_task")  # fmt: skip
    assert incident.message == "El paso «calcular» intentó dividir por cero."
    assert "division by zero" in incident.detail
    assert {"monto", "plazo"} <= set(incident.data_keys)
    assert cuota.figures().incidents == {"cuota": 1}
    kinds = [e["kind"] for e in view.events]
    assert kinds[-2:] == ["task_completed", "step_failed"]
    assert cuota.element_states(started.instance_id)["calcular"] == "failed"


def test_retry_after_the_data_is_fixed_runs_the_element_and_resolves_the_incident(cuota):
    started = cuota.start("cuota", ANA)
    cuota.complete_task(ANA, started.next_tasks[0].id, {"monto": 1000, "plazo": 0})
    again = cuota.retry(OPERATOR, started.instance_id, "Probar de nuevo")
    assert again.failed == "El paso «calcular» intentó dividir por cero."
    assert again.status == "error"
    [incident] = _incidents(cuota)
    assert (incident.status, incident.failures) == ("open", 2)  # updated, not a second incident

    data = cuota.instance(started.instance_id).data
    cuota.edit_variables(OPERATOR, started.instance_id, {**data, "plazo": 4}, "El plazo correcto es 4 meses")
    done = cuota.retry(OPERATOR, started.instance_id, "Plazo corregido")
    assert (done.status, done.failed, done.ran, done.waiting) == ("running", None, ["calcular"], ["revisar"])
    assert "espera «revisar»" in done.report
    view = cuota.instance(started.instance_id)
    assert view.data["cuota"] == 250
    [incident] = _incidents(cuota)
    assert (incident.status, incident.resolution, incident.resolved_by) == ("resolved", "retried", 2)
    assert cuota.incidents() == [] and cuota.figures().incidents == {}
    with pytest.raises(Conflict):
        cuota.retry(OPERATOR, started.instance_id, "otra vez")


def test_operators_are_told_of_a_new_incident_once(cuota):
    people = Onboarding(cuota)
    people.make_user("oper", "operador")
    people.make_user("mesa", "mesa_servicio")
    people.make_user("ex.oper", "operador", status="Inactivo")
    started = cuota.start("cuota", ANA)
    cuota.complete_task(ANA, started.next_tasks[0].id, {"monto": 1000, "plazo": 0})
    cuota.retry(OPERATOR, started.instance_id, "otra vez")  # fails again: no second email
    with cuota.transaction() as session:
        emails = list(session.scalars(select(OutboxEmail).where(OutboxEmail.template == "incidente_abierto")))
    assert [e.to_addr for e in emails] == ["oper@example.gov.co"]
    assert f"trámite {started.instance_id}" in emails[0].subject and "calcular" in emails[0].subject
    assert "dividir por cero" in emails[0].body
    assert f"/instancias/{started.instance_id}" in emails[0].body


def test_skip_marks_the_failed_element_done_without_running_it(cuota):
    started = cuota.start("cuota", ANA)
    cuota.complete_task(ANA, started.next_tasks[0].id, {"monto": 1000, "plazo": 0})
    with pytest.raises(FormInvalid):
        cuota.skip(OPERATOR, started.instance_id, " ")
    skipped = cuota.skip(OPERATOR, started.instance_id, "La cuota se calcula a mano")
    assert (skipped.status, skipped.ran, skipped.waiting) == ("running", ["calcular"], ["revisar"])
    view = cuota.instance(started.instance_id)
    assert "cuota" not in view.data  # the script did not run
    [event] = [e for e in view.events if e["kind"] == "skipped"]
    assert event["element_id"] == "calcular" and event["data"]["reason"] == "La cuota se calcula a mano"
    assert event["actor"] == "usuario:2" and event["data"]["before"] == "falló"
    [incident] = _incidents(cuota)
    assert (incident.status, incident.resolution) == ("resolved", "skipped")
    # A task a token waits on can be skipped too; then the instance is done.
    cuota.skip(OPERATOR, started.instance_id, "Revisión innecesaria", "revisar")
    assert cuota.instance(started.instance_id).status == "completed"
    with pytest.raises(Conflict):
        cuota.skip(OPERATOR, started.instance_id, "otra vez")


def test_suspend_holds_everything_until_resume(cuota):
    started = cuota.start("cuota", ANA)
    task_id = started.next_tasks[0].id
    with pytest.raises(FormInvalid):
        cuota.suspend(OPERATOR, started.instance_id, "")
    cuota.suspend(OPERATOR, started.instance_id, "Verificando identidad")
    assert cuota.instance(started.instance_id).status == "suspended"
    with pytest.raises(Conflict) as refused:
        cuota.complete_task(ANA, task_id, {"monto": 1000, "plazo": 4})
    assert "suspendió este trámite" in refused.value.message
    with pytest.raises(Conflict):
        cuota.suspend(OPERATOR, started.instance_id, "dos veces")
    cuota.resume(OPERATOR, started.instance_id, "Identidad verificada")
    with pytest.raises(Conflict):
        cuota.resume(OPERATOR, started.instance_id, "dos veces")
    result = cuota.complete_task(ANA, task_id, {"monto": 1000, "plazo": 4})
    assert result.status == "running"
    events = [
        (e["kind"], (e["data"] or {}).get("reason")) for e in cuota.instance(started.instance_id).events
    ]
    assert ("suspended", "Verificando identidad") in events and ("resumed", "Identidad verificada") in events


def test_variable_edit_refuses_what_is_not_a_json_object_and_records_before_and_after(cuota):
    started = cuota.start("cuota", ANA)
    cuota.complete_task(ANA, started.next_tasks[0].id, {"monto": 1000, "plazo": 0})
    for text, message in (
        ('{"plazo": 4', "El texto no es JSON válido (línea 1, columna 12). Nada se cambió."),
        ("[1, 2]", 'Los datos deben ser un objeto JSON: {"nombre": valor, ...}.'),
    ):
        with pytest.raises(FormInvalid) as refused:
            cuota.edit_variables(OPERATOR, started.instance_id, text, "corrección")
        assert refused.value.errors == {"variables": [message]}
    data = cuota.instance(started.instance_id).data
    with pytest.raises(FormInvalid) as unchanged:
        cuota.edit_variables(OPERATOR, started.instance_id, json.dumps(data), "nada")
    assert unchanged.value.errors == {"variables": ["No cambió ningún dato."]}
    with pytest.raises(FormInvalid):
        cuota.edit_variables(OPERATOR, started.instance_id, {**data, "plazo": 4}, "  ")
    edited = {k: v for k, v in data.items() if k != "monto"} | {"plazo": 4, "nota": "revisado"}
    cuota.edit_variables(OPERATOR, started.instance_id, json.dumps(edited), "Plazo real")
    view = cuota.instance(started.instance_id)
    assert view.data["plazo"] == 4 and view.data["nota"] == "revisado" and "monto" not in view.data
    [event] = [e for e in view.events if e["kind"] == "variables_edited"]
    assert event["data"] == {"reason": "Plazo real", "before": {"plazo": 0, "monto": 1000},
                             "after": {"plazo": 4, "nota": "revisado"}, "removed": ["monto"]}  # fmt: skip
    assert event["actor"] == "usuario:2" and event["at"] is not None


def test_move_a_token_with_a_dry_run_first(cuota):
    started = cuota.start("cuota", ANA)
    cuota.complete_task(ANA, started.next_tasks[0].id, {"monto": 1000, "plazo": 0})
    before = cuota.instance(started.instance_id)

    back = cuota.move_token(
        OPERATOR, started.instance_id, "Que corrija el plazo", "calcular", "pedir", dry_run=True
    )
    assert (back.dry_run, back.status, back.waiting, back.failed) == (True, "running", ["pedir"], None)
    assert back.report == "Si mueve el token de «calcular» a «pedir», el trámite quedaría esperando «pedir»."
    after = cuota.instance(started.instance_id)
    assert (after.status, after.events, after.tasks) == (
        before.status,
        before.events,
        before.tasks,
    )  # nothing written

    ahead = cuota.move_token(OPERATOR, started.instance_id, "x", None, "revisar", dry_run=True)
    assert ahead.waiting == ["revisar"] and ahead.status == "running"
    with pytest.raises(Conflict):
        cuota.move_token(OPERATOR, started.instance_id, "x", None, "no_existe", dry_run=True)

    moved = cuota.move_token(OPERATOR, started.instance_id, "Que corrija el plazo", "calcular", "pedir")
    assert moved.report == "Se movió el token de «calcular» a «pedir», el trámite quedó esperando «pedir»."
    view = cuota.instance(started.instance_id)
    assert view.status == "running"
    [event] = [e for e in view.events if e["kind"] == "token_moved"]
    assert event["data"] == {"reason": "Que corrija el plazo", "before": "calcular", "after": "pedir"}
    [incident] = _incidents(cuota)
    assert (incident.status, incident.resolution) == ("resolved", "moved")
    [task] = cuota.inbox(ANA)
    assert task.name == "pedir"
    assert cuota.complete_task(ANA, task.id, {"monto": 1000, "plazo": 4}).status == "running"
    assert cuota.instance(started.instance_id).data["cuota"] == 250

"""Play (issue 16.4): an analyst runs a draft in a sandbox — fills each task's form as the
inbox reads it, sees which decision rows matched, delivers messages and fires timers — and
saves the run as a scenario test that then gates every deploy of the process. Nothing of it
reaches the real database but the play's steps and the saved scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine.diagrams import DiagramSet
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.models import HumanTask
from engine.models import OutboxEmail
from engine.models import ProcessInstance
from engine.scenarios import ScenariosFailed
from engine.scenarios import run_scenarios
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info
from tests.engine.onboarding import user_form

ROOT = Path(__file__).resolve().parents[2]
ENTITY = "registro_entidad"
ANALYST = 7


def posted(data: dict) -> MultiDict:
    """The form as a browser posts it."""
    text = {True: "true", False: "false"}
    return MultiDict({k: text[v] if isinstance(v, bool) else str(v) for k, v in data.items()})


def walk_to_documents(runner, delegated=True):
    runner.plays.start(ENTITY, ANALYST)
    steps = [
        ("validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": "899999172"}),
        ("registrar_entidad", {"next_step": "registrar"}),
        ("registrar_primera_parte", first_part()),
        ("informacion_general", general_info(nit="899999172", delegated=delegated)),
    ]
    for task, data in steps:
        state = runner.plays.act(ENTITY, ANALYST, {"task": task}, posted(data))
        assert state.problem is None and not state.page.errors, (task, state.problem, state.page.errors)
    return state


def real_rows(runner, model) -> int:
    with runner.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_play_walks_the_draft_and_shows_the_matched_decision_rows(runner):
    state = walk_to_documents(runner, delegated=True)
    assert state.tasks == ["validar_entidad", "registrar_entidad", "registrar_primera_parte",
                           "informacion_general", "anexar_documentos"]  # fmt: skip
    assert state.waiting == ["anexar_documentos"] and state.page.summary.name == "anexar_documentos"
    assert "determinar_documentos" in state.completed and "anexar_documentos" in state.active
    [decision] = state.decisions
    assert decision.element_id == "determinar_documentos" and decision.hit_policy == "COLLECT"
    matched = [row.rule_id for row in decision.rows]
    assert "regla_acto_delegacion" in matched and "regla_posesion_delegado" in matched
    assert "regla_certificado_existencia" not in matched and decision.size > len(decision.rows)
    # Replayed from its steps on every look: the next one is the same state.
    again = runner.plays.show(ENTITY, ANALYST)
    assert again.tasks == state.tasks and [r.rule_id for r in again.decisions[0].rows] == matched
    # Nothing touched the real database.
    assert real_rows(runner, ProcessInstance) == 0 and real_rows(runner, HumanTask) == 0


def test_without_delegation_the_delegation_rows_do_not_match(runner):
    state = walk_to_documents(runner, delegated=False)
    matched = [row.rule_id for row in state.decisions[0].rows]
    assert "regla_acto_delegacion" not in matched and "regla_rut" in matched


def test_a_refused_form_shows_its_errors_and_keeps_no_step(runner):
    runner.plays.start(ENTITY, ANALYST)
    state = runner.plays.act(ENTITY, ANALYST, {"task": "validar_entidad"},
                             posted({"entity_name": "", "nit": "899999172"}))  # fmt: skip
    assert state.steps == [] and state.page.summary.name == "validar_entidad"
    assert state.page.errors["entity_name"] == ["Confirme el nombre de la Entidad."]
    assert state.page.data["nit"] == "899999172"  # what was typed is drawn again
    assert runner.plays.show(ENTITY, ANALYST).steps == []


def test_messages_and_timers_are_delivered_and_fired_in_the_sandbox(runner):
    runner.plays.start("registro_usuario", ANALYST)
    state = runner.plays.act("registro_usuario", ANALYST, {"task": "registrar_usuario"}, posted(user_form()))
    assert state.problem is None and "activacion_usuario" in state.messages
    assert state.timers == ["enlace_vencido"] and state.timer_at is not None
    fired = runner.plays.act("registro_usuario", ANALYST, {"timer": "enlace_vencido"})
    assert fired.problem is None and fired.messages == ["reenvio_enlace"]
    assert "enlace_vencido" in fired.completed and fired.timers == []
    # Back to the activation, and deliver it instead.
    runner.plays.start("registro_usuario", ANALYST)
    runner.plays.act("registro_usuario", ANALYST, {"task": "registrar_usuario"}, posted(user_form()))
    delivered = runner.plays.act("registro_usuario", ANALYST, {"message": "activacion_usuario"})
    assert delivered.problem is None and "confirmar_registro" in delivered.completed
    assert "activacion_usuario" not in delivered.messages
    assert delivered.steps[-1] == {"message": "activacion_usuario"}
    assert real_rows(runner, OutboxEmail) == 0  # the sandbox's mail never left it


def test_a_message_not_waited_for_is_refused_with_what_it_waits_for(runner):
    runner.plays.start(ENTITY, ANALYST)
    state = runner.plays.act(ENTITY, ANALYST, {"message": "activacion_usuario"})
    assert state.problem == "esperaba el mensaje activacion_usuario, pero espera validar_entidad"
    assert state.steps == []


def test_a_saved_play_is_a_scenario_that_gates_the_deploy(runner):
    walk_to_documents(runner)
    scenario = runner.plays.save_scenario(ENTITY, ANALYST, "  Entidad con   delegación ")
    assert scenario["name"] == "Entidad con delegación" and scenario["process"] == ENTITY
    assert scenario["expect"]["waiting"] == ["anexar_documentos"]
    with pytest.raises(FormInvalid):
        runner.plays.save_scenario(ENTITY, ANALYST, "Entidad con delegación")  # the name is taken
    [saved] = runner.plays.saved([ENTITY])
    [result] = run_scenarios(runner.current_diagrams(), [saved], runner._sandbox)
    assert result.passed, result.problem
    # A change of path: "Registrar" no longer leads to the first part.
    bpmn = (ROOT / "workflows" / "registro_entidad.bpmn").read_text()
    changed = bpmn.replace('targetRef="registrar_primera_parte"', 'targetRef="informacion_general"', 1)
    assert changed != bpmn
    diagrams = runner.current_diagrams().with_files(workflows={"registro_entidad.bpmn": changed.encode()})
    with pytest.raises(ScenariosFailed) as refused:
        runner.deploy(diagrams, scenarios=True)
    assert "el escenario «Entidad con delegación» falló" in refused.value.message
    [failed] = [r for r in refused.value.results if r.name == "Entidad con delegación"]
    assert not failed.passed
    assert failed.element_id == "informacion_general"  # where the path left the recorded one
    assert len(runner.versions(ENTITY)) == 1


def test_a_play_of_a_draft_runs_the_draft_not_the_live_version(runner):
    bpmn = (ROOT / "workflows" / "registro_entidad.bpmn").read_text()
    renamed = bpmn.replace('name="Validar"', 'name="Validar la Entidad"', 1)
    base = runner.versions(ENTITY)[0][0].id
    runner.drafts.save(ENTITY, {"registro_entidad.bpmn": renamed}, base, 0, ANALYST)
    state = runner.plays.start(ENTITY, ANALYST)
    assert state.page.summary.title == "Validar la Entidad"


def test_acting_before_starting_and_saving_nothing_are_refused(runner):
    with pytest.raises(Conflict):
        runner.plays.act(ENTITY, ANALYST, {"message": "x"})
    runner.plays.start(ENTITY, ANALYST)
    with pytest.raises(FormInvalid):
        runner.plays.save_scenario(ENTITY, ANALYST, "   ")
    runner.plays.stop(ENTITY, ANALYST)
    assert runner.plays.show(ENTITY, ANALYST).started is False


def test_scenario_files_fire_timers_too():
    from tests.engine.test_scenarios import _sandbox_factory

    diagrams = DiagramSet.from_dirs(ROOT / "workflows", ROOT / "forms")
    scenario = {"name": "Enlace vencido", "process": "registro_usuario",
                "steps": [{"task": "registrar_usuario", "data": user_form()}, {"timer": "enlace_vencido"}],
                "expect": {"tasks": ["registrar_usuario"], "status": "running", "waiting": []}}  # fmt: skip
    [result] = run_scenarios(diagrams, [scenario], _sandbox_factory())
    assert result.passed, result.problem
    early = {**scenario, "steps": [{"timer": "enlace_vencido"}]}  # nothing waits on a timer yet
    [result] = run_scenarios(diagrams, [early], _sandbox_factory())
    assert not result.passed and "esperaba el temporizador enlace_vencido" in result.problem


def test_a_draft_with_problems_cannot_be_played_and_says_why(runner):
    bpmn = (ROOT / "workflows" / "registro_entidad.bpmn").read_text()
    broken = bpmn.replace('value="validar_entidad-schema.json"', 'value="no_existe-schema.json"', 1)
    base = runner.versions(ENTITY)[0][0].id
    _draft, problems = runner.drafts.save(ENTITY, {"registro_entidad.bpmn": broken}, base, 0, ANALYST)
    assert problems  # kept as a draft, with its problems
    with pytest.raises(Conflict) as refused:
        runner.plays.start(ENTITY, ANALYST)
    assert "corríjalos antes de probarlo" in refused.value.message
    assert "validar_entidad: formulario inexistente: no_existe-schema.json" in refused.value.message


def test_every_deployed_procedure_starts_a_play_with_something_to_do(runner):
    """Whoever its diagram lets start it — anonymous, a person, a platform role, an account's
    role, or nobody by hand (a called process, started for an account) — a play starts it."""
    for procedure in runner.procedures():
        state = runner.plays.start(procedure.process_id, ANALYST)
        assert state.problem is None and state.status == "running", procedure.process_id
        assert state.page is not None or state.messages or state.timers, procedure.process_id
        if state.page is not None:  # the form of the task it waits at, as its lane would see it
            assert state.page.summary.name in state.waiting

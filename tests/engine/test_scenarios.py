"""Scenario tests (issue 16, point 4): the committed scenarios of workflows/scenarios pass on
the committed procedures (so `make test` runs them), each in a sandbox that touches no real
data; a scenario that no longer holds says where the path differed."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from engine.config import EngineConfig
from engine.diagrams import DiagramSet
from engine.domain import secop_domain
from engine.runner import Runner
from engine.runner import sandbox_runner
from engine.scenarios import load_scenarios
from engine.scenarios import run_scenarios

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
SCENARIOS = load_scenarios(WORKFLOWS)


def _sandbox_factory():
    return functools.partial(sandbox_runner, EngineConfig(), secop_domain())


@pytest.fixture(scope="module")
def diagrams():
    return DiagramSet.from_dirs(WORKFLOWS, ROOT / "forms")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_committed_scenarios_pass(diagrams, scenario):
    [result] = run_scenarios(diagrams, [scenario], _sandbox_factory())
    assert result.passed, result.problem
    assert result.tasks == scenario["expect"]["tasks"]


def test_every_committed_scenario_names_a_deployed_process_and_has_expectations():
    processes = {path.stem for path in WORKFLOWS.glob("*.bpmn")}
    assert len(SCENARIOS) >= 4
    for scenario in SCENARIOS:
        assert scenario["process"] in processes and {"tasks", "status"} <= set(scenario["expect"])


def test_a_scenario_that_no_longer_holds_says_where_the_path_differed(diagrams):
    path = WORKFLOWS / "scenarios" / "registro_entidad" / "entidad-nueva-hasta-documentos.json"
    scenario = json.loads(path.read_text())
    scenario["expect"]["tasks"] = ["validar_entidad", "buscar_cuenta"]
    [result] = run_scenarios(diagrams, [scenario], _sandbox_factory())
    assert not result.passed
    assert result.problem == "en la tarea 2 esperaba buscar_cuenta y llegó a registrar_entidad"
    assert result.element_id == "registrar_entidad"

    scenario["steps"].append({"task": "validar_entidad", "data": {}})
    [result] = run_scenarios(diagrams, [scenario], _sandbox_factory())
    assert result.problem == "paso 5: esperaba la tarea validar_entidad, pero espera anexar_documentos"


def test_the_sandbox_touches_no_real_data(tmp_path, diagrams):
    real = Runner.from_url(f"sqlite:///{tmp_path / 'real.db'}", EngineConfig(), secop_domain())
    real.create_schema()
    real.deploy(diagrams)
    [result] = run_scenarios(diagrams, SCENARIOS[:1], real._sandbox)
    assert result.passed
    from engine.models import ProcessInstance

    with real.transaction() as session:
        assert session.query(ProcessInstance).count() == 0


def _committed(process: str, slug: str) -> dict:
    return json.loads((WORKFLOWS / "scenarios" / process / f"{slug}.json").read_text())


def test_a_scenario_builds_its_people_accounts_and_documents_in_the_sandbox_only(runner):
    """The correction loop needs an account, an administrator, a Mesa agent and a replaced
    document: all made in the sandbox, none left in the real database or upload folder."""
    from engine.domain.models import Account
    from engine.domain.models import User
    from engine.models import ProcessInstance

    sandboxes = []

    def make_sandbox():
        sandboxes.append(runner._sandbox())
        return sandboxes[-1]

    scenario = _committed("activacion_cuenta", "correccion-y-activacion")
    [result] = run_scenarios(runner.current_diagrams(), [scenario], make_sandbox)
    assert result.passed, result.problem
    loop = ["solicitar_activacion", "validar_documentos", "corregir_documentos", "validar_documentos"]
    assert result.tasks == loop
    with runner.transaction() as session:
        assert session.query(User).count() == session.query(Account).count() == 0
        assert session.query(ProcessInstance).count() == 0
    assert not runner.config.upload_dir.exists() or not any(runner.config.upload_dir.iterdir())
    [sandbox] = sandboxes
    assert sandbox.scratch_dir is not None and not sandbox.scratch_dir.exists()


def test_a_scenario_checks_what_the_services_answered_and_names_missing_people(diagrams):
    scenario = _committed("solicitud_acceso", "rechazada")
    scenario["expect"]["data"] = {"access_request_state": "Aceptado"}
    [result] = run_scenarios(diagrams, [scenario], _sandbox_factory())
    assert not result.passed
    assert result.problem == 'esperaba access_request_state = "Aceptado" y quedó "Rechazado"'

    scenario = _committed("solicitud_acceso", "rechazada")
    scenario["start"] = {"as": "nadie"}
    [result] = run_scenarios(diagrams, [scenario], _sandbox_factory())
    assert (result.passed, result.status) == (False, "sin iniciar")
    assert result.problem == "al iniciar: El escenario no define a «nadie» en given.people."


def test_scenarios_cover_every_path_of_the_guides_procedures():
    """Issue 16: new entity, existing NIT, «Modificar», activation, the correction loop, access
    accepted (both roles) / rejected / cancelled, Perfil Mixto."""
    by_process: dict[str, set[str]] = {}
    for path in (WORKFLOWS / "scenarios").glob("*/*.json"):
        by_process.setdefault(path.parent.name, set()).add(path.stem)
    assert {"entidad-nueva", "nit-existente", "modificar-primera-parte"} <= by_process["registro_entidad"]
    assert {"activacion", "correccion-y-activacion"} <= by_process["activacion_cuenta"]
    access = {"aceptada-administrador", "aceptada-comprador", "rechazada", "cancelada"}
    assert access <= by_process["solicitud_acceso"]
    assert {"habilitado"} <= by_process["perfil_mixto"]

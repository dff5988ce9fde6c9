"""The engine runs with whatever domain it is given: a diagram whose service task calls a
function of a tiny, test-only domain deploys and runs, and the engine core needs nothing of
the SECOP package to do it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine import Actor
from engine import Domain
from engine import Registry
from engine.checker import check
from engine.diagrams import DiagramSet
from engine.errors import DiagramInvalid
from engine.errors import FormInvalid

ROOT = Path(__file__).resolve().parents[2]
SALUDO = ROOT / "tests" / "data" / "saludo"
ANA = Actor(user_id=7)


def tiny_domain() -> Domain:
    """A domain of one service and one form check; a user is just an id (the default loader)."""
    services = Registry("función de servicio")
    checks = Registry("validación")

    @services.register("saludar")
    def saludar(ctx, nombre: str) -> str:
        ctx.record("saludo_dado", nombre=nombre)
        return f"Hola, {nombre}"

    @checks.register("nombre_permitido")
    def nombre_permitido(ctx, value, data) -> str | None:
        return "Ese nombre no se admite aquí." if value == "Nadie" else None

    return Domain(services=services, checks=checks)


def test_a_diagram_of_another_domain_deploys_and_runs(make_runner):
    runner = make_runner(SALUDO, SALUDO / "forms", domain=tiny_domain())
    started = runner.start("saludo", ANA)
    [pedir] = started.next_tasks

    with pytest.raises(FormInvalid) as refused:
        runner.complete_task(ANA, pedir.id, {"nombre": "Nadie"})
    assert refused.value.errors == {"nombre": ["Ese nombre no se admite aquí."]}

    result = runner.complete_task(ANA, pedir.id, {"nombre": "Ana"})
    [leer] = result.next_tasks
    assert result.data["saludo"] == "Hola, Ana"
    assert runner.task(ANA, leer.id).instructions == "<p>Hola, Ana</p>"
    runner.complete_task(ANA, leer.id, {})
    view = runner.instance(started.instance_id)
    assert view.status == "completed"
    assert [e["kind"] for e in view.events] == [
        "started", "task_completed", "saludo_dado", "task_completed",
    ]  # fmt: skip


def test_the_checker_knows_only_the_domain_it_is_given(make_runner):
    with pytest.raises(DiagramInvalid) as secop_diagrams:
        make_runner(domain=tiny_domain())  # the SECOP workflows, with the tiny domain
    messages = [p.message for p in secop_diagrams.value.problems]
    assert "función de servicio no registrada: 'create_user'" in messages

    with pytest.raises(DiagramInvalid) as tiny_diagram:
        make_runner(SALUDO, SALUDO / "forms")  # the tiny diagram, with the SECOP domain
    messages = [p.message for p in tiny_diagram.value.problems]
    assert "función de servicio no registrada: 'saludar'" in messages
    assert any("validación no registrada 'nombre_permitido'" in m for m in messages)


@pytest.mark.parametrize(
    ("parameters", "problems"),
    [
        ('<spiffworkflow:parameter id="name" type="any" value="nombre" />',
         ["saludar: falta el parámetro obligatorio 'nombre'",
          "saludar: parámetro desconocido 'name' (la función recibe: nombre)"]),
        ("", ["saludar: falta el parámetro obligatorio 'nombre'"]),
        ('<spiffworkflow:parameter id="nombre" type="any" value="nombre" />'
         '<spiffworkflow:parameter id="tono" type="any" value="\'alegre\'" />',
         ["saludar: parámetro desconocido 'tono' (la función recibe: nombre)"]),
    ],
    ids=["misspelt", "missing", "unknown"],
)  # fmt: skip
def test_service_parameters_are_bound_to_the_function_at_deploy(tmp_path, parameters, problems):
    copy = tmp_path / "saludo"
    shutil.copytree(SALUDO, copy)
    bpmn = copy / "saludo.bpmn"
    given = '<spiffworkflow:parameter id="nombre" type="any" value="nombre" />'
    bpmn.write_text(bpmn.read_text().replace(given, parameters))
    found = check(DiagramSet.from_dirs(copy, copy / "forms"), tiny_domain())
    assert [(p.element_id, p.message) for p in found] == [("dar_saludo", message) for message in problems]


def test_the_engine_core_runs_without_the_secop_package(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from engine import Actor, EngineConfig, Runner
        from tests.engine.test_other_domain import tiny_domain

        saludo = Path({str(SALUDO)!r})
        config = EngineConfig(workflows_dir=saludo, forms_dir=saludo / "forms",
                              upload_dir=Path({str(tmp_path)!r}))
        runner = Runner.from_url("sqlite:///{tmp_path / "saludo.db"}", config, domain=tiny_domain())
        runner.create_schema()
        runner.deploy()
        ana = Actor(user_id=7)
        task = runner.start("saludo", ana).next_tasks[0]
        print(runner.complete_task(ana, task.id, {{"nombre": "Ana"}}).data["saludo"])
        print(sorted(name for name in sys.modules if name.startswith("engine.domain")))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Hola, Ana", "[]"]

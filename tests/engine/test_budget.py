"""Issue 17 point 9: a diagram cannot stall the server. Every engine run has a budget (steps,
wall time, sizes of values, of the stored state and of rendered instructions); going over it
fails the step with a Spanish message, recorded on the instance like any other failure. What
can evidently blow up is refused when the diagram is deployed."""

from __future__ import annotations

import pytest

from engine import Actor
from engine import Domain
from engine import EngineConfig
from engine.budget import Limits
from engine.checker import check
from engine.context import CheckContext
from engine.diagrams import DiagramSet
from engine.errors import StepFailed
from engine.forms import validate
from engine.instructions import TOO_LONG
from engine.instructions import render_instructions
from tests.engine.linear import linear
from tests.engine.linear import script_task
from tests.engine.linear import user_task
from tests.engine.linear import write_set

ANA = Actor(user_id=1)
FOREVER = (
    "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>"
    "</bpmn:standardLoopCharacteristics>"
)
STEPS = (
    "El trámite dio más de 50 pasos automáticos seguidos sin esperar a nadie; revise los ciclos del diagrama."
)


@pytest.fixture
def deploy(make_runner, tmp_path):
    """``deploy(*nodes, defaults=None, **limits)``: a runner on the process start → nodes → end
    (``linea``), with small budgets unless told otherwise."""

    def factory(*nodes, defaults=None, **limits):
        directory = write_set(tmp_path / "workflows", linear("linea", *nodes))
        limits = Limits(**{"engine_steps": 50, "step_seconds": 10.0, **limits})
        return make_runner(directory, directory / "forms", limits=limits, process_defaults=defaults or {})

    return factory


def _fail_after_the_first_task(runner):
    """Start (a user task comes first), complete it: the step that follows must fail, and be
    recorded on the instance with an incident. A failure inside an element keeps the
    completed task (the instance stops at the element); one between two elements rolls the
    step back. Returns the error (its Spanish message) and the instance as operators see it."""
    started = runner.start("linea", ANA)
    try:
        result = runner.complete_task(ANA, started.next_tasks[0].id, {})
    except StepFailed as failed:
        error = failed
        assert [t.id for t in runner.inbox(ANA)] == [started.next_tasks[0].id]
    else:
        assert result.status == "error" and runner.inbox(ANA) == []
        error = StepFailed(runner.instance(started.instance_id).error_message)
    view = runner.instance(started.instance_id)
    assert view.status == "error"
    [event] = [e for e in view.events if e["kind"] == "step_failed"]
    assert view.error_message == event["data"]["error"]
    [incident] = runner.incidents()
    assert incident.element_id == event["element_id"] and incident.detail == view.error_message
    return error, view, event


@pytest.mark.timeout(60)
def test_a_loop_that_never_ends_fails_the_step_instead_of_running_forever(deploy):
    runner = deploy(user_task("pedir"), script_task("girar", "pass", FOREVER))
    failed, view, event = _fail_after_the_first_task(runner)
    assert failed.message == STEPS
    assert event["element_id"] == "girar"
    assert STEPS in view.error_message


@pytest.mark.timeout(60)
def test_a_start_that_loops_forever_fails_and_leaves_no_instance(deploy):
    runner = deploy(script_task("girar", "pass", FOREVER))
    with pytest.raises(StepFailed) as failed:
        runner.start("linea", ANA)
    assert failed.value.message == STEPS
    assert runner.list_instances().total == 0


@pytest.mark.timeout(60)
def test_a_step_stops_at_its_wall_time(deploy):
    runner = deploy(
        user_task("pedir"), script_task("girar", "pass", FOREVER), engine_steps=10**9, step_seconds=0.3
    )
    failed, _view, _event = _fail_after_the_first_task(runner)
    assert failed.message == "El paso superó su tiempo máximo de 0.3 segundos y se detuvo."


TEXT = "Un texto del trámite supera el máximo de 100000 caracteres."
NUMBER = "Un número del trámite supera el tamaño máximo permitido."
SIZE = "Un dato del trámite supera el tamaño máximo permitido ({})."
LIST = "Una lista del trámite supera el máximo de 10000 elementos."
NESTED = [["a" * 100] * 100] * 5  # 50,000 characters once expanded
WHILE_SQUARE_IS_POSITIVE = (  # an expression (a loop's condition) builds the huge number
    "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>n * n &gt; 0</bpmn:loopCondition>"
    "</bpmn:standardLoopCharacteristics>"
)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("script", "loop", "defaults", "limits", "message"),
    [
        ("texto = letra * veces", "", {"letra": "a", "veces": 300_000_000}, {}, TEXT),
        ("texto = veces * letra", "", {"letra": "ab", "veces": 300_000_000}, {}, TEXT),
        ("lista = par * veces", "", {"par": [0, 1], "veces": 300_000_000}, {}, LIST),
        ("x = x * x", FOREVER, {"x": 3}, {}, NUMBER),
        ("x *= x", FOREVER, {"x": 3}, {}, NUMBER),
        ("s = s + s", FOREVER, {"s": "ab"}, {}, TEXT),
        ("\n".join(["y = [y, y]"] * 20), "", {"y": "a" * 5000}, {}, SIZE.format(1_000_000)),
        ("texto = str(y)", "", {"y": NESTED}, {"value_size": 10_000}, SIZE.format(10_000)),
        ('texto = f"{y}"', "", {"y": NESTED}, {"value_size": 10_000}, SIZE.format(10_000)),
        ("texto = plantilla % 1", "", {"plantilla": "%0999999999d"}, {},
         "Formato no permitido: ancho o precisión de formato mayor que 100."),
        ("pass", WHILE_SQUARE_IS_POSITIVE, {"n": 2**3000}, {}, NUMBER),
    ],
    ids=["repeat", "repeat-reversed", "list", "squaring", "squaring-augmented", "doubling", "nesting",
         "str", "f-string", "percent-format", "expression"],
)  # fmt: skip
def test_values_are_bounded_while_scripts_run(deploy, script, loop, defaults, limits, message):
    runner = deploy(user_task("pedir"), script_task("crecer", script, loop), defaults=defaults, **limits)
    failed, _view, event = _fail_after_the_first_task(runner)
    assert failed.message == message
    assert event["element_id"] == "crecer"


def test_the_stored_state_is_bounded(deploy):
    runner = deploy(user_task("pedir"), script_task("llenar", "texto = relleno + relleno"),
                    user_task("ver"), defaults={"relleno": "b" * 30_000}, state_chars=50_000)  # fmt: skip
    failed, _view, _event = _fail_after_the_first_task(runner)
    assert failed.message == "Los datos del trámite superan el tamaño máximo de 50000 caracteres."


def test_rendered_instructions_are_bounded(deploy):
    runner = deploy(
        user_task("pedir"),
        user_task("leer", "{% for letra in texto %}{{ texto }}{% endfor %}"),
        defaults={"texto": "x" * 1000},
    )
    failed, _view, event = _fail_after_the_first_task(runner)
    assert failed.message == "Las instrucciones de la tarea «leer» superan el máximo de 50000 caracteres."
    assert event["element_id"] == "leer"


@pytest.mark.timeout(60)
def test_a_parallel_multi_instance_beyond_the_budget_fails_before_creating_its_children(deploy):
    many = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>veces</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics>"
    )
    runner = deploy(user_task("pedir"), script_task("copiar", "pass", many), defaults={"veces": 10**8})
    failed, _view, event = _fail_after_the_first_task(runner)
    assert (
        failed.message
        == "El elemento se repetiría 100000000 veces: más que los 50 pasos automáticos de un paso."
    )
    assert event["element_id"] == "copiar"


def _problems(tmp_path, *nodes) -> list[str]:
    directory = write_set(tmp_path / "check", linear("linea", *nodes))
    return [
        f"{p.element_id}: {p.message}"
        for p in check(DiagramSet.from_dirs(directory, directory / "forms"), Domain())
    ]


REPEAT = "repetir un texto o una lista solo se permite por un número escrito de hasta 100"


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        ('texto = "a" * 300_000_000', REPEAT),
        ("lista = [0] * n", REPEAT),
        ('texto = n * f"{n}"', REPEAT),
        ('texto = f"{n:>999999999}"', "ancho o precisión de formato mayor que 100"),
        ('texto = f"{n:.500f}"', "ancho o precisión de formato mayor que 100"),
        ('texto = f"{n:{w}}"', "el formato de un valor debe ser fijo"),
        ('texto = "%0999999999d" % n', "ancho o precisión de formato mayor que 100"),
        ('texto = "%*d" % (n, n)', "ancho o precisión de formato mayor que 100"),
        ("x = 2 ** 10", "construcción no permitida: Pow"),
    ],
)  # fmt: skip
def test_what_can_blow_up_is_refused_at_deploy(tmp_path, script, problem):
    assert _problems(tmp_path, script_task("crecer", script)) == [f"crecer: script: {problem}"]


def test_legitimate_arithmetic_and_formats_deploy(tmp_path):
    script = "\n".join(
        [
            "total = monto * 2 + base * tasa",
            'linea = "-" * 40',
            'etiqueta = f"{total:>12.2f} {nit}"',
            'x = "%05d" % n',
        ]
    )
    assert _problems(tmp_path, script_task("calcular", script)) == []


EVIL = '__import__("os")'


@pytest.mark.parametrize(
    ("tail", "label"),
    [
        (f"<bpmn:standardLoopCharacteristics><bpmn:loopCondition>{EVIL}</bpmn:loopCondition>"
         "</bpmn:standardLoopCharacteristics>", "condición del ciclo"),
        (f"<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{EVIL}</bpmn:loopCardinality>"
         "</bpmn:multiInstanceLoopCharacteristics>", "número de instancias"),
        ("<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality>"
         f"<bpmn:completionCondition>{EVIL}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>",
         "condición de finalización"),
    ],
    ids=["loopCondition", "loopCardinality", "completionCondition"],
)  # fmt: skip
def test_every_loop_expression_is_checked_at_deploy(tmp_path, tail, label):
    problems = _problems(tmp_path, ("scriptTask", "repetir", "", tail + "<bpmn:script>pass</bpmn:script>"))
    assert problems == [f"repetir: {label}: llamada a una función no registrada: __import__"]


def test_a_loop_input_must_name_a_variable(tmp_path):
    tail = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>items[0]</bpmn:loopDataInputRef>"
        "</bpmn:multiInstanceLoopCharacteristics><bpmn:script>pass</bpmn:script>"
    )
    assert _problems(tmp_path, ("scriptTask", "repetir", "", tail)) == [
        "repetir: colección del ciclo: debe ser el nombre de una variable: 'items[0]'"
    ]


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{% for a in x %}{% for b in x %}.{% endfor %}{% endfor %}", "ciclos anidados o recursivos"),
        ("{% for i in range(100000) %}.{% endfor %}", "construcción no permitida: Call"),
        ("{{ 'x' * 100000000 }}", "construcción no permitida: Mul"),
        ("{{ '%0999999d' % 1 }}", "construcción no permitida: Mod"),
        ("{{ x|center(999999999) }}", "filtro no permitido: center"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "construcción no permitida: Macro"),
    ],
)
def test_instructions_that_can_blow_up_are_refused_at_deploy(tmp_path, template, problem):
    assert _problems(tmp_path, user_task("leer", template)) == [f"leer: instrucciones: {problem}"]


def test_a_form_field_longer_than_a_text_may_be_is_a_form_error():
    schema = {"type": "object", "properties": {"nombre": {"type": "string", "title": "Nombre"}}}
    context = CheckContext(None, ANA, EngineConfig(limits=Limits(text_length=10)))
    assert validate(schema, {"nombre": "x" * 10}, context) == ({"nombre": "x" * 10}, {})
    assert validate(schema, {"nombre": "x" * 11}, context) == (
        {},
        {"nombre": ["El texto supera el máximo de 10 caracteres."]},
    )


def test_a_page_too_long_to_draw_says_so():
    template = "{% for letra in texto %}{{ texto }}{% endfor %}"
    assert render_instructions(template, {"texto": "x" * 100}, limit=5_000) == TOO_LONG
    assert render_instructions(template, {"texto": "x" * 10}, limit=5_000) == f"<p>{'x' * 100}</p>"


def test_a_message_payload_beyond_the_budget_is_refused_and_changes_nothing(make_runner):
    from pathlib import Path

    from engine.errors import FormInvalid

    demo = Path(__file__).resolve().parent.parent / "data" / "engine_demo"
    runner = make_runner(demo, demo / "forms", process_defaults={"review_ttl": "PT1H", "nombre": "Ana"})
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    runner.complete_task(
        user, started.next_tasks[0].id, {"monto": "10", "codigo": "PAY001", "correo": "a@b.co"}
    )
    with pytest.raises(FormInvalid) as refused:
        runner.deliver_message("demo_confirmacion", "PAY001", payload={"nota": "x" * 100_001})
    assert refused.value.errors == {"": [TEXT]}
    assert runner.instance(started.instance_id).status == "running"
    assert (
        runner.deliver_message("demo_confirmacion", "PAY001", payload={"nota": "ok"}) == started.instance_id
    )

"""Issue 2 acceptance 3: every broken diagram gets ``file:line: element-id: message``, exit 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.__main__ import main

DEMO = Path(__file__).resolve().parent.parent / "data" / "engine_demo"


@pytest.fixture
def demo_copy(tmp_path):
    target = tmp_path / "workflows"
    shutil.copytree(DEMO, target)
    return target


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _check(directory: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", str(directory), "--forms", str(directory / "forms")])
    return code, capsys.readouterr().out.splitlines()


def test_clean_set_passes_with_a_summary(demo_copy, capsys):
    code, lines = _check(demo_copy, capsys)
    assert code == 0
    assert lines == ["OK: 1 diagramas BPMN, 1 tablas DMN y 2 formularios sin problemas."]


def test_malformed_xml(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(bpmn, '<bpmn:endEvent id="fin" name="Fin">', '<bpmn:endEvent id="fin" name="Fin"')
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("demo.bpmn:")
    assert ": -: XML mal formado:" in lines[0]


def test_dangling_sequence_flow(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(
        bpmn,
        'id="f7" sourceRef="confirmacion" targetRef="fin"',
        'id="f7" sourceRef="confirmacion" targetRef="nada"',
    )
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    flow_line = _line_of(bpmn, 'id="f7"')
    end_line = _line_of(bpmn, '<bpmn:endEvent id="fin"')
    assert f"demo.bpmn:{flow_line}: f7: el flujo apunta a un elemento inexistente: 'nada'" in lines
    assert f"demo.bpmn:{end_line}: fin: el elemento no tiene flujo de entrada" in lines


def test_node_without_outgoing_flow(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(bpmn, '<bpmn:sequenceFlow id="f7" sourceRef="confirmacion" targetRef="fin" />', "")
    _edit(bpmn, '<bpmndi:BPMNEdge id="f7_di" bpmnElement="f7"><di:waypoint x="898" y="150" />'
                '<di:waypoint x="982" y="150" /></bpmndi:BPMNEdge>', "")  # fmt: skip
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    catch_line = _line_of(bpmn, '<bpmn:intermediateCatchEvent id="confirmacion"')
    assert f"demo.bpmn:{catch_line}: confirmacion: el elemento no tiene flujo de salida" in lines


def test_missing_form(demo_copy, capsys):
    (demo_copy / "forms" / "demo_revisar-schema.json").unlink()
    code, lines = _check(demo_copy, capsys)
    line = _line_of(demo_copy / "demo.bpmn", '<bpmn:userTask id="revisar"')
    assert code == 1
    assert lines == [f"demo.bpmn:{line}: revisar: formulario inexistente: demo_revisar-schema.json"]


def test_invalid_form_schema(demo_copy, capsys):
    form = demo_copy / "forms" / "demo_pedir-schema.json"
    schema = json.loads(form.read_text())
    schema["properties"]["monto"]["type"] = "entero"
    form.write_text(json.dumps(schema))
    code, lines = _check(demo_copy, capsys)
    line = _line_of(demo_copy / "demo.bpmn", '<bpmn:userTask id="pedir"')
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(
        f"demo.bpmn:{line}: pedir: demo_pedir-schema.json no es un JSON Schema válido: "
    )


def test_form_that_is_not_json(demo_copy, capsys):
    (demo_copy / "forms" / "demo_pedir-schema.json").write_text("{ no es json")
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    line = _line_of(demo_copy / "demo.bpmn", '<bpmn:userTask id="pedir"')
    assert lines[0].startswith(f"demo.bpmn:{line}: pedir: ")
    assert "no es JSON válido" in lines[0]


def test_missing_di_shape(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(bpmn, '<bpmndi:BPMNShape id="clasificar_di" bpmnElement="clasificar">'
                '<dc:Bounds x="400" y="110" width="100" height="80" /></bpmndi:BPMNShape>', "")  # fmt: skip
    code, lines = _check(demo_copy, capsys)
    line = _line_of(bpmn, '<bpmn:businessRuleTask id="clasificar"')
    assert code == 1
    assert lines == [f"demo.bpmn:{line}: clasificar: el elemento no tiene forma en el diagrama (BPMNShape)"]


def test_bad_condition_expression(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(bpmn, 'riesgo == "alto"</bpmn:conditionExpression>', "riesgo == </bpmn:conditionExpression>")
    code, lines = _check(demo_copy, capsys)
    line = _line_of(bpmn, '<bpmn:sequenceFlow id="f4"')
    assert code == 1
    assert lines == [f"demo.bpmn:{line}: f4: condición: no es Python válido: invalid syntax (línea 1)"]


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("import os", "construcción no permitida: Import"),
        ("x = ().__class__.__base__", "construcción no permitida: Attribute"),
        ('x = __import__("os")', "llamada a una función no registrada: __import__"),
        ("x = y[0].__class__", "construcción no permitida: Attribute"),
        ("__builtins__ = 1", "nombre no permitido: __builtins__"),
        ("x = open('/etc/passwd')", "llamada a una función no registrada: open"),
    ],
)
def test_scripts_outside_the_allow_list(demo_copy, capsys, script, reason):
    bpmn = demo_copy / "demo.bpmn"
    # Turn the DMN task into a script task with the same id (its shape stays valid).
    opening = '<bpmn:scriptTask id="clasificar" name="Clasificar riesgo">'
    _edit(
        bpmn,
        '<bpmn:businessRuleTask id="clasificar" name="Clasificar riesgo">',
        f"{opening}<bpmn:script>{script}</bpmn:script>",
    )
    _edit(bpmn, "</bpmn:businessRuleTask>", "</bpmn:scriptTask>")
    code, lines = _check(demo_copy, capsys)
    line = _line_of(bpmn, '<bpmn:scriptTask id="clasificar"')
    assert code == 1
    assert lines == [f"demo.bpmn:{line}: clasificar: script: {reason}"]


def test_lane_without_known_role(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(
        bpmn,
        '<bpmn:lane id="Lane_mesa" name="Mesa de Servicio">',
        '<bpmn:lane id="Lane_mesa" name="Tesorería">',
    )
    code, lines = _check(demo_copy, capsys)
    line = _line_of(bpmn, '<bpmn:lane id="Lane_mesa"')
    assert code == 1
    assert lines == [f"demo.bpmn:{line}: Lane_mesa: carril sin rol conocido en lanes.json: 'Tesorería'"]


def test_bpmn_the_engine_parser_rejects(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _edit(
        bpmn,
        '<bpmn:startEvent id="inicio" name="Inicio">',
        '<bpmn:startEvent id="inicio" name="Inicio" bogus="1">',
    )
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"demo.bpmn:{_line_of(bpmn, 'bogus=')}: ")
    assert "rechazado por el motor BPMN" in lines[0]


def test_bad_dmn_cell(demo_copy, capsys):
    dmn = demo_copy / "demo_riesgo.dmn"
    _edit(dmn, '<text>"alto"</text>', "<text>alto.upper()</text>")
    code, lines = _check(demo_copy, capsys)
    line = _line_of(dmn, "alto.upper()")
    assert code == 1
    assert lines == [
        f"demo_riesgo.dmn:{line}: r_alto_out: celda de salida: "
        "llamada a una función no registrada: alto.upper"
    ]


PROCESS_TAG = '<bpmn:process id="demo_solicitud" name="Solicitud de prueba" isExecutable="true">'


def _with_process_properties(bpmn: Path, **properties) -> None:
    props = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in properties.items())
    block = (f"<bpmn:extensionElements><spiffworkflow:properties>{props}"
             "</spiffworkflow:properties></bpmn:extensionElements>")  # fmt: skip
    _edit(bpmn, PROCESS_TAG, PROCESS_TAG + block)


def _with_done_message(bpmn: Path, message: str, name: str = "doneMessage") -> None:
    form = 'value="demo_pedir-schema.json" />'
    _edit(bpmn, form, f'{form}<spiffworkflow:property name="{name}" value="{message}" />')


def test_procedure_properties_deploy(demo_copy, capsys):
    _with_process_properties(demo_copy / "demo.bpmn", startableBy="platform:mesa_servicio",
                             startLabel="Pedir algo", endMessage="Listo, {{ nombre }}.",
                             startOn="mis_registros", hiddenWhenAccount="mixed_profile")  # fmt: skip
    _with_done_message(demo_copy / "demo.bpmn", "Pedido.")
    assert _check(demo_copy, capsys)[0] == 0


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({"startableBy": "todos"}, "startableBy desconocido 'todos'"),
        ({"startableBy": "account:"}, "startableBy desconocido 'account:'"),
        ({"startabelBy": "user"}, "propiedad del proceso desconocida 'startabelBy'"),
        ({"endMessage": "{{ range(9) }}"}, "endMessage: construcción no permitida: Call"),
        ({"startOn": "mis_registros escritorio"}, "startOn desconocido 'escritorio'"),
        ({"hiddenWhenAccount": "mixed profile"}, "hiddenWhenAccount debe nombrar un atributo de la cuenta"),
    ],
)
def test_bad_procedure_properties(demo_copy, capsys, properties, reason):
    bpmn = demo_copy / "demo.bpmn"
    _with_process_properties(bpmn, **properties)
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"demo.bpmn:{_line_of(bpmn, PROCESS_TAG)}: demo_solicitud: {reason}")


@pytest.mark.parametrize("name", ["doneMessage", "inboxSubject"])
def test_bad_task_message(demo_copy, capsys, name):
    bpmn = demo_copy / "demo.bpmn"
    _with_done_message(bpmn, "{{ x * 9 }}", name)
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    line = _line_of(bpmn, '<bpmn:userTask id="pedir"')
    assert lines == [f"demo.bpmn:{line}: pedir: {name}: construcción no permitida: Mul"]


def test_one_procedure_started_anonymously(demo_copy, capsys):
    bpmn = demo_copy / "demo.bpmn"
    _with_process_properties(bpmn, startableBy="anonymous")
    second = bpmn.read_text().replace("demo_solicitud", "demo_otra")
    (demo_copy / "otra.bpmn").write_text(second)
    code, lines = _check(demo_copy, capsys)
    assert code == 1
    refused = ("solo un proceso puede iniciarse sin usuario (startableBy anonymous); "
               "ya lo hace 'demo_solicitud'")
    assert any(refused in line and line.startswith("otra.bpmn:") for line in lines), lines

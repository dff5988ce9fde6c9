"""The project's own workflows/: the conventions of docs/diagrams.md that the checker does not
enforce (Spanish names, the guide cited on every task, lanes, timers and messages in place)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
TASKS = "userTask serviceTask scriptTask businessRuleTask callActivity receiveTask".split()
NODES = TASKS + "startEvent endEvent intermediateCatchEvent boundaryEvent exclusiveGateway".split()
PROCESSES = ["activacion_cuenta", "perfil_mixto", "registro_entidad", "registro_usuario", "solicitud_acceso",
             "solicitud_telefonica"]


def _root(process_id: str):
    return etree.parse(str(WORKFLOWS / f"{process_id}.bpmn")).getroot()


def test_one_file_per_procedure():
    assert sorted(path.stem for path in WORKFLOWS.glob("*.bpmn")) == PROCESSES
    for process_id in PROCESSES:
        assert [p.get("id") for p in _root(process_id).iterfind("bpmn:process", NS)] == [process_id]


@pytest.mark.parametrize("process_id", PROCESSES)
def test_every_task_is_named_in_spanish_and_cites_the_guide(process_id):
    root = _root(process_id)
    for tag in NODES:
        for element in root.iterfind(f".//bpmn:{tag}", NS):
            assert element.get("name"), element.get("id")
    for tag in TASKS:
        for element in root.iterfind(f".//bpmn:{tag}", NS):
            documentation = element.find("bpmn:documentation", NS)
            assert documentation is not None and "Guía §" in documentation.text, element.get("id")


@pytest.mark.parametrize("process_id", PROCESSES)
def test_pool_lanes_and_shapes(process_id):
    root = _root(process_id)
    lanes = json.loads((WORKFLOWS / "lanes.json").read_text(encoding="utf-8"))
    shapes = {shape.get("bpmnElement") for shape in root.iterfind(".//bpmndi:BPMNShape", NS)}
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == process_id and participant.get("id") in shapes
    lane_nodes = set()
    for lane in root.iterfind(".//bpmn:lane", NS):
        assert lane.get("name") in lanes and lane.get("id") in shapes
        lane_nodes.update(ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS))
    for tag in NODES:
        for element in root.iterfind(f".//bpmn:{tag}", NS):
            assert element.get("id") in lane_nodes, f"{element.get('id')} is in no lane"
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        assert len(edge.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2


def test_activation_wait_has_an_expiry_timer_and_a_resend_message():
    root = _root("registro_usuario")
    wait = root.find(".//bpmn:receiveTask[@id='confirmar_registro']", NS)
    message = root.find(f".//bpmn:message[@id='{wait.get('messageRef')}']", NS)
    assert message.get("name") == "activacion_usuario"
    assert (
        wait.find(".//spiff:processVariableCorrelation/spiff:expression", NS).text == "activation_token_hash"
    )
    timer = root.find(".//bpmn:boundaryEvent[@attachedToRef='confirmar_registro']//bpmn:timeDuration", NS)
    assert timer.text == "activation_link_ttl"
    names = {m.get("name") for m in root.iterfind(".//bpmn:message", NS)}
    assert names == {"activacion_usuario", "reenvio_enlace"}


def test_review_of_an_access_request_can_be_cancelled_by_message():
    root = _root("solicitud_acceso")
    boundary = root.find(".//bpmn:boundaryEvent[@attachedToRef='revisar_solicitud_acceso']", NS)
    assert boundary.get("cancelActivity", "true") == "true"
    definition = boundary.find("bpmn:messageEventDefinition", NS)
    message = root.find(f".//bpmn:message[@id='{definition.get('messageRef')}']", NS)
    assert message.get("name") == "cancelar_solicitud"

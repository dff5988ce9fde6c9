"""Generated benchmark diagrams (with diagram interchange, so the checker accepts them)."""

from __future__ import annotations

import json
from pathlib import Path

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
 xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true">
"""


def linear(process_id: str, tasks: int) -> str:
    """start -> u1 -> ... -> uN -> end, every task a user task with a one-field form."""
    nodes = ["start", *[f"u{i}" for i in range(1, tasks + 1)], "end"]
    xml = [HEADER.format(pid=process_id)]
    xml.append('    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>\n')
    for i in range(1, tasks + 1):
        xml.append(
            f'    <bpmn:userTask id="u{i}" name="Paso {i}"><bpmn:extensionElements>'
            '<spiffworkflow:properties xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="bench_step-schema.json" />'
            "</spiffworkflow:properties></bpmn:extensionElements>"
            f"<bpmn:incoming>f{i - 1}</bpmn:incoming><bpmn:outgoing>f{i}</bpmn:outgoing></bpmn:userTask>\n"
        )
    xml.append(f'    <bpmn:endEvent id="end"><bpmn:incoming>f{tasks}</bpmn:incoming></bpmn:endEvent>\n')
    for i in range(tasks + 1):
        xml.append(f'    <bpmn:sequenceFlow id="f{i}" sourceRef="{nodes[i]}" targetRef="{nodes[i + 1]}" />\n')
    xml.append(
        f'  </bpmn:process>\n  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="{process_id}">\n'
    )
    for i, node in enumerate(nodes):
        x = 100 + i * 150
        w, h, y = (36, 36, 122) if node in ("start", "end") else (100, 80, 100)
        xml.append(f'    <bpmndi:BPMNShape id="{node}_di" bpmnElement="{node}">')
        xml.append(f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>\n')
    for i in range(tasks + 1):
        x1, x2 = 100 + i * 150 + (36 if i == 0 else 100), 100 + (i + 1) * 150
        xml.append(f'    <bpmndi:BPMNEdge id="f{i}_di" bpmnElement="f{i}"><di:waypoint x="{x1}" y="140" />')
        xml.append(f'<di:waypoint x="{x2}" y="140" /></bpmndi:BPMNEdge>\n')
    xml.append("  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(xml)


STEP_FORM = {
    "type": "object",
    "required": ["valor"],
    "properties": {"valor": {"type": "string", "title": "Valor", "maxLength": 50}},
}


def write_linear_set(directory: Path, tasks: int = 10, process_id: str = "linear10") -> Path:
    (directory / "forms").mkdir(parents=True, exist_ok=True)
    (directory / f"{process_id}.bpmn").write_text(linear(process_id, tasks))
    (directory / "lanes.json").write_text("{}")
    (directory / "forms" / "bench_step-schema.json").write_text(json.dumps(STEP_FORM))
    return directory


def loop(process_id: str = "bucle") -> str:
    """start -> u (user task) -> gateway: ``seguir`` loops back to u, else end."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
 xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
 xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_loop" targetNamespace="x">
  <bpmn:process id="{process_id}" name="Bucle" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="u" name="Paso"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="bench_loop-schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="g" default="f3"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="u" />
    <bpmn:sequenceFlow id="f1" sourceRef="u" targetRef="g" />
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="u"><bpmn:conditionExpression>seguir</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="{process_id}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="122" width="36" height="36" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="u_di" bpmnElement="u"><dc:Bounds x="200" y="100" width="100" height="80" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="g_di" bpmnElement="g"><dc:Bounds x="360" y="115" width="50" height="50" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="470" y="122" width="36" height="36" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f0_di" bpmnElement="f0"><di:waypoint x="136" y="140" /><di:waypoint x="200" y="140" />
    </bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="300" y="140" /><di:waypoint x="360" y="140" />
    </bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="385" y="115" /><di:waypoint x="385" y="60" />
      <di:waypoint x="250" y="60" /><di:waypoint x="250" y="100" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="410" y="140" /><di:waypoint x="470" y="140" />
    </bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


LOOP_FORM = {
    "type": "object",
    "required": ["seguir"],
    "properties": {
        "seguir": {"type": "boolean", "title": "Seguir"},
        "nota": {"type": "string", "maxLength": 80},
    },
}


def write_loop_set(directory: Path) -> Path:
    (directory / "forms").mkdir(parents=True, exist_ok=True)
    (directory / "bucle.bpmn").write_text(loop())
    (directory / "lanes.json").write_text("{}")
    (directory / "forms" / "bench_loop-schema.json").write_text(json.dumps(LOOP_FORM))
    return directory

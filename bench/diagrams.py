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
    xml.append(f'  </bpmn:process>\n  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="{process_id}">\n')
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

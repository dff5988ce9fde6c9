"""Small diagrams for engine tests: a process that runs its nodes one after the other."""

from __future__ import annotations

from pathlib import Path

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
 xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
 xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
 id="Definitions_{pid}" targetNamespace="x">
"""


def linear(process_id: str, *nodes: tuple[str, str, str, str]) -> str:
    """start → each node in turn → end, with shapes and edges. A node is ``(tag, id, head,
    tail)``: ``head`` goes before its flows (extension elements), ``tail`` after them (loop
    characteristics, the script), as the BPMN schema orders them."""
    chain = [("startEvent", "inicio", "", ""), *nodes, ("endEvent", "fin", "", "")]
    flows = [(f"f{i}", chain[i][1], chain[i + 1][1]) for i in range(len(chain) - 1)]
    body, shapes = [], []
    for i, (tag, node_id, head, tail) in enumerate(chain):
        incoming = f"<bpmn:incoming>f{i - 1}</bpmn:incoming>" if i > 0 else ""
        outgoing = f"<bpmn:outgoing>f{i}</bpmn:outgoing>" if i < len(chain) - 1 else ""
        body.append(
            f'<bpmn:{tag} id="{node_id}" name="{node_id}">{head}{incoming}{outgoing}{tail}</bpmn:{tag}>'
        )
        shapes.append(
            f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
            f'<dc:Bounds x="{100 + 150 * i}" y="100" width="100" height="80" /></bpmndi:BPMNShape>'
        )
    for flow_id, source, target in flows:
        body.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />')
        x = 200 + 150 * int(flow_id[1:])
        shapes.append(
            f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
            f'<di:waypoint x="{x}" y="140" /><di:waypoint x="{x + 50}" y="140" /></bpmndi:BPMNEdge>'
        )
    return (
        HEADER.format(pid=process_id)
        + f'  <bpmn:process id="{process_id}" name="{process_id}" isExecutable="true">\n    '
        + "\n    ".join(body)
        + "\n  </bpmn:process>\n"
        + f'  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="{process_id}">\n'
        + "\n".join(shapes)
        + "\n  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n"
    )


def write_set(directory: Path, *processes: str, forms: dict[str, str] | None = None) -> Path:
    """A diagram set (each process text, lanes.json, forms) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "forms").mkdir(exist_ok=True)
    (directory / "lanes.json").write_text("{}")
    for number, text in enumerate(processes):
        (directory / f"p{number}.bpmn").write_text(text)
    for name, text in (forms or {}).items():
        (directory / "forms" / name).write_text(text)
    return directory


def user_task(node_id: str, instructions: str = "") -> tuple[str, str, str, str]:
    head = (
        "<bpmn:extensionElements><spiffworkflow:instructionsForEndUser>"
        f"{instructions}</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>"
        if instructions
        else ""
    )
    return ("userTask", node_id, head, "")


def script_task(node_id: str, script: str, loop: str = "") -> tuple[str, str, str, str]:
    """A script task; ``loop`` is its loop characteristics XML, if any."""
    return ("scriptTask", node_id, "", f"{loop}<bpmn:script>{script}</bpmn:script>")

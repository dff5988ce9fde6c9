"""Write a Procedure as a SpiffArena-flavoured BPMN file with full diagram interchange."""

from __future__ import annotations

from lxml import etree

from tools.bpmngen import layout
from tools.bpmngen.model import Procedure

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF, "xsi": XSI}

KIND_TAG = {
    "start": "startEvent",
    "end": "endEvent",
    "catch": "intermediateCatchEvent",
    "boundary": "boundaryEvent",
}


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def sub(parent, ns, tag, text=None, **attrs):
    element = etree.SubElement(parent, q(ns, tag), {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _extensions(parent):
    return sub(parent, BPMN, "extensionElements")


def _message_extensions(parent, node):
    ext = _extensions(parent)
    if node.message_variable:
        sub(ext, SPIFF, "messageVariable", node.message_variable)
    if node.correlation:
        corr = sub(ext, SPIFF, "processVariableCorrelation")
        sub(corr, SPIFF, "propertyId", node.correlation[0])
        sub(corr, SPIFF, "expression", node.correlation[1])


def _node_element(process, node, incoming, outgoing):
    tag = KIND_TAG.get(node.kind, node.kind)
    attrs = {"id": node.id, "name": node.name}
    if node.kind == "callActivity":
        attrs["calledElement"] = node.called
    if node.kind == "receiveTask":
        attrs["messageRef"] = node.message
    if node.kind == "boundary":
        attrs["attachedToRef"] = node.attached_to  # interrupting: cancelActivity defaults to true
    if node.kind == "exclusiveGateway" and node.default:
        attrs["default"] = node.default
    el = sub(process, BPMN, tag, **attrs)
    if node.doc:
        sub(el, BPMN, "documentation", node.doc)
    if node.kind == "userTask":
        ext = _extensions(el)
        if node.instructions:
            sub(ext, SPIFF, "instructionsForEndUser", node.instructions)
        props = sub(ext, SPIFF, "properties")
        if node.form:
            sub(props, SPIFF, "property", name="formJsonSchemaFilename", value=f"{node.form}-schema.json")
            sub(props, SPIFF, "property", name="formUiSchemaFilename", value=f"{node.form}-uischema.json")
        if node.due_in_days:
            sub(props, SPIFF, "property", name="dueInDays", value=node.due_in_days)
    elif node.kind == "serviceTask":
        ext = _extensions(el)
        op = sub(ext, SPIFF, "serviceTaskOperator", id=node.operator, resultVariable=node.result)
        params = sub(op, SPIFF, "parameters")
        for name, value in node.params:
            sub(params, SPIFF, "parameter", id=name, type="any", value=value)
    elif node.kind == "businessRuleTask":
        sub(_extensions(el), SPIFF, "calledDecisionId", node.decision)
    elif node.kind == "receiveTask":
        _message_extensions(el, node)
    for flow_id in incoming:
        sub(el, BPMN, "incoming", flow_id)
    for flow_id in outgoing:
        sub(el, BPMN, "outgoing", flow_id)
    if node.kind == "scriptTask":
        sub(el, BPMN, "script", node.script)
    if node.kind in ("catch", "boundary") and node.message:
        definition = sub(el, BPMN, "messageEventDefinition", id=f"{node.id}_def", messageRef=node.message)
        _message_extensions(definition, node)
    if node.timer:
        definition = sub(el, BPMN, "timerEventDefinition", id=f"{node.id}_def")
        duration = sub(definition, BPMN, "timeDuration", node.timer)
        duration.set(q(XSI, "type"), "bpmn:tFormalExpression")
    return el


def _definitions_header(proc: Procedure):
    root = etree.Element(
        q(BPMN, "definitions"),
        nsmap=NSMAP,
        id=f"Definitions_{proc.process_id}",
        targetNamespace="http://bpmn.io/schema/bpmn",
        exporter="secop-bpmngen",
        exporterVersion="1.0",
    )
    collab = sub(root, BPMN, "collaboration", id=f"Collaboration_{proc.process_id}")
    sub(
        collab,
        BPMN,
        "participant",
        id=f"Participant_{proc.process_id}",
        name=proc.name,
        processRef=proc.process_id,
    )
    if proc.correlation_key:
        key = sub(collab, BPMN, "correlationKey", name=proc.correlation_key)
        for prop in dict.fromkeys(m.correlation_property for m in proc.messages):
            sub(key, BPMN, "correlationPropertyRef", prop)
    return root, collab


def build(proc: Procedure) -> bytes:
    root, _collab = _definitions_header(proc)
    process = sub(root, BPMN, "process", id=proc.process_id, name=proc.name, isExecutable="true")
    sub(process, BPMN, "documentation", proc.doc)
    lane_set = sub(process, BPMN, "laneSet", id=f"LaneSet_{proc.process_id}")
    for lane_id, lane_name, _rows in proc.lanes:
        lane = sub(lane_set, BPMN, "lane", id=lane_id, name=lane_name)
        for node in proc.nodes:
            if node.lane == lane_id:
                sub(lane, BPMN, "flowNodeRef", node.id)
    incoming = {n.id: [f.id for f in proc.flows if f.target == n.id] for n in proc.nodes}
    outgoing = {n.id: [f.id for f in proc.flows if f.source == n.id] for n in proc.nodes}
    for node in proc.nodes:
        _node_element(process, node, incoming[node.id], outgoing[node.id])
    for flow in proc.flows:
        el = sub(
            process,
            BPMN,
            "sequenceFlow",
            id=flow.id,
            name=flow.name,
            sourceRef=flow.source,
            targetRef=flow.target,
        )
        if flow.condition:
            cond = sub(el, BPMN, "conditionExpression", flow.condition)
            cond.set(q(XSI, "type"), "bpmn:tFormalExpression")
    for message in proc.messages:
        sub(root, BPMN, "message", id=message.id, name=message.name)
    by_property: dict[str, list] = {}
    for message in proc.messages:
        by_property.setdefault(message.correlation_property, []).append(message)
    for prop_id, messages in by_property.items():
        prop = sub(root, BPMN, "correlationProperty", id=prop_id, name=prop_id)
        for message in messages:
            expr = sub(prop, BPMN, "correlationPropertyRetrievalExpression", messageRef=message.id)
            sub(expr, BPMN, "formalExpression", message.retrieval)
    _diagram(root, proc)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _bounds(parent, box):
    sub(parent, DC, "Bounds", x=round(box.x), y=round(box.y), width=round(box.w), height=round(box.h))


def _diagram(root, proc: Procedure):
    diagram = sub(root, BPMNDI, "BPMNDiagram", id=f"BPMNDiagram_{proc.process_id}")
    plane = sub(
        diagram,
        BPMNDI,
        "BPMNPlane",
        id=f"BPMNPlane_{proc.process_id}",
        bpmnElement=f"Collaboration_{proc.process_id}",
    )
    pool, lanes = layout.lane_boxes(proc.lanes, proc.columns)
    shape = sub(
        plane,
        BPMNDI,
        "BPMNShape",
        id=f"Participant_{proc.process_id}_di",
        bpmnElement=f"Participant_{proc.process_id}",
        isHorizontal="true",
    )
    _bounds(shape, pool)
    lane_by_id = {lane.lane_id: lane for lane in lanes}
    for lane in lanes:
        shape = sub(
            plane, BPMNDI, "BPMNShape", id=f"{lane.lane_id}_di", bpmnElement=lane.lane_id, isHorizontal="true"
        )
        _bounds(shape, lane.box)
    boxes = {}
    for node in proc.nodes:
        if node.kind != "boundary":
            boxes[node.id] = layout.node_box(node.kind, lane_by_id[node.lane], node.col, node.row)
    for node in proc.nodes:
        if node.kind == "boundary":
            boxes[node.id] = layout.boundary_box(boxes[node.attached_to], node.boundary_slot)
    for node in proc.nodes:
        attrs = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.kind == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        shape = sub(plane, BPMNDI, "BPMNShape", **attrs)
        box = boxes[node.id]
        _bounds(shape, box)
        if layout.shape_family(node.kind) != "task":
            label = sub(shape, BPMNDI, "BPMNLabel")
            width = min(max(len(node.name) * 6, 60), 120)
            if node.kind == "exclusiveGateway":  # above: branches leave by the bottom
                label_box = layout.Box(box.cx - width / 2, box.y - 33, width, 27)
            elif node.kind == "boundary":  # beside: its flow leaves by the bottom
                label_box = layout.Box(box.right + 4, box.bottom - 4, width, 27)
            else:
                label_box = layout.Box(box.cx - width / 2, box.bottom + 6, width, 27)
            _bounds(label, label_box)
    for flow in proc.flows:
        edge = sub(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        points = layout.edge_points(boxes[flow.source], boxes[flow.target], flow.route)
        for x, y in points:
            sub(edge, DI, "waypoint", x=round(x), y=round(y))
        if flow.name:
            label = sub(edge, BPMNDI, "BPMNLabel")
            _bounds(label, layout.label_box(points, flow.name))

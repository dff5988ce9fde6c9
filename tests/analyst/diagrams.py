"""A changed registration diagram: one more user task, "Revisar datos del registro",
between "Registrar usuario" and "Crear usuario" (with its diagram interchange)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGISTRATION = ROOT / "workflows" / "registro_usuario.bpmn"
NEW_TASK = "revisar_datos"

TASK = """<bpmn:userTask id="revisar_datos" name="Revisar datos del registro">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Revise sus datos antes de crear el usuario.\
</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f_registrado</bpmn:incoming>
      <bpmn:outgoing>f_revisado</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="crear_usuario" """
SHAPE = """<bpmndi:BPMNShape id="revisar_datos_di" bpmnElement="revisar_datos">
        <dc:Bounds x="430" y="280" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="crear_usuario_di" """


def changed_registration() -> bytes:
    text = REGISTRATION.read_text()
    replacements = [
        ('<bpmn:serviceTask id="crear_usuario" ', TASK),
        ("<bpmn:incoming>f_registrado</bpmn:incoming>\n      <bpmn:outgoing>f_creado",
         "<bpmn:incoming>f_revisado</bpmn:incoming>\n      <bpmn:outgoing>f_creado"),
        ('<bpmn:sequenceFlow id="f_registrado" sourceRef="registrar_usuario" targetRef="crear_usuario"/>',
         '<bpmn:sequenceFlow id="f_registrado" sourceRef="registrar_usuario" targetRef="revisar_datos"/>\n'
         '    <bpmn:sequenceFlow id="f_revisado" sourceRef="revisar_datos" targetRef="crear_usuario"/>'),
        ("<bpmn:flowNodeRef>registrar_usuario</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>registrar_usuario</bpmn:flowNodeRef>\n"
         "        <bpmn:flowNodeRef>revisar_datos</bpmn:flowNodeRef>"),
        ('<bpmndi:BPMNShape id="crear_usuario_di" ', SHAPE),
        ('<di:waypoint x="470" y="170"/>\n        <di:waypoint x="530" y="170"/>',
         '<di:waypoint x="420" y="210"/>\n        <di:waypoint x="420" y="320"/>\n'
         '        <di:waypoint x="430" y="320"/>\n      </bpmndi:BPMNEdge>\n'
         '      <bpmndi:BPMNEdge id="f_revisado_di" bpmnElement="f_revisado">\n'
         '        <di:waypoint x="530" y="320"/>\n        <di:waypoint x="580" y="320"/>\n'
         '        <di:waypoint x="580" y="210"/>'),
    ]  # fmt: skip
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode()


def dangling_registration() -> bytes:
    """The changed diagram with the new task's outgoing flow removed: the checker must refuse it."""
    text = changed_registration().decode()
    return (
        text.replace("<bpmn:outgoing>f_revisado</bpmn:outgoing>\n", "", 1)
        .replace(
            '<bpmn:sequenceFlow id="f_revisado" sourceRef="revisar_datos" targetRef="crear_usuario"/>', "", 1
        )
        .encode()
    )


SCRIPT = """<bpmn:scriptTask id="revisar_datos" name="Clasificar documento">
      <bpmn:incoming>f_registrado</bpmn:incoming>
      <bpmn:outgoing>f_revisado</bpmn:outgoing>
      <bpmn:script>prefijos = {PREFIXES}
prefijo_documento = prefijos[document_type]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:serviceTask id="crear_usuario" """


def broken_registration(*known: str) -> bytes:
    """The registration with a script, "Clasificar documento" (``clasificar_documento``),
    before "Crear usuario": it looks the document type up in a table of the ``known`` types,
    so a registrant with any other type makes it fail (KeyError) — a fault no deploy-time
    check can see."""
    prefixes = "{" + ", ".join(f'"{name}": "{name[:2].upper()}"' for name in known) + "}"
    text = changed_registration().decode()
    assert text.count(TASK) == 1
    text = text.replace(TASK, SCRIPT.replace("{PREFIXES}", prefixes))
    return text.replace("revisar_datos", "clasificar_documento").encode()


NEW_FORM = "revisar_datos-schema.json"
INSTRUCTIONS = "antes de crear el usuario.</spiffworkflow:instructionsForEndUser>"
FORM_PROPERTIES = """antes de crear el usuario.</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="revisar_datos-schema.json"/>
        </spiffworkflow:properties>"""


def registration_with_a_new_form() -> bytes:
    """The changed diagram whose new task shows a new form (``NEW_FORM``), not deployed yet."""
    text = changed_registration().decode()
    assert text.count(INSTRUCTIONS) == 1
    return text.replace(INSTRUCTIONS, FORM_PROPERTIES).encode()


def new_form() -> dict:
    agreed = {"type": "boolean", "title": "Mis datos están bien"}
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Revisar datos del registro",
            "type": "object", "properties": {"conforme": agreed}, "required": []}  # fmt: skip

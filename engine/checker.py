"""Validate a diagram set before it may be deployed.

Every problem is reported as ``file:line: element-id: message`` so an analyst can jump to it.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine import forms
from engine import procedures
from engine.diagrams import DiagramSet
from engine.diagrams import new_parser
from engine.expressions import ExpressionRefused
from engine.expressions import check_source
from engine.instructions import template_problem
from engine.registry import Domain

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
FLOW_NODES = (
    "task userTask manualTask serviceTask scriptTask businessRuleTask sendTask receiveTask callActivity "
    "subProcess startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent "
    "exclusiveGateway parallelGateway inclusiveGateway eventBasedGateway"
).split()
# Expressions of loops and conditional events (besides conditions, scripts, timers, service
# parameters, correlations and DMN cells, checked below): every one is code the engine runs.
LOOP_EXPRESSIONS = (
    ("loopCondition", "condición del ciclo"),
    ("loopCardinality", "número de instancias"),
    ("completionCondition", "condición de finalización"),
    ("condition", "condición del evento"),
)
# A multi-instance's collections are names of task-data variables, not expressions.
LOOP_REFERENCES = (
    ("loopDataInputRef", "colección del ciclo"),
    ("loopDataOutputRef", "colección de resultados"),
)
NO_INCOMING_OK = {"startEvent", "boundaryEvent"}
NO_OUTGOING_OK = {"endEvent"}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    element_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.element_id or '-'}: {self.message}"


def _local(element) -> str:
    return etree.QName(element).localname


def check(diagrams: DiagramSet, domain: Domain) -> list[Problem]:
    """Every problem found in the set; empty means deployable. ``domain`` is what the diagrams
    and forms may name (services, checks, option sources)."""
    problems: list[Problem] = []
    trees = {}
    for name, data in diagrams.workflows.items():
        if name.endswith((".bpmn", ".dmn")):
            try:
                trees[name] = etree.fromstring(data)
            except etree.XMLSyntaxError as exc:
                problems.append(Problem(name, exc.lineno or 0, "", f"XML mal formado: {exc.msg}"))
    lanes = _check_lanes_file(diagrams, problems)
    process_ids = set()
    for name, root in trees.items():
        if name.endswith(".bpmn"):
            process_ids.update(p.get("id") for p in root.iterfind("bpmn:process", NS))
    for name, root in trees.items():
        if name.endswith(".bpmn"):
            _check_bpmn(name, root, diagrams, lanes, process_ids, domain, problems)
        else:
            _check_dmn(name, root, domain, problems)
    _check_procedures(trees, problems)
    if not problems:
        _check_with_spiff(diagrams, trees, problems)
    return sorted(set(problems))


def warnings(diagrams: DiagramSet) -> list[Problem]:
    """What deploys but deserves a second look: forms whose every requirement a submitted
    value (or a left-out field) switches off, so an empty post or one button completes them."""
    found: list[Problem] = []
    for name, data in diagrams.workflows.items():
        if not name.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(data)
        except etree.XMLSyntaxError:
            continue  # check() reports it
        for task in root.iterfind(".//bpmn:userTask", NS):
            form = _properties(task).get("formJsonSchemaFilename")
            try:
                schema = json.loads(diagrams.forms.get(form) or "null")
            except ValueError:
                continue
            switch = forms.requirements_switch(schema) if isinstance(schema, dict) else None
            if switch is not None:
                found.append(Problem(name, task.sourceline, task.get("id"), _switch_message(form, switch)))
    return sorted(set(found))


def _switch_message(form: str, switch: dict) -> str:
    values = " y ".join(
        f"falta «{field}»" if value is None else f"«{field}» vale {json.dumps(value, ensure_ascii=False)}"
        for field, value in switch.items()
    )
    return (
        f"aviso: {form}: si {values}, el formulario no exige ningún campo y se puede completar vacío "
        "(por la API o con un botón). Exija lo indispensable en «required» (por ejemplo, el campo que "
        "decide) para que valga en todos los caminos."
    )


def _check_lanes_file(diagrams, problems) -> dict:
    raw = diagrams.workflows.get("lanes.json")
    if raw is None:
        return {}
    try:
        lanes = json.loads(raw)
    except ValueError as exc:
        problems.append(Problem("lanes.json", 1, "", f"JSON no válido: {exc}"))
        return {}
    for lane, rule in lanes.items():
        if rule.get("kind") not in ("owner", "account", "platform"):
            problems.append(
                Problem("lanes.json", 1, lane, "tipo de carril desconocido (owner|account|platform)")
            )
    return lanes


def _check_procedures(trees, problems):
    """The procedure properties (engine.procedures): known names, a ``startableBy`` the
    engine understands, message templates within the instructions' allow-list, and one
    procedure at most that anonymous people start (the home page's "Registro")."""
    anonymous = []
    for file, root in sorted(trees.items()):
        if not file.endswith(".bpmn"):
            continue
        for process in root.iterfind("bpmn:process", NS):
            process_id, line = process.get("id"), process.sourceline
            properties = procedures.process_properties(process)
            known = ", ".join(procedures.PROCESS_PROPERTIES)
            for name in sorted(set(properties) - set(procedures.PROCESS_PROPERTIES)):
                message = f"propiedad del proceso desconocida {name!r} ({known})"
                problems.append(Problem(file, line, process_id, message))
            if not (process.get("name") or "").strip():
                problems.append(Problem(file, line, process_id, "el proceso no tiene nombre (name)"))
            starters = properties.get("startableBy")
            if starters is not None:
                problem = procedures.starter_problem(starters)
                if problem:
                    problems.append(Problem(file, line, process_id, problem))
                if starters == "anonymous":
                    anonymous.append((file, line, process_id))
            for key, check in (("startOn", procedures.start_on_problem),
                               ("hiddenWhenAccount", procedures.hidden_when_problem)):  # fmt: skip
                problem = check(properties[key]) if key in properties else None
                if problem:
                    problems.append(Problem(file, line, process_id, problem))
            user_tasks = process.iter(f"{{{NS['bpmn']}}}userTask")
            elements = [(process, properties)] + [(t, procedures.task_properties(t)) for t in user_tasks]
            for element, element_properties in elements:
                for key in procedures.MESSAGE_PROPERTIES:
                    problem = template_problem(element_properties.get(key) or "")
                    if problem:
                        where = (file, element.sourceline, element.get("id"))
                        problems.append(Problem(*where, f"{key}: {problem}"))
    for file, line, process_id in anonymous[1:]:
        first = anonymous[0][2]
        message = f"solo un proceso puede iniciarse sin usuario (startableBy anonymous); ya lo hace {first!r}"
        problems.append(Problem(file, line, process_id, message))


def _check_expression(problems, file, element, source, mode, what, domain):
    if source is None or not source.strip():
        return
    try:
        check_source(source.strip(), mode, domain.services)
    except ExpressionRefused as exc:
        element_id = element.get("id") or _nearest_id(element)
        problems.append(Problem(file, element.sourceline or 0, element_id, f"{what}: {exc}"))


def _nearest_id(element) -> str:
    while element is not None and not element.get("id"):
        element = element.getparent()
    return element.get("id") if element is not None else ""


def _check_bpmn(file, root, diagrams, lanes, process_ids, domain, problems):
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    containers = [*root.iterfind(".//bpmn:process", NS), *root.iterfind(".//bpmn:subProcess", NS)]
    for container in containers:
        nodes = {n.get("id"): n for n in container if _local(n) in FLOW_NODES}
        flows = [f for f in container if _local(f) == "sequenceFlow"]
        incoming, outgoing = set(), set()
        for flow in flows:
            for attr, seen in (("sourceRef", outgoing), ("targetRef", incoming)):
                ref = flow.get(attr)
                if ref not in nodes:
                    problems.append(
                        Problem(
                            file,
                            flow.sourceline,
                            flow.get("id"),
                            f"el flujo apunta a un elemento inexistente: {ref!r}",
                        )
                    )
                seen.add(ref)
            if flow.get("id") not in edges:
                problems.append(
                    Problem(
                        file,
                        flow.sourceline,
                        flow.get("id"),
                        "el flujo no tiene trazo en el diagrama (BPMNEdge)",
                    )
                )
        for node_id, node in nodes.items():
            kind = _local(node)
            if node_id not in shapes:
                problems.append(
                    Problem(
                        file,
                        node.sourceline,
                        node_id,
                        "el elemento no tiene forma en el diagrama (BPMNShape)",
                    )
                )
            triggered_sub = container.get("triggeredByEvent") == "true"
            if kind not in NO_INCOMING_OK and node_id not in incoming and not triggered_sub:
                problems.append(
                    Problem(file, node.sourceline, node_id, "el elemento no tiene flujo de entrada")
                )
            if kind not in NO_OUTGOING_OK and node_id not in outgoing:
                problems.append(
                    Problem(file, node.sourceline, node_id, "el elemento no tiene flujo de salida")
                )
    for lane in root.iterfind(".//bpmn:lane", NS):
        if lane.get("name") not in lanes:
            problems.append(
                Problem(
                    file,
                    lane.sourceline,
                    lane.get("id"),
                    f"carril sin rol conocido en lanes.json: {lane.get('name')!r}",
                )
            )
        if lane.get("id") not in shapes:
            problems.append(
                Problem(
                    file,
                    lane.sourceline,
                    lane.get("id"),
                    "el carril no tiene forma en el diagrama (BPMNShape)",
                )
            )
    for call in root.iterfind(".//bpmn:callActivity", NS):
        if call.get("calledElement") not in process_ids:
            problems.append(
                Problem(
                    file,
                    call.sourceline,
                    call.get("id"),
                    f"proceso llamado inexistente: {call.get('calledElement')!r}",
                )
            )
    _check_bpmn_expressions(file, root, domain, problems)
    for task in root.iterfind(".//bpmn:userTask", NS):
        _check_user_task(file, task, diagrams, domain, problems)


def _check_bpmn_expressions(file, root, domain, problems):
    for cond in root.iterfind(".//bpmn:conditionExpression", NS):
        _check_expression(problems, file, cond.getparent(), cond.text, "eval", "condición", domain)
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        _check_expression(problems, file, script.getparent(), script.text, "exec", "script", domain)
    for tag in ("preScript", "postScript"):
        for script in root.iterfind(f".//spiff:{tag}", NS):
            _check_expression(problems, file, script, script.text, "exec", tag, domain)
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iterfind(f".//bpmn:{tag}", NS):
            _check_expression(problems, file, timer, timer.text, "eval", "temporizador", domain)
    for tag, what in LOOP_EXPRESSIONS:
        for expr in root.iterfind(f".//bpmn:{tag}", NS):
            _check_expression(problems, file, expr, expr.text, "eval", what, domain)
    for tag, what in LOOP_REFERENCES:
        for ref in root.iterfind(f".//bpmn:{tag}", NS):
            if not (ref.text or "").strip().isidentifier():
                message = f"{what}: debe ser el nombre de una variable: {(ref.text or '').strip()!r}"
                problems.append(Problem(file, ref.sourceline or 0, _nearest_id(ref), message))
    for operator in root.iterfind(".//spiff:serviceTaskOperator", NS):
        # The operator's own id is the function's name: problems belong to the service task.
        task, name = operator.getparent(), operator.get("id")
        function = domain.services.get(name)
        if function is None:
            message = f"función de servicio no registrada: {name!r}"
            problems.append(Problem(file, operator.sourceline, _nearest_id(task), message))
        params = list(operator.iterfind(".//spiff:parameter", NS))
        for param in params:
            what = f"parámetro {param.get('id')}"
            _check_expression(problems, file, task, param.get("value"), "eval", what, domain)
        for message in _binding_problems(function, [param.get("id") for param in params]) if function else ():
            problems.append(Problem(file, operator.sourceline, _nearest_id(task), f"{name}: {message}"))
    for tag in ("expression", "messagePayload"):
        for expr in root.iterfind(f".//spiff:{tag}", NS):
            _check_expression(problems, file, expr, expr.text, "eval", "correlación", domain)
    for expr in root.iterfind(".//spiff:payloadExpression", NS):
        _check_expression(problems, file, expr, expr.text, "eval", "carga del evento", domain)
    for expr in root.iterfind(".//bpmn:formalExpression", NS):
        _check_expression(problems, file, expr, expr.text, "eval", "expresión", domain)


def _binding_problems(function, names: list[str]) -> list[str]:
    """What is wrong with calling ``function(ctx, **{name: ...})`` for these parameter names:
    names it does not take, parameters it requires that are not given."""
    parameters = list(inspect.signature(function).parameters.values())[1:]  # the first is the context
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    by_name = {p.name: p for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    problems = [
        f"parámetro desconocido {name!r} (la función recibe: {', '.join(by_name) or 'ninguno'})"
        for name in names
        if name not in by_name and not takes_any
    ]
    problems += [
        f"falta el parámetro obligatorio {p.name!r}"
        for p in parameters
        if p.default is p.empty and p.kind is not p.VAR_KEYWORD and p.kind is not p.VAR_POSITIONAL
        and p.name not in names
    ]  # fmt: skip
    return problems


def _properties(task) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in task.iterfind(".//spiff:property", NS)}


def _check_user_task(file, task, diagrams, domain, problems):
    task_id, line = task.get("id"), task.sourceline
    properties = _properties(task)
    for key in ("formJsonSchemaFilename", "formUiSchemaFilename"):
        form = properties.get(key)
        if not form:
            continue
        if form not in diagrams.forms:
            problems.append(Problem(file, line, task_id, f"formulario inexistente: {form}"))
            continue
        try:
            schema = json.loads(diagrams.forms[form])
        except ValueError as exc:
            problems.append(Problem(file, line, task_id, f"{form} no es JSON válido: {exc}"))
            continue
        if key == "formJsonSchemaFilename":
            _check_schema(file, line, task_id, form, schema, domain, problems)
    for text in task.iterfind(".//spiff:instructionsForEndUser", NS):
        problem = template_problem(text.text or "")
        if problem:
            problems.append(Problem(file, text.sourceline, task_id, f"instrucciones: {problem}"))


def form_problems(form: str, schema, domain: Domain) -> list[str]:
    """What the checker would say of form ``form``'s JSON Schema, without a diagram around it
    (the form editor asks as the analyst types)."""
    if not isinstance(schema, dict):
        return [f"{form}: el JSON Schema debe ser un objeto."]
    problems: list[Problem] = []
    _check_schema(form, 0, "", form, schema, domain, problems)
    return [p.message for p in problems]


def _check_schema(file, line, task_id, form, schema, domain, problems):
    try:
        Draft7Validator.check_schema(schema)
    except SchemaError as exc:
        problems.append(Problem(file, line, task_id, f"{form} no es un JSON Schema válido: {exc.message}"))
        return
    for prop_name, prop in _walk_properties(schema):
        if prop.get("x-check") and prop["x-check"] not in domain.checks:
            problems.append(
                Problem(
                    file, line, task_id, f"{form}: {prop_name}: validación no registrada {prop['x-check']!r}"
                )
            )
        if prop.get("x-options") and prop["x-options"] not in domain.options:
            problems.append(
                Problem(
                    file,
                    line,
                    task_id,
                    f"{form}: {prop_name}: fuente de opciones no registrada {prop['x-options']!r}",
                )
            )
        if prop_name == "typename":
            problems.append(
                Problem(file, line, task_id, f"{form}: el nombre de campo 'typename' está reservado")
            )


def _walk_properties(schema):
    """(name, schema) of every property, including those inside if/then/else and allOf."""
    for name, prop in (schema.get("properties") or {}).items():
        yield name, prop
        if isinstance(prop, dict):
            yield from _walk_properties(prop)
    for key in ("then", "else", "if"):
        if isinstance(schema.get(key), dict):
            yield from _walk_properties(schema[key])
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            if isinstance(sub, dict):
                yield from _walk_properties(sub)


def decision_problems(file: str, xml: bytes, domain: Domain) -> list[str]:
    """What the checker says of one decision table's cells (the DMN editor's harness asks
    before it evaluates anything)."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"{file}:{exc.lineno or 0}: XML mal formado: {exc.msg}"]
    problems: list[Problem] = []
    _check_dmn(file, root, domain, problems)
    return [str(p) for p in problems]


def _check_dmn(file, root, domain, problems):
    ns = {"dmn": etree.QName(root).namespace}
    for expr in root.iterfind(".//dmn:inputExpression/dmn:text", ns):
        _check_expression(problems, file, expr, expr.text, "eval", "expresión de entrada", domain)
    for entry in root.iterfind(".//dmn:inputEntry/dmn:text", ns):
        text = (entry.text or "").strip()
        if text in ("", "-"):
            continue
        probe = f"x {text}" if text[:1] in "<>=!" or text.startswith(("in ", "not ")) else text
        _check_expression(problems, file, entry, probe, "eval", "celda de entrada", domain)
    for entry in root.iterfind(".//dmn:outputEntry/dmn:text", ns):
        _check_expression(problems, file, entry, entry.text, "eval", "celda de salida", domain)


def _line_of(trees, file, element_id) -> int:
    root = trees.get(file)
    if root is None or not element_id:
        return 0
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0].sourceline if found else 0


def _check_with_spiff(diagrams, trees, problems):
    """What only the engine's parser finds: XSD errors, unsupported constructs, bad references."""
    parser = new_parser()
    for name, data in diagrams.workflows.items():
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_str(data, filename=name)
            elif name.endswith(".dmn"):
                parser.add_dmn_str(data, filename=name)
        except ValidationException as exc:
            problems.append(_from_validation(exc, trees, name))
    if problems:
        return
    for process_id in parser.get_process_ids():
        try:
            parser.get_spec(process_id)
            parser.get_subprocess_specs(process_id)
        except ValidationException as exc:
            problems.append(
                _from_validation(exc, trees, exc.file_name or parser.get_process_parser(process_id).filename)
            )


def _from_validation(exc, trees, file) -> Problem:
    element_id = getattr(exc, "id", "") or ""
    line = exc.line_number if isinstance(getattr(exc, "line_number", None), int) else 0
    line = line or _line_of(trees, exc.file_name or file, element_id)
    message = str(exc).split("\n")[0].strip().rstrip(".")
    return Problem(exc.file_name or file, line, element_id, f"rechazado por el motor BPMN: {message}")

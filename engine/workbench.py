"""What an analyst tries before deploying, with no process instance: a form drawn as the
inbox draws it, and sample values read and validated by the same pipeline as a real post;
a decision table evaluated on sample inputs as a business rule task evaluates it.

Nothing here writes: option sources and checks only read the database, as they do for a task."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from engine import forms
from engine.checker import decision_problems
from engine.checker import form_problems
from engine.context import CheckContext
from engine.diagrams import new_parser
from engine.expressions import EngineScriptEngine
from engine.formmodel import form_model
from engine.taskviews import option_lists
from engine.views import TaskView


@dataclass
class FormTrial:
    """A form drawn from an analyst's schemas: ``view`` is the page the inbox would show (no
    task behind it, so no summary), ``clean`` the data a post would store (None while it has
    errors or nothing was posted), ``problems`` what the checker says of the schema (then
    there is no view)."""

    view: TaskView | None
    clean: dict | None = None
    problems: tuple[str, ...] = ()


def try_form(
    check_ctx: CheckContext, name: str, schema, uischema, posted: Mapping | None = None
) -> FormTrial:
    """Draw form ``name`` (``posted`` None), or read ``posted`` (a browser post: a multi-dict)
    as the inbox reads a submission and validate it on the server."""
    problems = form_problems(name, schema, check_ctx.domain)
    if not isinstance(uischema, dict):
        problems.append(f"{name}: el UI schema debe ser un objeto.")
    if problems:
        return FormTrial(None, problems=tuple(problems))
    try:
        model = form_model(schema, uischema)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a shape the model can't draw
        return FormTrial(None, problems=(f"{name}: no se puede dibujar el formulario: {exc}",))
    clean, errors = None, {}
    data = forms.prefill(schema, {})
    if posted is not None:
        lists = forms.FormOptions(schema, check_ctx, {})
        data = model.parse(posted, {}, lambda field: lists[field] if field in lists else [])
        clean, errors = forms.validate(schema, data, check_ctx, {})
        clean = None if errors else clean
    view = TaskView(
        summary=None,
        schema=schema,
        uischema=uischema,
        instructions="",
        documentation="",
        data=data,
        options=option_lists(model, schema, check_ctx, {}, data),
        form=model,
        required=frozenset(schema.get("required") or ()),
        errors=errors,
    )
    return FormTrial(view, clean)


def catalog(domain) -> dict:
    """What the workbench's pickers offer: the registered service functions with the names
    of the parameters each takes (the first, the step context, is the engine's), the checks
    and the option sources a form may name."""
    services = {}
    for name in sorted(domain.services):
        parameters = list(inspect.signature(domain.services[name]).parameters.values())[1:]
        services[name] = [
            {"name": p.name, "required": p.default is p.empty}
            for p in parameters
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
    return {"services": services, "checks": sorted(domain.checks), "options": sorted(domain.options)}


@dataclass
class DecisionTrial:
    """A decision table tried on sample inputs: its ``inputs`` (id, label, expression, type),
    every rule with whether it ``matched``, the ``result`` the task would get, and
    ``problems`` (then nothing was evaluated)."""

    inputs: list[dict]
    rules: list[dict]
    result: dict
    problems: tuple[str, ...] = ()


def _typed(value: Any, type_ref: str | None) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if type_ref == "boolean":
        return text.lower() in ("true", "sí", "si", "1")
    if type_ref in ("integer", "long", "number", "double"):
        try:
            return int(text) if type_ref in ("integer", "long") else float(text)
        except ValueError:
            return text
    return value


def try_decision(domain, name: str, xml: bytes, values: Mapping[str, Any]) -> DecisionTrial:
    """Evaluate the first decision table of ``xml`` with ``values`` (variable -> value, typed
    by each input's ``typeRef``) as a business rule task would, with the same allow-listed
    expressions and no service functions: which rows match and what the task would get."""
    problems = decision_problems(name, xml, domain)
    if problems:
        return DecisionTrial([], [], {}, tuple(problems))
    try:
        parser = new_parser()
        parser.add_dmn_str(xml, filename=name)
        dmn = next(iter(parser.dmn_parsers.values()))
        dmn.parse()
        table = dmn.decision.decisionTables[0]
    except Exception as exc:  # noqa: BLE001 — any parse failure is the analyst's to read
        return DecisionTrial([], [], {}, (f"La tabla no se puede leer: {exc}",))
    inputs = [
        {"id": i.id, "label": i.label or i.expression, "expression": i.expression, "type": i.typeRef}
        for i in table.inputs
    ]
    types = {i["expression"]: i["type"] for i in inputs}
    data = {name: _typed(value, types.get(name)) for name, value in values.items()}
    task = SimpleNamespace(
        data=data, task_spec=None, workflow=SimpleNamespace(script_engine=EngineScriptEngine({}))
    )
    engine = DMNEngine(table)
    try:
        matched = {rule.id for rule in engine.decide(task)}
        result = engine.result(task)
    except Exception as exc:  # noqa: BLE001 — a refused or failing cell, shown as the engine says it
        return DecisionTrial(inputs, [], {}, (f"La tabla falló con estos datos: {exc}",))
    rules = [
        {"id": r.id, "row": r.row_number, "description": r.description or "", "matched": r.id in matched}
        for r in table.rules
    ]
    return DecisionTrial(inputs, rules, dict(result))

"""A task form as people fill it in: its fields in display order, each with its widget, its
choices and the conditions under which it applies (from the JSON Schema and the UI schema),
and the conversion of a browser post — strings in a multi-dict — into the JSON the
validator checks.

Built once per deployed form and cached (``form_model``); the web layer draws the same
fields, so what a page shows and what a post is read as never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WIDGETS_BY_FORMAT = {"email": "email", "date": "date", "document": "file"}
# A file slot whose document was staged by an earlier post of the same form.
STAGED_SUFFIX = "__staged"
STAGED_NAME_SUFFIX = "__filename"
# The extra buttons of a form ("Modificar"): the posted index of the one that was clicked.
ACTION_KEY = "__accion"
CHECKED = ("true", "on", "1", "yes")  # what browsers and scripts post for a ticked box


def as_text(value: Any) -> str:
    """The value as an HTML form carries it."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def yes_no(value: Any) -> str:
    return {True: "Sí", False: "No"}.get(value, as_text(value)) if isinstance(value, bool) else as_text(value)


@dataclass(frozen=True)
class Condition:
    """The field applies only when ``field`` holds one of ``values`` (or none, if negate)."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False
    present: bool = False  # "if": {"required": [field]} only: the field has any value

    def holds(self, data: Mapping) -> bool:
        if self.present:
            found = data.get(self.field) not in (None, "", [])
        else:
            found = data.get(self.field) in self.values
        return not found if self.negate else found

    def as_json(self) -> dict:
        return {
            "field": self.field,
            "values": [as_text(v) for v in self.values],
            "negate": self.negate,
            "present": self.present,
        }


@dataclass(frozen=True)
class FieldSpec:
    """One input of a task form."""

    name: str
    label: str
    widget: str
    json_type: str = "string"
    item_type: str = "string"  # of a list's items (checkboxes)
    required: bool = False
    help: str | None = None
    placeholder: str | None = None
    choices: tuple[tuple[Any, str], ...] = ()  # written in the schema (an option source adds more)
    conditions: tuple[Condition, ...] = ()
    condition_text: str = ""
    attrs: tuple[tuple[str, Any], ...] = ()
    depends_on: str | None = None
    options_source: str | None = None
    default: Any = None
    links: tuple[tuple[str, str], ...] = ()  # (text, https URL) shown after the help


@dataclass(frozen=True)
class FormModel:
    fields: tuple[FieldSpec, ...]
    submit_text: str
    actions: tuple[dict, ...]
    action_key: str = ACTION_KEY

    @property
    def has_files(self) -> bool:
        return any(f.widget == "file" for f in self.fields)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def chosen_action(self, posted: Mapping) -> dict:
        """Extra buttons (``"ui:actions": [{"name", "value", "label"}]``, e.g. "Modificar"):
        the clicked one sets its field to its value."""
        raw = posted.get(ACTION_KEY) or ""
        if not raw.isdigit() or int(raw) >= len(self.actions):
            return {}
        action = self.actions[int(raw)]
        return {action["name"]: action["value"]}

    def parse(
        self,
        posted,
        staged: Mapping[str, str] | None = None,
        options: Callable[[str], list[tuple[str, str]]] | None = None,
    ) -> dict:
        """The JSON values of a browser post (a multi-dict: ``get``/``getlist``).

        ``staged``: ids of documents uploaded with this post; a slot uploaded by an earlier
        post of the form comes back as ``<slot>__staged``. ``options(name)``: the choices of a
        field with an option source, read only for an autocomplete whose typed label must be
        mapped to its value. The values of conditional fields whose condition does not hold
        are dropped, so a stale hidden value never blocks a submission."""
        data: dict[str, Any] = {}
        for f in self.fields:
            if f.widget == "file":
                value = (staged or {}).get(f.name) or posted.get(f.name + STAGED_SUFFIX) or None
                if value:
                    data[f.name] = convert(value, f.json_type)
            elif f.widget == "checkboxes":
                data[f.name] = [convert(v, f.item_type) for v in posted.getlist(f.name) if v != ""]
            elif f.json_type == "boolean" and f.widget == "checkbox":
                data[f.name] = posted.get(f.name) in CHECKED
            else:
                raw = posted.get(f.name)
                if raw is None:
                    continue
                if f.widget != "password":
                    raw = raw.strip()
                if raw == "":
                    continue
                if f.widget == "autocomplete":
                    raw = _value_of_label(f, raw, options)
                if f.widget == "date":
                    raw = iso_date(raw)
                data[f.name] = convert(raw, f.json_type)
        for f in self.fields:
            if f.conditions and not all(c.holds(data) for c in f.conditions):
                data.pop(f.name, None)
        data.update(self.chosen_action(posted))
        return data


def _value_of_label(f: FieldSpec, raw: str, options) -> str:
    """An autocomplete posts what was typed: the label of a choice maps to its value."""
    choices = [(as_text(v), label) for v, label in f.choices]
    if f.options_source and options is not None:
        choices += options(f.name)
    by_label = {label.casefold(): value for value, label in choices}
    return by_label.get(raw.casefold(), raw)


def iso_date(raw: str) -> str:
    """A date typed the Colombian way (15/03/2026, where the browser has no date picker) as
    the ISO date the schema checks; anything else is left for the validator to refuse."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else raw


def links_of(items) -> tuple[tuple[str, str], ...]:
    """``"ui:links": [{"text", "href"}]``: official pages a field points to (a format to
    download, the terms of use). Only https addresses: a form file must not carry scripts."""
    found = []
    for item in items if isinstance(items, list) else []:
        text, href = (item.get("text"), item.get("href")) if isinstance(item, dict) else (None, None)
        if isinstance(text, str) and isinstance(href, str) and href.startswith("https://"):
            found.append((text, href))
    return tuple(found)


def convert(raw: Any, json_type: str) -> Any:
    """A posted string as the JSON type the schema declares (left as is when it isn't one:
    the validator then says what is wrong)."""
    if not isinstance(raw, str):
        return raw
    if json_type == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if json_type == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    if json_type == "number":
        try:
            number = float(raw.replace(",", "."))
            return int(number) if number.is_integer() and "." not in raw and "," not in raw else number
        except ValueError:
            return raw
    return raw


_MODELS: dict[tuple[int, int], tuple[dict, dict, FormModel]] = {}
_NONE: dict = {}


def form_model(schema: dict | None, uischema: dict | None) -> FormModel:
    """The model of a deployed form, built once per (schema, UI schema) pair of objects."""
    schema = schema if schema is not None else _NONE
    ui = uischema if uischema is not None else _NONE
    key = (id(schema), id(ui))
    cached = _MODELS.get(key)
    if cached is None or cached[0] is not schema or cached[1] is not ui:
        if len(_MODELS) >= 512:  # ad-hoc schemas (tests, checks) must not pile up
            _MODELS.clear()
        cached = _MODELS[key] = (schema, ui, build(schema, ui))
    return cached[2]


def build(schema: dict, ui: dict) -> FormModel:
    root = schema.get("properties") or {}
    props = dict(root)
    required = set(schema.get("required") or [])
    candidates: list[tuple[Condition, str, bool]] = []  # (condition, field, only defined there)
    for cond, names, extra_props in _conditional_blocks(schema):
        for name in names:
            candidates.append((cond, name, name not in root))
        for name, prop in extra_props.items():
            props.setdefault(name, prop)
    placed = {name: [c] for c, name, only in candidates if only}
    order = _order(ui, props, placed)
    conditions: dict[str, list[Condition]] = {}
    for cond, name, only in candidates:
        # A root field becomes conditional only when the branch requires it and its control
        # comes before it (a trailing "action" choice does not hide the fields above it).
        if only or (
            name not in required and cond.field in order and order.index(cond.field) < order.index(name)
        ):
            conditions.setdefault(name, []).append(cond)
    # Required in a "then" branch: marked with "*" too (the condition text says when).
    for block in schema.get("allOf") or []:
        required.update((block.get("then") or {}).get("required") or [])
    fields = [
        _field(name, props[name], ui.get(name) or {}, name in required, tuple(conditions.get(name, [])))
        for name in order
    ]
    by_name = {f.name: f for f in fields}
    fields = [_with_condition_text(f, by_name) if f.conditions else f for f in fields]
    submit = (ui.get("ui:submitButtonOptions") or {}).get("submitText")
    return FormModel(tuple(fields), submit or "Continuar", tuple(ui.get("ui:actions") or ()))


def _conditional_blocks(schema: dict):
    """Yield (condition, dependent field names, properties defined only there)."""
    root = schema.get("properties") or {}
    for block in schema.get("allOf") or []:
        if "if" not in block:
            continue
        base = _condition_from_if(block["if"])
        if base is None:
            continue
        for key, negate in (("then", False), ("else", True)):
            branch = block.get(key) or {}
            only_here = [n for n in (branch.get("properties") or {}) if n not in root]
            names = only_here + [n for n in branch.get("required") or [] if n not in only_here]
            yield (
                Condition(base.field, base.values, negate, base.present),
                names,
                branch.get("properties") or {},
            )


def _condition_from_if(clause: dict) -> Condition | None:
    for name, prop in (clause.get("properties") or {}).items():
        if "const" in prop:
            return Condition(name, (prop["const"],))
        if "enum" in prop:
            return Condition(name, tuple(prop["enum"]))
    required = clause.get("required") or []
    if len(required) == 1 and not clause.get("properties"):
        return Condition(required[0], (), present=True)
    return None


def _order(ui: dict, props: dict, conditions: dict) -> list[str]:
    order = list(ui.get("ui:order") or []) or ["*"]
    names = list(props)
    rest = [n for n in names if n not in order]
    result: list[str] = []
    for name in order:
        if name == "*":
            result.extend(n for n in rest if n not in conditions)
        elif name in props:
            result.append(name)
    # Dependent fields not placed explicitly go right after the field they depend on.
    for name in names:
        if name in result:
            continue
        anchor = conditions.get(name, [None])[0]
        if anchor is not None and anchor.field in result:
            pos = result.index(anchor.field) + 1
            while pos < len(result) and any(c.field == anchor.field for c in conditions.get(result[pos], [])):
                pos += 1
            result.insert(pos, name)
        else:
            result.append(name)
    return result


def choices_of(prop: dict) -> list[tuple[Any, str]]:
    """The choices a schema property writes out (``oneOf``/``anyOf`` of consts, ``enum``)."""
    if "oneOf" in prop or "anyOf" in prop:
        items = prop.get("oneOf") or prop.get("anyOf")
        return [(o.get("const"), o.get("title", as_text(o.get("const")))) for o in items if "const" in o]
    if "enum" in prop:
        titles = prop.get("enumNames") or [None] * len(prop["enum"])
        return [(v, t or yes_no(v)) for v, t in zip(prop["enum"], titles, strict=False)]
    return []


def _widget(prop: dict, ui: dict, json_type: str, choices, source) -> str:
    widget = ui.get("ui:widget")
    if json_type == "array":
        return widget if widget == "select" else "checkboxes"
    if prop.get("format") in WIDGETS_BY_FORMAT:
        return WIDGETS_BY_FORMAT[prop["format"]]
    if prop.get("writeOnly") or widget == "password":
        return "password"
    if widget in ("radio", "select", "textarea", "hidden", "autocomplete", "checkbox"):
        return widget
    if json_type == "boolean":
        return "radio" if choices else "checkbox"
    if choices or source:
        return "select"
    if json_type in ("integer", "number"):
        return "number"
    return "text"


def _field(name: str, prop: dict, ui: dict, required: bool, conds: tuple[Condition, ...]) -> FieldSpec:
    json_type = prop.get("type", "string")
    if isinstance(json_type, list):
        json_type = next((t for t in json_type if t != "null"), "string")
    source = prop.get("x-options")
    items = prop.get("items") or {}
    choices = choices_of(items if json_type == "array" else prop)
    widget = _widget(prop, ui, json_type, choices, source)
    if json_type == "boolean" and widget == "radio" and not choices:
        choices = [(True, "Sí"), (False, "No")]
    attrs: dict[str, Any] = {}
    for key, attr in (("maxLength", "maxlength"), ("minimum", "min"), ("maximum", "max")):
        if key in prop:
            attrs[attr] = prop[key]
    if json_type == "number":
        attrs["step"] = "any"
    if widget == "email":
        attrs["autocomplete"] = "email"
    if widget == "password":
        attrs["autocomplete"] = "new-password"
    if widget == "file":
        attrs.update(ui.get("ui:options") or {})
    return FieldSpec(
        name=name,
        label=ui.get("ui:title") or prop.get("title") or name,
        widget=widget,
        json_type=json_type,
        item_type=items.get("type", "string"),
        required=required,
        help=ui.get("ui:help") or prop.get("description"),
        placeholder=ui.get("ui:placeholder"),
        choices=tuple(choices),
        conditions=conds,
        attrs=tuple(attrs.items()),
        depends_on=prop.get("x-dependsOn"),
        options_source=source,
        default=prop.get("default"),
        links=links_of(ui.get("ui:links")),
    )


def _with_condition_text(f: FieldSpec, by_name: dict[str, FieldSpec]) -> FieldSpec:
    parts = []
    for cond in f.conditions:
        control = by_name.get(cond.field)
        label = control.label if control else cond.field
        if cond.present:
            parts.append(f"«{label}» {'no ' if cond.negate else ''}está diligenciado")
            continue
        shown = [
            dict((as_text(v), lbl) for v, lbl in control.choices).get(as_text(v), yes_no(v))
            if control
            else yes_no(v)
            for v in cond.values
        ]
        parts.append(f"«{label}» {'no es' if cond.negate else 'es'} «{' o '.join(shown)}»")
    text = "Diligencie este campo solo si " + " y ".join(parts) + "."
    return FieldSpec(**{**f.__dict__, "condition_text": text})

"""The one form renderer: turns a task's JSON Schema + UI schema into fields to draw, and a
posted HTML form back into the JSON the Runner validates.

The engine is the only validator. This module only converts types (checkbox -> bool,
"12" -> 12) and drops the values of conditional fields whose condition is false, so a
stale hidden value never blocks a submission.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

WIDGETS_BY_FORMAT = {"email": "email", "date": "date", "document": "file"}
STAGED_SUFFIX = "__staged"
STAGED_NAME_SUFFIX = "__filename"


@dataclass
class Condition:
    """The field is relevant only when ``field`` holds one of ``values`` (or none, if negate)."""

    field: str
    values: list[Any]
    negate: bool = False
    present: bool = False  # "if": {"required": [field]} only: the field has any value

    def holds(self, data: dict) -> bool:
        if self.present:
            found = data.get(self.field) not in (None, "", [])
        else:
            found = data.get(self.field) in self.values
        return not found if self.negate else found

    def as_json(self) -> dict:
        return {
            "field": self.field,
            "values": [_as_html(v) for v in self.values],
            "negate": self.negate,
            "present": self.present,
        }


@dataclass
class Field:
    """One input of a task form, ready for the Jinja macro."""

    name: str
    label: str
    widget: str
    json_type: str = "string"
    required: bool = False
    help: str | None = None
    placeholder: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    condition_text: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    depends_on: str | None = None
    options_source: str | None = None
    options_url: str | None = None  # where the page's script reads this field's options
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, https URL) after the help
    # Bound state (set by TaskForm.bind)
    value: Any = None
    errors: list[str] = field(default_factory=list)
    document: dict | None = None

    @property
    def dom_id(self) -> str:
        return "campo-" + self.name

    @property
    def html_value(self) -> str:
        return _as_html(self.value)

    @property
    def display_value(self) -> str:
        """For autocomplete inputs: the label of the chosen option, else the typed text."""
        return dict(self.options).get(self.html_value, self.html_value)

    @property
    def date_text(self) -> str:
        """A date as people in Colombia write it: 2026-03-15 is shown as 15/03/2026."""
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", self.html_value)
        return f"{match[3]}/{match[2]}/{match[1]}" if match else self.html_value

    @property
    def html_values(self) -> list[str]:
        return [_as_html(v) for v in self.value] if isinstance(self.value, list) else []

    @property
    def conditions_json(self) -> str:
        return json.dumps([c.as_json() for c in self.conditions], ensure_ascii=False)

    @property
    def describedby(self) -> str:
        ids = []
        if self.help:
            ids.append(self.dom_id + "-ayuda")
        if self.widget == "date":
            ids.append(self.dom_id + "-formato")
        if self.condition_text:
            ids.append(self.dom_id + "-condicion")
        if self.errors:
            ids.append(self.dom_id + "-error")
        return " ".join(ids)


def _as_html(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _choices(prop: dict) -> list[tuple[Any, str]]:
    if "oneOf" in prop or "anyOf" in prop:
        items = prop.get("oneOf") or prop.get("anyOf")
        return [(o.get("const"), o.get("title", _as_html(o.get("const")))) for o in items if "const" in o]
    if "enum" in prop:
        titles = prop.get("enumNames") or [None] * len(prop["enum"])
        return [(v, t or _yes_no(v)) for v, t in zip(prop["enum"], titles, strict=False)]
    return []


def _links(items) -> list[tuple[str, str]]:
    """``"ui:links": [{"text", "href"}]``: official pages a field points to (a format to
    download, the terms of use). Only https addresses: a form file must not carry scripts."""
    found = []
    for item in items if isinstance(items, list) else []:
        text, href = (item.get("text"), item.get("href")) if isinstance(item, dict) else (None, None)
        if isinstance(text, str) and isinstance(href, str) and href.startswith("https://"):
            found.append((text, href))
    return found


def _yes_no(value: Any) -> str:
    return (
        {True: "Sí", False: "No"}.get(value, _as_html(value)) if isinstance(value, bool) else _as_html(value)
    )


class TaskForm:
    """Fields of one task form, in display order, with their conditions."""

    def __init__(self, schema: dict | None, uischema: dict | None = None, options: dict | None = None):
        self.schema = schema or {}
        self.ui = uischema or {}
        self.options = options or {}
        root = self.schema.get("properties") or {}
        props = dict(root)
        required = set(self.schema.get("required") or [])
        candidates: list[tuple[Condition, str, bool]] = []  # (condition, field, only defined there)
        for cond, names, extra_props in self._conditional_blocks():
            for name in names:
                candidates.append((cond, name, name not in root))
            for name, prop in extra_props.items():
                props.setdefault(name, prop)
        placed = {name: [c] for c, name, only in candidates if only}
        order = self._order(props, placed)
        conditions: dict[str, list[Condition]] = {}
        for cond, name, only in candidates:
            # A root field becomes conditional only when the branch requires it and its control
            # comes before it (a trailing "action" choice does not hide the fields above it).
            if only or (
                name not in required and cond.field in order and order.index(cond.field) < order.index(name)
            ):
                conditions.setdefault(name, []).append(cond)
        # Required in a "then" branch: marked with "*" too (the condition text says when).
        for block in self.schema.get("allOf") or []:
            required.update((block.get("then") or {}).get("required") or [])
        self.fields: list[Field] = []
        for name in order:
            ui = self.ui.get(name) or {}
            self.fields.append(self._field(name, props[name], ui, name in required, conditions.get(name, [])))
        for f in self.fields:
            if f.conditions:
                f.condition_text = self._condition_text(f.conditions)
        submit = (self.ui.get("ui:submitButtonOptions") or {}).get("submitText")
        self.submit_text = submit or "Continuar"
        self.actions = self.ui.get("ui:actions") or []
        self.has_files = any(f.widget == "file" for f in self.fields)

    # --- structure -------------------------------------------------------------------
    def _conditional_blocks(self):
        """Yield (condition, dependent field names, properties defined only there)."""
        for block in self.schema.get("allOf") or []:
            if "if" not in block:
                continue
            base = self._condition_from_if(block["if"])
            if base is None:
                continue
            for key, negate in (("then", False), ("else", True)):
                branch = block.get(key) or {}
                only_here = [
                    n
                    for n in (branch.get("properties") or {})
                    if n not in (self.schema.get("properties") or {})
                ]
                names = only_here + [n for n in branch.get("required") or [] if n not in only_here]
                cond = Condition(base.field, base.values, negate, base.present)
                yield cond, names, branch.get("properties") or {}

    @staticmethod
    def _condition_from_if(clause: dict) -> Condition | None:
        for name, prop in (clause.get("properties") or {}).items():
            if "const" in prop:
                return Condition(name, [prop["const"]])
            if "enum" in prop:
                return Condition(name, list(prop["enum"]))
        required = clause.get("required") or []
        if len(required) == 1 and not clause.get("properties"):
            return Condition(required[0], [], present=True)
        return None

    def _order(self, props: dict, conditions: dict) -> list[str]:
        order = list(self.ui.get("ui:order") or [])
        names = list(props)
        if not order:
            order = ["*"]
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
                while pos < len(result) and any(
                    c.field == anchor.field for c in conditions.get(result[pos], [])
                ):
                    pos += 1
                result.insert(pos, name)
            else:
                result.append(name)
        return result

    def _field(self, name: str, prop: dict, ui: dict, required: bool, conds: list[Condition]) -> Field:
        json_type = prop.get("type", "string")
        if isinstance(json_type, list):
            json_type = next((t for t in json_type if t != "null"), "string")
        widget = ui.get("ui:widget")
        choices = _choices(prop)
        source = prop.get("x-options")
        if json_type == "array":
            choices = _choices(prop.get("items") or {})
            widget = widget if widget in ("select",) else "checkboxes"
        elif prop.get("format") in WIDGETS_BY_FORMAT:
            widget = WIDGETS_BY_FORMAT[prop["format"]]
        elif prop.get("writeOnly") or widget == "password":
            widget = "password"
        elif widget in ("radio", "select", "textarea", "hidden", "autocomplete", "checkbox"):
            pass
        elif json_type == "boolean":
            widget = "checkbox" if not choices else "radio"
        elif choices or source:
            widget = "select"
        elif json_type in ("integer", "number"):
            widget = "number"
        else:
            widget = "text"
        if json_type == "boolean" and widget == "radio" and not choices:
            choices = [(True, "Sí"), (False, "No")]
        if source and isinstance(self.options, dict):
            # A lazy mapping (a form post) is read in ``parse``, only for what was submitted.
            choices = [(v, lbl) for v, lbl in self.options.get(name, [])]
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
        return Field(
            name=name,
            label=ui.get("ui:title") or prop.get("title") or name,
            widget=widget,
            json_type=json_type,
            required=required,
            help=ui.get("ui:help") or prop.get("description"),
            placeholder=ui.get("ui:placeholder"),
            options=[(_as_html(v), lbl) for v, lbl in choices],
            conditions=conds,
            attrs=attrs,
            depends_on=prop.get("x-dependsOn"),
            options_source=source,
            links=_links(ui.get("ui:links")),
        )

    def _condition_text(self, conds: list[Condition]) -> str:
        labels = {f.name: f for f in self.fields}
        parts = []
        for cond in conds:
            ctrl = labels.get(cond.field)
            label = ctrl.label if ctrl else cond.field
            if cond.present:
                parts.append(f"«{label}» {'no ' if cond.negate else ''}está diligenciado")
                continue
            shown = [
                dict(ctrl.options).get(_as_html(v), _yes_no(v)) if ctrl else _yes_no(v) for v in cond.values
            ]
            verb = "no es" if cond.negate else "es"
            parts.append(f"«{label}» {verb} «{' o '.join(shown)}»")
        return "Diligencie este campo solo si " + " y ".join(parts) + "."

    # --- request -> data ---------------------------------------------------------------
    ACTION_KEY = "__accion"

    def chosen_action(self, form) -> dict:
        """Extra buttons (``"ui:actions": [{"name", "value", "label"}]``, e.g. "Modificar"):
        the clicked one sets its field to its value."""
        raw = form.get(self.ACTION_KEY, "")
        if not raw.isdigit() or int(raw) >= len(self.actions):
            return {}
        action = self.actions[int(raw)]
        return {action["name"]: action["value"]}

    def parse(self, form, staged: dict[str, Any] | None = None) -> dict:
        """Convert posted strings to JSON values. ``staged``: document ids already uploaded."""
        data: dict[str, Any] = {}
        for f in self.fields:
            if f.widget == "file":
                value = (staged or {}).get(f.name) or form.get(f.name + STAGED_SUFFIX) or None
                if value:
                    data[f.name] = _convert(value, f.json_type)
                continue
            if f.widget == "checkboxes":
                values = [v for v in form.getlist(f.name) if v != ""]
                data[f.name] = [_convert(v, (self._item_type(f.name))) for v in values]
                continue
            if f.json_type == "boolean" and f.widget == "checkbox":
                data[f.name] = form.get(f.name) in ("true", "on", "1", "yes")
                continue
            raw = form.get(f.name)
            if raw is None:
                continue
            if f.widget != "password":
                raw = raw.strip()
            if raw == "":
                continue
            if f.widget == "autocomplete" and f.options_source and not f.options:
                f.options = [(_as_html(v), lbl) for v, lbl in self.options.get(f.name, [])]
            if f.widget == "autocomplete" and f.options:
                by_label = {label.casefold(): value for value, label in f.options}
                raw = by_label.get(raw.casefold(), raw)
            if f.widget == "date":
                raw = _iso_date(raw)
            data[f.name] = _convert(raw, f.json_type)
        for f in self.fields:
            if f.conditions and not all(c.holds(data) for c in f.conditions):
                data.pop(f.name, None)
        return data

    def _item_type(self, name: str) -> str:
        prop = (self.schema.get("properties") or {}).get(name) or {}
        return (prop.get("items") or {}).get("type", "string")

    # --- data -> fields ----------------------------------------------------------------
    def bind(
        self, data: dict | None, errors: dict[str, list[str]] | None = None, staged_names=None
    ) -> list[Field]:
        """Fill every field with its value and its errors (passwords are never echoed)."""
        data = data or {}
        errors = errors or {}
        props = self.schema.get("properties") or {}
        for f in self.fields:
            value = data.get(f.name, (props.get(f.name) or {}).get("default"))
            f.value = None if f.widget == "password" else value
            f.errors = list(errors.get(f.name, []))
            if f.widget == "file" and value:
                if isinstance(value, dict):
                    f.document = {"id": value.get("id"), "filename": value.get("filename") or value.get("id")}
                    f.value = value.get("id")
                else:
                    # The caller resolves ids to file names; an id is never shown to people.
                    name = (staged_names or {}).get(f.name) or "archivo anexado"
                    f.document = {"id": value, "filename": name}
        return self.fields

    def summary(self, errors: dict[str, list[str]]) -> list[tuple[str | None, str]]:
        """(anchor or None, message) for the error summary, in field order."""
        known = {f.name: f for f in self.fields}
        items: list[tuple[str | None, str]] = [(None, m) for m in errors.get("", [])]
        for f in self.fields:
            items.extend(("#" + f.dom_id, f"{f.label}: {m}") for m in errors.get(f.name, []))
        for key, messages in errors.items():
            if key and key not in known:
                items.extend((None, m) for m in messages)
        return items


def _iso_date(raw: str) -> str:
    """A date typed the Colombian way (15/03/2026, where the browser has no date picker) as
    the ISO date the schema checks; anything else is left for the engine to refuse."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else raw


def _convert(raw: Any, json_type: str) -> Any:
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

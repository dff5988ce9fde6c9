"""Draws a task's form: the engine's model of it (engine.formmodel: fields, widgets,
conditions) bound to one page's values, errors, option lists and documents
(engine.views.TaskView), for the form macro (templates/macros/form.html). Shared by the
inbox and the analysts' form editor, whose preview must be what the inbox will show.

The engine reads posts and validates; nothing here converts or checks a value."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.formmodel import FieldSpec
from engine.formmodel import as_text
from engine.views import TaskView


@dataclass
class Field:
    """One input as the page shows it; what it is (label, widget, conditions…) is its spec's."""

    spec: FieldSpec
    required: bool
    options: list[tuple[str, str]]
    value: Any = None
    errors: tuple[str, ...] = ()
    document: dict | None = None
    options_url: str | None = None  # where the page's script reads this field's options

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spec, name)

    @property
    def attrs(self) -> dict[str, Any]:
        return dict(self.spec.attrs)

    @property
    def dom_id(self) -> str:
        return "campo-" + self.spec.name

    @property
    def html_value(self) -> str:
        return as_text(self.value)

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
        return [as_text(v) for v in self.value] if isinstance(self.value, list) else []

    @property
    def conditions_json(self) -> str:
        return json.dumps([c.as_json() for c in self.spec.conditions], ensure_ascii=False)

    @property
    def describedby(self) -> str:
        ids = []
        if self.spec.help:
            ids.append(self.dom_id + "-ayuda")
        if self.spec.widget == "date":
            ids.append(self.dom_id + "-formato")
        if self.spec.condition_text:
            ids.append(self.dom_id + "-condicion")
        if self.errors:
            ids.append(self.dom_id + "-error")
        return " ".join(ids)


def bind(view: TaskView, options_url: Callable[[str], str]) -> list[Field]:
    """The fields of ``view``'s form with its values, errors, options and documents
    (passwords are never echoed)."""
    fields = []
    for spec in view.form.fields:
        document = view.documents.get(spec.name)
        value = view.data.get(spec.name, spec.default)
        if spec.widget == "password":
            value = None
        elif document is not None:
            value = document["id"]
        options = view.options.get(spec.name)
        if options is None:
            options = [(as_text(value), label) for value, label in spec.choices]
        fields.append(
            Field(
                spec=spec,
                required=spec.required or spec.name in view.required,
                options=options,
                value=value,
                errors=tuple(view.errors.get(spec.name, ())),
                document=document,
                options_url=options_url(spec.name) if spec.options_source else None,
            )
        )
    return fields


def summary(fields: list[Field], errors: dict[str, list[str]]) -> list[tuple[str | None, str]]:
    """(anchor or None, message) for the error summary, in field order."""
    known = {f.name for f in fields}
    items: list[tuple[str | None, str]] = [(None, m) for m in errors.get("", [])]
    for f in fields:
        items.extend(("#" + f.dom_id, f"{f.label}: {m}") for m in errors.get(f.name, []))
    for key, messages in errors.items():
        if key and key not in known:
            items.extend((None, m) for m in messages)
    return items

"""A task page as the engine hands it to the web layer, read in one transaction (a GET, or a
refused post): the form (its model, its schemas, which fields are required now), the values
to show and the errors, every option list — those that depend on another field computed
from what is chosen so far — and the names of the documents in its file slots."""

from __future__ import annotations

from engine import forms
from engine.context import CheckContext
from engine.formmodel import FieldSpec
from engine.formmodel import FormModel
from engine.formmodel import form_model
from engine.instructions import render_instructions
from engine.models import HumanTask
from engine.views import TaskSummary
from engine.views import TaskView

UNNAMED = "Documento anexado"


def task_view(
    check_ctx: CheckContext,
    row: HumanTask,
    version,
    task_spec,
    task_data: dict,
    data: dict | None = None,
    errors: dict[str, list[str]] | None = None,
) -> TaskView:
    """The page of task ``row``: prefilled from the task data, or showing ``data`` (what was
    posted) with ``errors``."""
    schema_name, ui_name = version.form_names(task_spec)
    base = version.forms[schema_name] if schema_name else None
    uischema = version.forms.get(ui_name, {}) if ui_name else {}
    model = form_model(base, uischema)
    schema = forms.effective_schema(base, task_data) if base else None
    if data is None:
        data = forms.prefill(schema, task_data) if schema else {}
    return TaskView(
        summary=TaskSummary.of(row),
        schema=schema,
        uischema=uischema,
        form=model,
        required=frozenset((schema or {}).get("required") or ()),
        instructions=render_instructions(
            task_spec.extensions.get("instructionsForEndUser"),
            task_data,
            check_ctx.config.limits.instructions_chars,
        ),
        documentation=task_spec.documentation or "",
        data=data,
        errors=errors or {},
        options=option_lists(model, schema, check_ctx, task_data, data) if schema else {},
        documents=document_names(model, check_ctx, data, task_data),
    )


def option_lists(model: FormModel, schema: dict, check_ctx: CheckContext, task_data: dict, values: dict):
    """Every field's option source, read now. A field that depends on another (municipality
    after department) lists the options of the chosen value; with none chosen yet, every
    option labelled with its group, so the form works without JavaScript too."""
    lists = forms.FormOptions(schema, check_ctx, task_data)
    result: dict[str, list[tuple[str, str]]] = {}
    for f in model.fields:
        if f.name not in lists:
            continue
        if f.depends_on:
            result[f.name] = _dependent(f, model, result, lists, check_ctx, task_data, values)
        else:
            result[f.name] = lists[f.name]
    return result


def _dependent(f: FieldSpec, model, done, lists, check_ctx, task_data, values) -> list[tuple[str, str]]:
    source = check_ctx.domain.options[f.options_source]

    def read(group) -> list[tuple[str, str]]:
        given = {**task_data, f.depends_on: str(group)}
        return [(str(value), str(label)) for value, label in source(check_ctx, given)]

    chosen = values.get(f.depends_on)
    if chosen not in (None, ""):
        return read(chosen)
    control = model.field(f.depends_on)
    if control is None:
        return []
    groups = done.get(control.name)
    if groups is None:
        static = [(str(value), label) for value, label in control.choices]
        groups = lists[control.name] if control.name in lists else static
    return [(value, f"{label} ({group})") for code, group in groups for value, label in read(code)]


def document_names(
    model: FormModel, check_ctx: CheckContext, values: dict, task_data: dict
) -> dict[str, dict]:
    """``{slot: {"id", "filename"}}`` of the documents the values name, with the file names
    people uploaded. An id the task data holds (the documents of the account being
    corrected) is named wherever it was uploaded; an id that only a post names, only if it
    was uploaded to this instance."""
    slots = {f.name: values.get(f.name) for f in model.fields if f.widget == "file" and values.get(f.name)}
    named = {slot: value for slot, value in slots.items() if isinstance(value, dict)}
    ids = {slot: str(value) for slot, value in slots.items() if not isinstance(value, dict)}
    records = check_ctx.domain.documents
    names: dict[str, str] = {}
    if records and ids:
        known = {value for slot, value in ids.items() if task_data.get(slot) == value}
        session, instance_id = check_ctx.session, check_ctx.instance_id
        names = records.names(session, known) if known else {}
        names.update(records.names(session, set(ids.values()) - known, instance_id))
    found = {slot: {"id": value, "filename": names.get(value) or UNNAMED} for slot, value in ids.items()}
    for slot, value in named.items():
        found[slot] = {"id": value.get("id"), "filename": value.get("filename") or UNNAMED}
    return found

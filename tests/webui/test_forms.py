"""The task page's binding: the engine's form model with one page's values, errors, options
and documents, as the form macro draws them."""

from __future__ import annotations

from engine.formmodel import build
from engine.views import TaskSummary
from engine.views import TaskView
from tests.engine.test_formmodel import SCHEMA
from tests.engine.test_formmodel import UI
from webui.core.formrender import bind
from webui.core.formrender import summary

SUMMARY = TaskSummary("t1", 1, "demo", "pedir", "Pedir", None, None, None, None, None, None)


def page(**kwargs) -> TaskView:
    return TaskView(
        summary=SUMMARY, schema=SCHEMA, uischema=UI, instructions="", documentation="",
        form=build(SCHEMA, UI), **kwargs,
    )  # fmt: skip


def test_bind_keeps_input_but_not_passwords_and_lists_errors():
    view = page(
        data={"name": "ANA", "password": "secret", "rut": "d-9", "kind": "NIT"},
        errors={"name": ["Muy corto."], "": ["General"]},
        documents={"rut": {"id": "d-9", "filename": "rut.pdf"}},
        options={"department": [("05", "ANTIOQUIA"), ("11", "BOGOTÁ, D.C.")]},
        required=frozenset({"notes"}),
    )
    by = {f.name: f for f in bind(view, lambda name: f"/opciones/{name}")}
    assert by["name"].value == "ANA" and by["name"].errors == ("Muy corto.",)
    assert by["password"].value is None
    assert by["rut"].document == {"id": "d-9", "filename": "rut.pdf"} and by["rut"].value == "d-9"
    assert "campo-name-error" in by["name"].describedby and "campo-name-ayuda" in by["name"].describedby
    assert by["kind"].options == [("CC", "Cédula"), ("NIT", "NIT")] and by["kind"].html_value == "NIT"
    assert by["siif"].options == [("true", "Sí"), ("false", "No")]
    assert by["department"].options[0] == ("05", "ANTIOQUIA")
    assert by["department"].options_url == "/opciones/department" and by["kind"].options_url is None
    # Required by the schema, and by what the task data adds (x-requiredFrom).
    assert by["name"].required and by["notes"].required and not by["email"].required
    assert by["name"].attrs["maxlength"] == 50 and by["name"].label == "Nombre"


def test_summary_lists_errors_in_field_order():
    fields = bind(page(data={}), lambda name: "")
    items = summary(fields, {"name": ["Muy corto."], "": ["General"], "other": ["X"]})
    assert items == [(None, "General"), ("#campo-name", "Nombre: Muy corto."), (None, "X")]


def test_stored_dates_are_shown_day_first():
    by = {f.name: f for f in bind(page(data={"born": "2026-03-15"}), lambda name: "")}
    assert by["born"].date_text == "15/03/2026" and "campo-born-formato" in by["born"].describedby
    by = {f.name: f for f in bind(page(data={"born": "31/02/2026"}), lambda name: "")}
    assert by["born"].date_text == "31/02/2026"  # as typed, to correct

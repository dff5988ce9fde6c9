"""The form renderer: schema + UI schema -> fields, and posted strings -> JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from webui.tasks.render import TaskForm

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"

SCHEMA = {
    "type": "object",
    "required": ["name", "kind", "terms"],
    "properties": {
        "name": {"type": "string", "title": "Nombre", "description": "Como en el documento", "maxLength": 50},
        "email": {"type": "string", "format": "email", "title": "Correo electrónico"},
        "password": {"type": "string", "title": "Contraseña", "writeOnly": True},
        "kind": {
            "type": "string",
            "title": "Tipo",
            "oneOf": [{"const": "CC", "title": "Cédula"}, {"const": "NIT", "title": "NIT"}],
        },
        "siif": {"type": "boolean", "title": "¿Entidad registrada en el SIIF?"},
        "count": {"type": "integer", "title": "Cantidad"},
        "born": {"type": "string", "format": "date", "title": "Fecha"},
        "notes": {"type": "string", "title": "Notas"},
        "terms": {"type": "boolean", "title": "Acepto", "const": True},
        "rut": {"type": "string", "format": "document", "title": "RUT"},
        "department": {"type": "string", "title": "Departamento", "x-options": "departments"},
        "tags": {"type": "array", "title": "Etiquetas", "items": {"type": "string", "enum": ["a", "b"]}},
    },
    "allOf": [
        {
            "if": {"properties": {"siif": {"const": True}}, "required": ["siif"]},
            "then": {
                "properties": {"pci": {"type": "string", "title": "Código de unidad/subunidad ejecutora"}},
                "required": ["pci"],
            },
        }
    ],
}
UI = {
    "ui:order": ["name", "kind", "siif", "*"],
    "siif": {"ui:widget": "radio"},
    "notes": {"ui:widget": "textarea", "ui:help": "Opcional"},
    "ui:submitButtonOptions": {"submitText": "Generar formulario"},
}


def make():
    return TaskForm(SCHEMA, UI, {"department": [("05", "ANTIOQUIA"), ("11", "BOGOTÁ, D.C.")]})


def test_widgets_order_and_labels():
    form = make()
    names = [f.name for f in form.fields]
    assert names[:4] == ["name", "kind", "siif", "pci"]  # dependent field right after its control
    widgets = {f.name: f.widget for f in form.fields}
    assert widgets == {
        "name": "text",
        "kind": "select",
        "siif": "radio",
        "pci": "text",
        "email": "email",
        "password": "password",
        "count": "number",
        "born": "date",
        "notes": "textarea",
        "terms": "checkbox",
        "rut": "file",
        "department": "select",
        "tags": "checkboxes",
    }
    fields = {f.name: f for f in form.fields}
    assert fields["kind"].options == [("CC", "Cédula"), ("NIT", "NIT")]
    assert fields["siif"].options == [("true", "Sí"), ("false", "No")]
    assert fields["department"].options[0] == ("05", "ANTIOQUIA")
    assert fields["name"].help == "Como en el documento" and fields["name"].attrs["maxlength"] == 50
    assert fields["pci"].conditions[0].field == "siif"
    assert (
        "¿Entidad registrada en el SIIF?" in fields["pci"].condition_text
        and "Sí" in fields["pci"].condition_text
    )
    assert form.submit_text == "Generar formulario"
    assert form.has_files


def test_parse_converts_and_drops_irrelevant_conditionals():
    form = make()
    posted = MultiDict(
        [
            ("name", "  ANA  "),
            ("kind", "NIT"),
            ("siif", "false"),
            ("pci", "123"),
            ("count", "7"),
            ("terms", "true"),
            ("notes", ""),
            ("tags", "a"),
            ("tags", "b"),
            ("password", " x y "),
        ]
    )
    data = form.parse(posted, staged={"rut": 42})
    assert data == {
        "name": "ANA",
        "kind": "NIT",
        "siif": False,
        "count": 7,
        "terms": True,
        "tags": ["a", "b"],
        "password": " x y ",
        "rut": 42,
    }
    data = form.parse(MultiDict([("siif", "true"), ("pci", "0101"), ("count", "siete")]))
    assert data["pci"] == "0101" and data["count"] == "siete" and data["terms"] is False


def test_bind_keeps_input_but_not_passwords_and_lists_errors():
    form = make()
    fields = form.bind(
        {"name": "ANA", "password": "secret", "rut": 9},
        {"name": ["Muy corto."], "": ["General"]},
        {"rut": "rut.pdf"},
    )
    by = {f.name: f for f in fields}
    assert by["name"].value == "ANA" and by["name"].errors == ["Muy corto."]
    assert by["password"].value is None
    assert by["rut"].document == {"id": 9, "filename": "rut.pdf"}
    assert "campo-name-error" in by["name"].describedby and "campo-name-ayuda" in by["name"].describedby
    summary = form.summary({"name": ["Muy corto."], "": ["General"], "other": ["X"]})
    assert summary == [(None, "General"), ("#campo-name", "Nombre: Muy corto."), (None, "X")]


def test_staged_document_kept_from_hidden_field():
    form = make()
    data = form.parse(MultiDict([("rut__staged", "abc")]))
    assert data["rut"] == "abc"


def real_forms():
    return sorted(FORMS_DIR.glob("*-schema.json")) if FORMS_DIR.exists() else []


@pytest.mark.parametrize(
    "schema_path", real_forms() or [pytest.param(None, marks=pytest.mark.skip("no forms yet"))]
)
def test_every_real_form_renders(schema_path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    ui_path = schema_path.with_name(schema_path.name.replace("-schema.json", "-uischema.json"))
    ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}
    form = TaskForm(schema, ui, {})
    fields = form.bind({})
    assert len(fields) >= len(schema.get("properties") or {}), schema_path.name
    for f in fields:
        assert f.label and f.widget
        assert f.widget != "text" or "enum" not in str(schema["properties"].get(f.name, {})), f.name
    assert form.parse(MultiDict()) is not None
    assert form.submit_text


def load(name):
    schema = json.loads((FORMS_DIR / f"{name}-schema.json").read_text(encoding="utf-8"))
    ui = json.loads((FORMS_DIR / f"{name}-uischema.json").read_text(encoding="utf-8"))
    return schema, ui


@pytest.mark.skipif(
    not (FORMS_DIR / "informacion_general-schema.json").exists(), reason="form not written yet"
)
def test_informacion_general_conditions():
    form = TaskForm(*load("informacion_general"), {"department": [("05", "ANTIOQUIA")]})
    by = {f.name: f for f in form.fields}
    # decentralized -> parent account is a dependent field; "action" (last) hides nothing
    assert [c.field for c in by["parent_account_id"].conditions] == ["decentralized"]
    assert not by["account_name"].conditions and by["account_name"].required
    assert by["action"].widget == "hidden" and by["parent_account_id"].widget == "autocomplete"
    assert form.actions == [{"name": "action", "value": "modificar", "label": "Modificar"}]
    data = form.parse(
        MultiDict(
            [
                ("action", "modificar"),
                ("account_name", "X"),
                ("decentralized", "false"),
                ("parent_account_id", "3"),
            ]
        )
    )
    assert data["account_name"] == "X" and "parent_account_id" not in data


@pytest.mark.skipif(not (FORMS_DIR / "registrar_usuario-schema.json").exists(), reason="form not written yet")
def test_registrar_usuario_fields():
    form = TaskForm(*load("registrar_usuario"), {"entity_name": [("ENTIDAD A", "ENTIDAD A")]})
    by = {f.name: f for f in form.bind({})}
    assert not by["document_number"].conditions  # a pattern override is not a display condition
    assert by["password"].widget == "password" and by["accept_terms"].widget == "checkbox"
    assert by["time_zone"].value == "(UTC-05:00) Bogotá, Lima, Quito"
    assert by["entity_name"].widget == "autocomplete"
    assert form.submit_text == "Continuar"


@pytest.mark.skipif(not (FORMS_DIR / "anexar_documentos-schema.json").exists(), reason="form not written yet")
def test_anexar_documentos_date_depends_on_certificate():
    form = TaskForm(*load("anexar_documentos"), {})
    by = {f.name: f for f in form.fields}
    assert all(by[n].widget == "file" for n in ("rut", "acto_estructura", "certificado_existencia"))
    cond = by["certificado_fecha_expedicion"].conditions[0]
    assert cond.field == "certificado_existencia" and cond.present
    assert "está diligenciado" in by["certificado_fecha_expedicion"].condition_text
    assert form.submit_text == "Finalizar" and form.has_files
    data = form.parse(MultiDict([("certificado_fecha_expedicion", "2026-01-01")]))
    assert "certificado_fecha_expedicion" not in data
    data = form.parse(
        MultiDict([("certificado_fecha_expedicion", "2026-01-01")]), staged={"certificado_existencia": "d1"}
    )
    assert data["certificado_fecha_expedicion"] == "2026-01-01"


def test_extra_action_buttons():
    schema = {
        "properties": {
            "action": {"type": "string", "enum": ["continuar", "modificar"], "default": "continuar"}
        }
    }
    ui = {
        "action": {"ui:widget": "hidden"},
        "ui:actions": [{"name": "action", "value": "modificar", "label": "Modificar"}],
    }
    form = TaskForm(schema, ui)
    posted = MultiDict([("action", "continuar"), ("__accion", "0")])
    assert {**form.parse(posted), **form.chosen_action(posted)} == {"action": "modificar"}
    assert form.chosen_action(MultiDict([("__accion", "7")])) == {}
    assert form.parse(MultiDict([("action", "continuar")])) == {"action": "continuar"}


def test_dates_typed_the_colombian_way_and_official_links():
    """Issue 13.17: where a browser has no date picker, "15/03/2026" is the 15th of March;
    13.16: "ui:links" draws official pages as links, https only."""
    form = TaskForm(*load("corregir_documentos"), {})
    staged = {"certificado_existencia": "d1"}
    typed_and_stored = [
        ("15/03/2026", "2026-03-15"),
        ("5/3/2026", "2026-03-05"),
        ("2026-03-15", "2026-03-15"),
        ("31/02/2026", "2026-02-31"),  # impossible: the engine refuses it with its message
        ("marzo", "marzo"),
    ]
    for typed, stored in typed_and_stored:
        data = form.parse(MultiDict([("certificado_fecha_expedicion", typed)]), staged=staged)
        assert data["certificado_fecha_expedicion"] == stored
    by = {f.name: f for f in form.fields}
    assert by["autorizacion_administrador"].links == [
        (
            "Descargar el formato oficial (formatos para la Entidad Estatal)",
            "https://www.colombiacompra.gov.co/secop-ii/formatos-para-compradores-y-proveedores-del-secop-ii",
        )
    ]
    hostile = {"x": {"ui:links": [{"text": "t", "href": "javascript:alert(1)"}, {"text": "ok", "href": "https://a.co"}]}}
    field = TaskForm({"type": "object", "properties": {"x": {"type": "string"}}}, hostile).fields[0]
    assert field.links == [("ok", "https://a.co")]


def test_stored_dates_are_shown_day_first():
    form = TaskForm(*load("corregir_documentos"), {})
    by = {f.name: f for f in form.bind({"certificado_fecha_expedicion": "2026-03-15"})}
    assert by["certificado_fecha_expedicion"].date_text == "15/03/2026"
    by = {f.name: f for f in form.bind({"certificado_fecha_expedicion": "31/02/2026"})}
    assert by["certificado_fecha_expedicion"].date_text == "31/02/2026"  # as typed, to correct

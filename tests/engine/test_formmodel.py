"""The engine's form model: schema + UI schema -> fields in display order, and a browser's
posted strings -> JSON values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from engine.formmodel import build

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
    return build(SCHEMA, UI)


def by_name(form):
    return {f.name: f for f in form.fields}


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
    fields = by_name(form)
    assert fields["kind"].choices == (("CC", "Cédula"), ("NIT", "NIT"))
    assert fields["siif"].choices == ((True, "Sí"), (False, "No"))
    assert fields["department"].options_source == "departments"
    assert fields["name"].help == "Como en el documento" and dict(fields["name"].attrs)["maxlength"] == 50
    assert fields["pci"].conditions[0].field == "siif"
    assert fields["pci"].condition_text == (
        "Diligencie este campo solo si «¿Entidad registrada en el SIIF?» es «Sí»."
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
    data = form.parse(posted, staged={"rut": "d-42"})
    assert data == {
        "name": "ANA",
        "kind": "NIT",
        "siif": False,
        "count": 7,
        "terms": True,
        "tags": ["a", "b"],
        "password": " x y ",
        "rut": "d-42",
    }
    data = form.parse(MultiDict([("siif", "true"), ("pci", "0101"), ("count", "siete")]))
    assert data == {"siif": True, "pci": "0101", "count": "siete", "terms": False, "tags": []}


def test_staged_document_kept_from_hidden_field():
    data = make().parse(MultiDict([("rut__staged", "abc")]))
    assert data["rut"] == "abc"


def test_an_autocomplete_label_becomes_its_value():
    schema = {"properties": {"entity": {"type": "string", "x-options": "names"}}}
    form = build(schema, {"entity": {"ui:widget": "autocomplete"}})
    asked = []

    def options(name):
        asked.append(name)
        return [("900514813", "Colombia Compra Eficiente")]

    assert form.parse(MultiDict([("entity", " colombia compra EFICIENTE ")]), options=options) == {
        "entity": "900514813"
    }
    assert form.parse(MultiDict([("entity", "Otra entidad")]), options=options) == {"entity": "Otra entidad"}
    assert asked == ["entity", "entity"]
    # Nothing typed: the (possibly long) list is not read at all.
    assert form.parse(MultiDict([("entity", "")]), options=options) == {} and len(asked) == 2


def test_the_model_of_a_deployed_form_is_built_once():
    from engine.formmodel import form_model

    schema, ui = dict(SCHEMA), dict(UI)
    assert form_model(schema, ui) is form_model(schema, ui)
    assert form_model(dict(SCHEMA), ui) is not form_model(schema, ui)


def real_forms():
    return sorted(FORMS_DIR.glob("*-schema.json"))


def test_the_project_has_forms():
    assert len(real_forms()) >= 10


@pytest.mark.parametrize("schema_path", real_forms(), ids=lambda path: path.name)
def test_every_real_form_is_understood(schema_path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    ui_path = schema_path.with_name(schema_path.name.replace("-schema.json", "-uischema.json"))
    ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}
    form = build(schema, ui)
    assert {f.name for f in form.fields} >= set(schema.get("properties") or {}), schema_path.name
    for f in form.fields:
        assert f.label and f.widget
        declared = schema["properties"].get(f.name, {})
        assert f.widget != "text" or not ("enum" in declared or "oneOf" in declared), f.name
    # An empty post reads as nothing but the unticked boxes and empty lists a browser omits.
    empty = form.parse(MultiDict())
    assert all(value in (False, []) for value in empty.values()), empty
    assert form.submit_text


def load(name):
    schema = json.loads((FORMS_DIR / f"{name}-schema.json").read_text(encoding="utf-8"))
    ui = json.loads((FORMS_DIR / f"{name}-uischema.json").read_text(encoding="utf-8"))
    return schema, ui


def test_informacion_general_conditions():
    form = build(*load("informacion_general"))
    by = by_name(form)
    # decentralized -> parent account is a dependent field; "action" (last) hides nothing
    assert [c.field for c in by["parent_account_id"].conditions] == ["decentralized"]
    assert not by["account_name"].conditions and by["account_name"].required
    assert by["action"].widget == "hidden" and by["parent_account_id"].widget == "autocomplete"
    assert form.actions == ({"name": "action", "value": "modificar", "label": "Modificar"},)
    data = form.parse(
        MultiDict(
            [
                ("action", "modificar"),
                ("account_name", "X"),
                ("decentralized", "false"),
                ("parent_account_id", "3"),
            ]
        ),
        options=lambda name: [],
    )
    assert data["account_name"] == "X" and "parent_account_id" not in data


def test_registrar_usuario_fields():
    by = by_name(build(*load("registrar_usuario")))
    assert not by["document_number"].conditions  # a pattern override is not a display condition
    assert by["password"].widget == "password" and by["accept_terms"].widget == "checkbox"
    assert by["time_zone"].default == "(UTC-05:00) Bogotá, Lima, Quito"
    assert by["entity_name"].widget == "autocomplete"


def test_anexar_documentos_date_depends_on_certificate():
    form = build(*load("anexar_documentos"))
    by = by_name(form)
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
    form = build(schema, ui)
    assert form.parse(MultiDict([("action", "continuar"), ("__accion", "0")])) == {"action": "modificar"}
    assert form.chosen_action(MultiDict([("__accion", "7")])) == {}
    assert form.parse(MultiDict([("action", "continuar")])) == {"action": "continuar"}


def test_dates_typed_the_colombian_way_and_official_links():
    """Issue 13.17: where a browser has no date picker, "15/03/2026" is the 15th of March;
    13.16: "ui:links" draws official pages as links, https only."""
    form = build(*load("corregir_documentos"))
    staged = {"certificado_existencia": "d1"}
    typed_and_stored = [
        ("15/03/2026", "2026-03-15"),
        ("5/3/2026", "2026-03-05"),
        ("2026-03-15", "2026-03-15"),
        ("31/02/2026", "2026-02-31"),  # impossible: the validator refuses it with its message
        ("marzo", "marzo"),
    ]
    for typed, stored in typed_and_stored:
        data = form.parse(MultiDict([("certificado_fecha_expedicion", typed)]), staged=staged)
        assert data["certificado_fecha_expedicion"] == stored
    assert by_name(form)["autorizacion_administrador"].links == (
        (
            "Descargar el formato oficial (formatos para la Entidad Estatal)",
            "https://www.colombiacompra.gov.co/secop-ii/formatos-para-compradores-y-proveedores-del-secop-ii",
        ),
    )
    hostile = {"x": {"ui:links": [{"text": "t", "href": "javascript:alert(1)"}, {"text": "ok", "href": "https://a.co"}]}}
    field = build({"type": "object", "properties": {"x": {"type": "string"}}}, hostile).fields[0]
    assert field.links == (("ok", "https://a.co"),)

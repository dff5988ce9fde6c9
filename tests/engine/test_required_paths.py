"""Issue 17 point 18: what a form requires holds on every path. The checker warns about a
form whose every requirement a submitted value, or a left-out field, switches off."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.__main__ import main
from engine.forms import requirements_switch

ROOT = Path(__file__).resolve().parents[2]


def _form(required=(), blocks=(), **props) -> dict:
    return {
        "type": "object",
        "properties": {"nombre": {"type": "string"}, **props},
        "required": list(required),
        "allOf": list(blocks),
    }


ACTION = {"type": "string", "oneOf": [{"const": "continuar"}, {"const": "modificar"}]}


def _when(field, value, *required, test_present=True) -> dict:
    clause = {"properties": {field: {"const": value}}}
    if test_present:
        clause["required"] = [field]
    return {"if": clause, "then": {"required": list(required)}}


@pytest.mark.parametrize(
    ("schema", "switch"),
    [
        # The general-information form as it was: nothing required without action=continuar.
        (_form(blocks=[_when("action", "continuar", "nombre")], action=ACTION), {"action": None}),
        # A condition that never requires anything: nothing to switch off.
        (_form(blocks=[_when("action", "modificar", test_present=False)], action=ACTION), None),
        (
            _form(
                blocks=[
                    {
                        "if": {"properties": {"action": {"const": "modificar"}}},
                        "else": {"required": ["nombre"]},
                    }
                ],
                action=ACTION,
            ),
            {"action": None},  # left out, the if holds: the empty body is the switch
        ),
        # A box that, unticked, empties the form.
        (_form(blocks=[_when("acepta", True, "nombre")], acepta={"type": "boolean"}), {"acepta": None}),
    ],
)
def test_switches_that_empty_a_form_are_found(schema, switch):
    assert requirements_switch(schema) == switch


@pytest.mark.parametrize(
    "schema",
    [
        # The deciding field itself is required: a decision is always asked for.
        _form(required=["action"], blocks=[_when("action", "continuar", "nombre")], action=ACTION),
        # Something stays required whatever the switch says.
        _form(required=["nombre"], blocks=[_when("action", "continuar", "otro")], action=ACTION),
        # Required from the task data (a DMN's documents): no submitted value changes that.
        {**_form(blocks=[_when("action", "continuar", "nombre")], action=ACTION), "x-requiredFrom": "docs"},
        # Nothing is ever required (a confirmation form): nothing to switch off.
        _form(),
    ],
)
def test_forms_that_always_require_something_pass(schema):
    assert requirements_switch(schema) is None


def test_every_shipped_form_requires_something_on_every_path(capsys):
    assert main(["check", str(ROOT / "workflows"), "--forms", str(ROOT / "forms")]) == 0
    out = capsys.readouterr().out
    assert "aviso" not in out and out.startswith("OK:")


def test_the_checker_warns_and_still_deploys(tmp_path, capsys):
    """The general-information form as it was before the fix gets a warning naming the task."""
    workflows, forms = tmp_path / "workflows", tmp_path / "forms"
    shutil.copytree(ROOT / "workflows", workflows)
    shutil.copytree(ROOT / "forms", forms)
    path = forms / "informacion_general-schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["required"] = []
    schema["allOf"][0]["if"]["required"] = ["action"]
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert main(["check", str(workflows), "--forms", str(forms)]) == 0
    warning = capsys.readouterr().out.splitlines()[0]
    assert warning.startswith("registro_entidad.bpmn:") and ": informacion_general: aviso:" in warning
    assert "si falta «action» y falta «decentralized», el formulario no exige ningún campo" in warning

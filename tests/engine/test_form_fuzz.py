"""Every form in forms/, fuzzed with values drawn from its own JSON Schema and with hostile
input: validation answers field errors or clean data, and never raises.

``make fuzz`` runs the same with many more examples (HYPOTHESIS_PROFILE=fuzz)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from engine import Actor
from engine.context import CheckContext
from engine.forms import properties_of
from engine.forms import validate

FORMS_DIR = Path(__file__).resolve().parent.parent.parent / "forms"
FORMS = sorted(FORMS_DIR.glob("*-schema.json"))
LONG_RUN = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = 400 if LONG_RUN else 15

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "<script>alert('x')</script>",
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE app_user; --",
            "' OR '1'='1",
            "{{ 7*7 }}",
            "../../../../etc/passwd",
            "\u202etxt.exe",
            "\x00\x01\x02",
            "ÑANDÚ – “comillas” — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇨🇴",
            "a" * 20_000,
            "",
            "   ",
            "true",
            "9" * 400,
            "2026-02-30",
            "-1",
        ]
    ),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.sampled_from(["typename", "x", "__class__"]), st.text(max_size=5), max_size=2),
    st.text(max_size=300),
)


def _value_strategy(prop: dict):
    """Plausible values for one field, read from its schema (enums, types, formats, patterns)."""
    options = [o["const"] for o in prop.get("oneOf", []) if isinstance(o, dict) and "const" in o]
    if prop.get("enum") or options:
        return st.sampled_from(prop.get("enum") or options)
    kind = prop.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(prop.get("minimum", -(10**6)), prop.get("maximum", 10**9))
    if kind == "number":
        return st.floats(prop.get("minimum", -(10**6)), prop.get("maximum", 10**9), allow_nan=False)
    if prop.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if prop.get("format") == "email":
        return st.emails()
    if prop.get("pattern"):
        return st.from_regex(prop["pattern"], fullmatch=True)
    return st.text(min_size=prop.get("minLength", 0), max_size=min(prop.get("maxLength", 60), 200))


def _strategy(schema: dict):
    props = properties_of(schema)
    plausible = st.fixed_dictionaries({}, optional={name: _value_strategy(p) for name, p in props.items()})
    names = sorted(props) + ["typename", "campo_extra"]
    hostile = st.dictionaries(st.sampled_from(names), HOSTILE, max_size=len(names))
    mixed = st.tuples(plausible, hostile).map(lambda pair: {**pair[0], **pair[1]})
    return st.one_of(plausible, hostile, mixed)


@pytest.mark.parametrize("form", FORMS, ids=[f.stem for f in FORMS])
def test_form_validation_never_raises(form, runner):
    schema = json.loads(form.read_text())
    declared = set(properties_of(schema))

    # The suite's run is reproducible; ``make fuzz`` explores new inputs on every run.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not LONG_RUN,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=_strategy(schema))
    def check(data):
        with runner.transaction() as session:
            context = CheckContext(session, Actor(user_id=1), runner.config, domain=runner.domain)
            clean, errors = validate(schema, data, context, {})
        assert isinstance(errors, dict)
        for field, messages in errors.items():
            assert isinstance(field, str) and messages and all(isinstance(m, str) and m for m in messages)
        if not errors:
            assert set(clean) <= declared
            for name, prop in properties_of(schema).items():
                if prop.get("writeOnly") and name in clean:
                    assert set(clean[name]) == {"argon2"}

    check()


def test_control_characters_are_refused_with_a_message(runner):
    schema = {"type": "object", "properties": {"nombre": {"type": "string", "title": "Nombre"}}}
    with runner.transaction() as session:
        context = CheckContext(session, Actor(user_id=1), runner.config, domain=runner.domain)
        # NUL, ESC, a C1 control, and the bidirectional override/isolate marks (RLO shows
        # "Ana\u202egpj.exe" as "Anaexe.jpg"); tab and line breaks stay allowed.
        for hostile in ("Ana\x00", "Ana\x1b[2J", "A\x85na", "Ana\u202egpj.exe", "Ana\u2066x", "Ana\u200f"):
            assert validate(schema, {"nombre": hostile}, context) == (
                {},
                {"nombre": ["El texto contiene caracteres no permitidos."]},
            ), repr(hostile)
        assert validate(schema, {"nombre": "Ana\tMaría\nRuiz"}, context)[1] == {}


def test_numbers_no_database_can_hold_are_refused_with_a_message(runner):
    """Issue 17 point 13: "1e999" typed in a number field became inf, which PostgreSQL's
    JSON refuses; 2**70 in an integer field overflowed both databases' integer columns."""
    schema = {"type": "object", "properties": {"monto": {"type": "number"}, "cuenta": {"type": "integer"}}}
    with runner.transaction() as session:
        context = CheckContext(session, Actor(user_id=1), runner.config, domain=runner.domain)
        for data in ({"monto": "1e999"}, {"monto": float("nan")}, {"cuenta": 2**70}, {"cuenta": str(2**70)}):
            field = next(iter(data))
            assert validate(schema, data, context) == ({}, {field: ["El número no es válido."]}), data
        assert validate(schema, {"monto": "12.5", "cuenta": "7"}, context) == (
            {"monto": 12.5, "cuenta": 7},
            {},
        )


def test_every_form_is_fuzzed():
    assert len(FORMS) >= 10, "forms/ should hold the procedures' forms"

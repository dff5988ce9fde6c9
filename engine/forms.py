"""Form schemas: coerce what a browser posts, validate with JSON Schema plus our extensions,
and answer every error at once, field by field, in Spanish."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from jsonschema import Draft7Validator
from jsonschema import FormatChecker

from engine.context import CheckContext

FORM_WIDE = ""
_hasher = PasswordHasher()
_format_checker = FormatChecker()


@_format_checker.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    dt.date.fromisoformat(value)
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


@_format_checker.checks("email", raises=ValueError)
def _is_email(value) -> bool:
    if not isinstance(value, str):
        return True
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)) and len(value) <= 254


DEFAULT_MESSAGES = {
    "required": "Este campo es obligatorio.",
    "minLength": "Debe tener al menos {limit} caracteres.",
    "maxLength": "Debe tener como máximo {limit} caracteres.",
    "pattern": "El formato no es válido.",
    "enum": "Seleccione una opción de la lista.",
    "oneOf": "Seleccione una opción de la lista.",
    "anyOf": "Seleccione una opción de la lista.",
    "const": "El valor no es el esperado.",
    "type": "El valor no es válido.",
    "minimum": "Debe ser mayor o igual a {limit}.",
    "maximum": "Debe ser menor o igual a {limit}.",
    "minItems": "Seleccione al menos {limit}.",
    "format:email": "Escriba un correo electrónico válido, por ejemplo nombre@dominio.gov.co.",
    "format:date": "Escriba una fecha válida (AAAA-MM-DD).",
    "format": "El formato no es válido.",
    "x-sameAs": "Los valores no coinciden.",
}


def properties_of(schema: dict) -> dict[str, dict]:
    """Every field the form may submit, including conditional ones (if/then/else, allOf)."""
    found: dict[str, dict] = {}

    def walk(node):
        if not isinstance(node, dict):
            return
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                found.setdefault(name, {}).update(prop)
        for key in ("then", "else"):
            walk(node.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key) or []:
                walk(sub)

    walk(schema)
    return found


def effective_schema(schema: dict, task_data: dict) -> dict:
    """The schema with ``x-requiredFrom`` applied from the task data (e.g. a DMN result)."""
    source = schema.get("x-requiredFrom")
    if not source:
        return schema
    extra = [name for name in task_data.get(source) or [] if isinstance(name, str)]
    result = copy.deepcopy(schema)
    result["required"] = list(dict.fromkeys([*schema.get("required", []), *extra]))
    return result


def _coerce(prop: dict, value: Any) -> Any:
    kind = prop.get("type")
    if isinstance(value, str):
        value = value.strip() if not prop.get("writeOnly") else value
        if value == "" and kind != "boolean":
            return None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "on", "1", "si", "sí", "yes")
    if kind in ("integer", "number") and isinstance(value, str):
        try:
            return int(value) if kind == "integer" else float(value.replace(",", "."))
        except ValueError:
            return value
    if kind == "array" and not isinstance(value, list):
        return [value]
    return value


def coerce(schema: dict, submitted: dict) -> dict:
    """Keep only declared fields (never let a post overwrite other task data), typed."""
    props = properties_of(schema)
    result = {}
    for name, prop in props.items():
        if name in submitted:
            value = _coerce(prop, submitted[name])
            if value is not None:
                result[name] = value
        elif prop.get("type") == "boolean":
            result[name] = False  # an unticked checkbox is simply absent from a browser post
    return result


def _has_typename(value) -> bool:
    if isinstance(value, dict):
        return "typename" in value or any(_has_typename(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_typename(v) for v in value)
    return False


# C0 and C1 controls but tab and line breaks, and the invisible bidirectional marks and
# overrides (RLO turns "gpj.exe" into "exe.jpg" on screen).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _has_control_characters(value) -> bool:
    """NUL, ESC and other control characters, bidi overrides: never meaningful in a form,
    NUL refused by PostgreSQL, the others able to disguise what a reviewer reads."""
    if isinstance(value, str):
        return bool(_CONTROL.search(value))
    if isinstance(value, list):
        return any(_has_control_characters(v) for v in value)
    if isinstance(value, dict):
        return any(_has_control_characters(k) or _has_control_characters(v) for k, v in value.items())
    return False


def _longest_text(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return max(map(_longest_text, value), default=0)
    if isinstance(value, dict):
        return max((max(len(str(k)), _longest_text(v)) for k, v in value.items()), default=0)
    return 0


MAX_STORED_INTEGER = 2**63 - 1


def _has_unstorable_number(value) -> bool:
    """inf, nan ("1e999" typed in a number field) and integers beyond 64 bits: no JSON column
    of PostgreSQL and no integer column of either database can hold them."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int):
        return abs(value) > MAX_STORED_INTEGER
    if isinstance(value, list):
        return any(_has_unstorable_number(v) for v in value)
    if isinstance(value, dict):
        return any(_has_unstorable_number(v) for v in value.values())
    return False


def _message(prop: dict, keyword: str, limit=None) -> str:
    custom = prop.get("errorMessage")
    if isinstance(custom, str):
        return custom
    if isinstance(custom, dict):
        if keyword in custom:
            return custom[keyword]
        if keyword.startswith("format:") and "format" in custom:
            return custom["format"]
    default = DEFAULT_MESSAGES.get(keyword) or DEFAULT_MESSAGES.get(
        keyword.split(":")[0], "El valor no es válido."
    )
    return default.format(limit=limit)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    bucket = errors.setdefault(field, [])
    if message not in bucket:
        bucket.append(message)


_VALIDATORS: dict[int, tuple[dict, Draft7Validator]] = {}


def _validator(schema: dict) -> Draft7Validator:
    """The validator of a deployed form, built once per schema object."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_VALIDATORS) >= 512:  # ad-hoc schemas (tests, checks) must not pile up
            _VALIDATORS.clear()
        cached = _VALIDATORS[id(schema)] = (
            schema,
            Draft7Validator(_choices_as_enums(schema), format_checker=_format_checker),
        )
    return cached[1]


def _choices_as_enums(node):
    """A copy of ``node`` where each list of choices written as ``oneOf`` of ``const``s is
    an ``enum``: the same rule, but jsonschema checks an enum in one step instead of
    validating every branch (0.36 ms -> 0.05 ms for the general-information form)."""
    if isinstance(node, list):
        return [_choices_as_enums(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _choices_as_enums(value) for key, value in node.items()}
    choices = node.get("oneOf")
    if isinstance(choices, list) and choices and "enum" not in node and all(map(_is_choice, choices)):
        values = [c["const"] for c in choices]
        # Two equal consts make oneOf refuse that value; an enum would accept it: keep oneOf.
        if len({json.dumps(v, sort_keys=True) for v in values}) == len(values):
            del result["oneOf"]
            result["enum"] = values
    return result


def _is_choice(branch) -> bool:
    return isinstance(branch, dict) and "const" in branch and set(branch) <= {"const", "title", "description"}


def validate(schema: dict, submitted: dict, check_context: CheckContext, task_data: dict | None = None):
    """Return (clean data, errors). ``errors`` maps field -> messages ("" = whole form)."""
    task_data = task_data or {}
    domain = check_context.domain
    required_now = effective_schema(schema, task_data).get("required") or []
    props = properties_of(schema)
    errors: dict[str, list[str]] = {}
    if _has_typename(submitted):
        _add(errors, FORM_WIDE, "El formulario contiene un campo reservado (typename).")
        return {}, errors
    data = coerce(schema, submitted)
    longest = check_context.config.limits.text_length
    for name, value in list(data.items()):
        if _has_control_characters(value):
            _add(errors, name, "El texto contiene caracteres no permitidos.")
            del data[name]
        elif _longest_text(value) > longest:
            _add(errors, name, f"El texto supera el máximo de {longest} caracteres.")
            del data[name]
        elif _has_unstorable_number(value):
            _add(errors, name, "El número no es válido.")
            del data[name]
    # Fields the task data makes required (x-requiredFrom, e.g. the DMN's documents).
    for missing in [name for name in required_now if name not in data]:
        _add(errors, missing, _message(props.get(missing, {}), "required"))
    for error in _validator(schema).iter_errors(data):
        if error.validator == "required":
            for missing in [p for p in error.validator_value if p not in (error.instance or {})]:
                _add(errors, missing, _message(props.get(missing, {}), "required"))
            continue
        field = str(error.absolute_path[0]) if error.absolute_path else FORM_WIDE
        keyword = f"format:{error.validator_value}" if error.validator == "format" else error.validator
        if keyword == "enum" and "oneOf" in props.get(field, {}):
            keyword = "oneOf"  # checked as an enum (see _validator), written as oneOf
        if keyword == "type" and props.get(field, {}).get("x-options"):
            keyword = "enum"  # text typed where a choice of the list was expected: say so
        limit = error.validator_value if isinstance(error.validator_value, int | float) else None
        _add(errors, field, _message(props.get(field, {}), keyword, limit))
    for name, prop in props.items():
        if name in errors or name not in data:
            continue
        other = prop.get("x-sameAs")
        if other and data.get(other) != data[name]:
            _add(errors, name, _message(prop, "x-sameAs"))
        if prop.get("format") == "document":
            problem = _document_problem(check_context, data[name], name)
            if problem:
                _add(errors, name, problem)
        check_name = prop.get("x-check")
        if check_name:
            problem = domain.checks[check_name](check_context, data[name], {**task_data, **data})
            if problem:
                _add(errors, name, problem)
        source = prop.get("x-options")
        if source and not prop.get("x-freeText"):
            allowed = {
                str(value) for value, _label in domain.options[source](check_context, {**task_data, **data})
            }
            if str(data[name]) not in allowed:
                _add(errors, name, _message(prop, "enum"))
    if errors:
        return {}, errors
    return _finalize(props, data), {}


_LEFT_OUT = object()
MAX_SWITCH_COMBINATIONS = 512


def requirements_switch(schema: dict) -> dict | None:
    """Submitted values under which a form requires *nothing at all* although other values
    make it require something (``None`` stands for a field left out), or None if none do.

    Such a form can be completed with an empty body or one button's value, skipping all its
    data: the general-information form once required its fields only while its hidden
    ``action`` said "continuar", so an API call without ``action`` stored nulls. The checker
    warns about it; a conditional requirement is fine as long as something stays required."""
    if schema.get("x-requiredFrom"):
        return None  # the task data requires fields that no submitted value switches off
    blocks = [b for b in schema.get("allOf") or [] if isinstance(b, dict) and isinstance(b.get("if"), dict)]
    if isinstance(schema.get("if"), dict):
        blocks.append(schema)
    root_required = set(schema.get("required") or [])
    if not blocks or root_required:
        return None
    controls: list[str] = []
    for block in blocks:
        clause = block["if"]
        for name in [*(clause.get("properties") or {}), *(clause.get("required") or [])]:
            if name not in controls:
                controls.append(name)
    props = properties_of(schema)
    choices = [_switch_values(name, props.get(name) or {}, blocks) for name in controls]
    if math.prod(len(values) for values in choices) > MAX_SWITCH_COMBINATIONS:
        return None
    switched_off, requires_something = None, False
    for combo in itertools.product(*choices):
        data = {name: value for name, value in zip(controls, combo, strict=True) if value is not _LEFT_OUT}
        required = set()
        for block in blocks:
            branch = block.get("then") if Draft7Validator(block["if"]).is_valid(data) else block.get("else")
            required.update((branch or {}).get("required") or [])
        if required:
            requires_something = True
        elif switched_off is None:
            switched_off = {name: data.get(name) for name in controls}
    return switched_off if requires_something else None


def _switch_values(name: str, prop: dict, blocks: list[dict]) -> list:
    """The values of a controlling field worth trying: left out, each value a condition
    names, each choice of the field, and some other value the field accepts."""
    candidates: list = []
    for block in blocks:
        tested = (block["if"].get("properties") or {}).get(name) or {}
        candidates += [tested["const"]] if "const" in tested else list(tested.get("enum") or [])
    candidates += list(prop.get("enum") or [])
    candidates += [o["const"] for o in prop.get("oneOf") or [] if isinstance(o, dict) and "const" in o]
    candidates += [True, False] if prop.get("type") == "boolean" else ["otro valor", 0]
    accepts = Draft7Validator({k: v for k, v in prop.items() if not k.startswith("x-")}).is_valid
    values: list = [_LEFT_OUT]
    for value in candidates:
        if accepts(value) and not any(value == v and type(value) is type(v) for v in values[1:]):
            values.append(value)
    return values


def _document_problem(check_context: CheckContext, value, slot: str) -> str | None:
    documents = check_context.domain.documents
    if documents is None:
        return "Este trámite no admite documentos anexos."
    return documents.problem(check_context, value, slot)


def _finalize(props: dict[str, dict], data: dict) -> dict:
    """Drop confirmations, hash secrets: what remains may be stored in task data."""
    clean = {}
    for name, value in data.items():
        prop = props.get(name, {})
        if prop.get("x-sameAs"):
            continue
        if prop.get("writeOnly"):
            value = {"argon2": _hasher.hash(value)}
        clean[name] = value
    return clean


def prefill(schema: dict, task_data: dict) -> dict:
    """Values to show in the form: what the task data already holds, never secrets."""
    props = properties_of(schema)
    return {
        name: task_data[name]
        for name, prop in props.items()
        if name in task_data and not prop.get("writeOnly") and not prop.get("x-sameAs")
    }


class FormOptions(Mapping):
    """The option lists of a form, each read only when asked for.

    A form post needs at most the lists of the fields it actually submitted (to map an
    autocomplete label to its value); the Directorio can hold thousands of accounts, so
    a post must not read every list the way drawing the page does."""

    def __init__(self, schema: dict, check_context: CheckContext, task_data: dict):
        self._sources = {
            name: prop["x-options"]
            for name, prop in properties_of(schema).items()
            if prop.get("x-options") in check_context.domain.options
        }
        self._context = check_context
        self._task_data = task_data
        self._read: dict[str, list[tuple[str, str]]] = {}

    def __getitem__(self, name: str) -> list[tuple[str, str]]:
        if name not in self._read:
            source = self._context.domain.options[self._sources[name]]  # KeyError: no options
            self._read[name] = [(str(v), str(label)) for v, label in source(self._context, self._task_data)]
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

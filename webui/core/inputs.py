"""Reading untrusted request input: ids in URLs and query strings, and JSON bodies.

One rule for pages and API alike, so malformed input is a 400 or a 404, never a 500:
- an id is ASCII digits within the id columns' range, PostgreSQL's ``integer`` (2**31 - 1):
  ``²`` passes ``str.isdigit`` but not ``int()``, 2**64 overflowed SQLite's driver and
  2**31 PostgreSQL's column;
- a JSON body nests at most ``MAX_JSON_DEPTH`` levels (deeper made ``json`` raise
  RecursionError), has no NaN/Infinity (PostgreSQL's JSON refuses them) and no integer
  beyond 64 bits.
"""

from __future__ import annotations

import json
import re

from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # every id column is an INTEGER: 32 bits on PostgreSQL
MAX_JSON_INTEGER = 2**63 - 1
MAX_PAGE = 1_000_000  # a page number: beyond it an OFFSET is nonsense (and may overflow)
MAX_JSON_DEPTH = 32
_ID = re.compile(r"[0-9]{1,19}")  # 19 digits: nothing longer can be below MAX_ID


def int_value(raw, maximum: int = MAX_ID, minimum: int = 0) -> int | None:
    """``raw`` as an integer from ``minimum`` to ``maximum``, or None when it is not one
    (empty, signs, spaces inside, Unicode digits, out of range)."""
    text = str(raw if raw is not None else "").strip()
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL: ASCII digits up to MAX_ID, else the route does not match
    (a 404 like any unknown id)."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class JsonRefused(ValueError):
    """A JSON body this app will not read (Flask answers 400 for a ValueError)."""


def _refuse_constant(name: str):
    raise JsonRefused(f"{name} no es un número JSON válido")


def _check_tree(value, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise JsonRefused(f"el JSON anida más de {MAX_JSON_DEPTH} niveles")
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) > MAX_JSON_INTEGER:
        raise JsonRefused("número entero fuera de rango")
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        _check_tree(child, depth + 1)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what the rest of the app cannot hold (see the module doc)."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise JsonRefused(f"el JSON anida más de {MAX_JSON_DEPTH} niveles") from None
        _check_tree(value)
        return value


def init_app(app) -> None:
    app.json = StrictJSONProvider(app)
    app.url_map.converters["int"] = IdConverter

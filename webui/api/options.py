"""Small JSON endpoints the JavaScript uses to improve forms (never required without JS)."""

from __future__ import annotations

from flask import jsonify
from flask import request

from webui.core.identity import current_actor
from webui.core.identity import runner

LIMIT = 50


def options(source: str):
    """Options of a form source (``?q=`` filters by label; other args are the form's data)."""
    data = {k: v for k, v in request.args.items() if k != "q"}
    query = (request.args.get("q") or "").strip().casefold()
    items = runner().options(current_actor(), source, data)  # NotFound -> 404
    if query:
        items = [item for item in items if query in item[1].casefold()]
    limit = LIMIT if query else 2000
    return jsonify([{"value": v, "label": label} for v, label in items[:limit]])

"""Small JSON endpoints the JavaScript uses to improve forms (never required without JS)."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from flask import request

from webui.identity import current_actor
from webui.identity import runner

bp = Blueprint("api", __name__)
LIMIT = 50


@bp.get("/opciones/<source>")
def options(source: str):
    """Options of a form source (``?q=`` filters by label; other args are the form's data)."""
    data = {k: v for k, v in request.args.items() if k != "q"}
    query = (request.args.get("q") or "").strip().casefold()
    items = runner().options(current_actor(), source, data)  # NotFound -> 404
    if query:
        items = [item for item in items if query in item[1].casefold()]
    limit = LIMIT if query else 2000
    return jsonify([{"value": v, "label": label} for v, label in items[:limit]])

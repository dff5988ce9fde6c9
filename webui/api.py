"""Small JSON endpoints the JavaScript uses to improve forms (never required without JS)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import jsonify
from flask import request

from engine.context import CheckContext
from engine.functions import OPTIONS
from webui.extensions import db
from webui.identity import current_actor

bp = Blueprint("api", __name__)
LIMIT = 50


@bp.get("/opciones/<source>")
def options(source: str):
    """Options of a form source (``?q=`` filters by label; other args are the form's data)."""
    fn = OPTIONS.get(source)
    if fn is None:
        abort(404)
    data = {k: v for k, v in request.args.items() if k != "q"}
    ctx = CheckContext(db.session, current_actor(), current_app.extensions["runner"].config)
    query = (request.args.get("q") or "").strip().casefold()
    items = [(str(v), str(label)) for v, label in fn(ctx, data)]
    if query:
        items = [item for item in items if query in item[1].casefold()]
    limit = LIMIT if query else 2000
    return jsonify([{"value": v, "label": label} for v, label in items[:limit]])

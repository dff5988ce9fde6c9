"""JSON API v1 (documented in static/openapi.json): session or ``Authorization: Bearer``
token auth, the same role rules as the pages. Task forms and messages are here; the inbox,
who holds a task and starting a procedure in v1_tasks.py; process models and instances in
v1_ops.py.

CSRF: the blueprint is exempt from the global check because a Bearer token (sent explicitly,
never by the browser on its own) cannot be forged cross-site; requests authenticated by the
session cookie are checked here instead, so a cookie-only POST still needs X-CSRFToken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path

from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from engine.actors import Actor
from engine.domain.models import User
from engine.errors import Conflict
from engine.errors import DomainError
from engine.errors import EngineError
from engine.errors import FormInvalid
from engine.errors import InvalidInput
from engine.errors import MessageNotExpected
from engine.errors import NotAuthorized
from engine.errors import NotFound
from webui.api import tokens as api_tokens
from webui.core.errors import problem
from webui.core.extensions import csrf
from webui.core.extensions import db
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.identity import user_can_login
from webui.core.policy import OPERATOR

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def iso(value):
    return value.isoformat() + "Z" if isinstance(value, dt.datetime) else value


def task_json(summary) -> dict:
    return {k: iso(v) for k, v in asdict(summary).items()}


def authenticate():
    """Bearer token first; otherwise the session (with its CSRF token on writes)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = api_tokens.lookup(header[7:].strip())
        if token is None:
            raise ApiError(401, "El token no es válido o fue revocado.")
        if token.user_id is None:
            g.actor = Actor.system()
        else:
            user = db.session.get(User, token.user_id)
            if user is None or not user_can_login(user):
                raise ApiError(401, "El usuario del token no está activo.")
            g.actor = runner().actor_for_user(user.id)
        return None
    if request.endpoint == "api.v1.openapi":
        return None
    if not current_user.is_authenticated:
        raise ApiError(401, "Autentíquese con la sesión o con un token (Authorization: Bearer).")
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def require_role(role: str, resource: bool = False) -> Actor:
    """The actor, if it holds ``role``: otherwise 404 for a resource id, 403 for a collection."""
    actor = current_actor()
    if not actor.has_platform_role(role):
        raise (
            ApiError(404, "No existe.")
            if resource
            else ApiError(403, "Su usuario no tiene el rol requerido.")
        )
    return actor


def require_person() -> Actor:
    actor = current_actor()
    if actor.user_id is None:
        raise ApiError(403, "Esta operación requiere un usuario.")
    return actor


def api_error(exc: ApiError):
    headers = {"WWW-Authenticate": 'Bearer realm="secop"'} if exc.status == 401 else None
    return problem(exc.status, exc.message, headers, **exc.extra)


def engine_error(exc: EngineError):
    status = 500
    extra = {}
    for cls, code in ((NotFound, 404), (NotAuthorized, 403), (Conflict, 409), (MessageNotExpected, 404),
                      (DomainError, 422), (FormInvalid, 422), (InvalidInput, 400)):  # fmt: skip
        if isinstance(exc, cls):
            status = code
            break
    if isinstance(exc, FormInvalid):
        extra["errors"] = exc.errors
    if status == 500:
        status = 409  # a step failed: the engine recorded it on the instance
    return problem(status, exc.message, **extra)


def csrf_error(exc):
    return problem(400, "Falta el token CSRF (cabecera X-CSRFToken) de la sesión.")


def body() -> dict:
    """The request's JSON object (400 for anything else: not JSON, too deep, NaN, huge
    numbers; see webui.core.inputs)."""
    try:
        data = request.get_json(silent=False)
    except HTTPException as exc:
        if exc.code == 413:
            raise  # too large is not malformed: the app's 413 problem says so
        data = None
    if not isinstance(data, dict):
        raise ApiError(
            400,
            "El cuerpo debe ser un objeto JSON válido (hasta 32 niveles, sin NaN ni Infinity, "
            "enteros de hasta 64 bits).",
        )
    return data


def openapi():
    """The OpenAPI 3.1 description of this API (public)."""
    path = Path(current_app.static_folder) / "openapi.json"
    return current_app.response_class(path.read_bytes(), mimetype="application/json")


def task(task_id: str):
    """One task: its form schema, UI schema, instructions and prefilled data."""
    view = runner().task(require_person(), task_id)
    return jsonify({
        "task": task_json(view.summary), "schema": view.schema, "uischema": view.uischema,
        "instructions": view.instructions, "documentation": view.documentation, "data": view.data,
        "options": {k: [{"value": v, "label": text} for v, text in opts] for k, opts in view.options.items()},
    })  # fmt: skip


def complete(task_id: str):
    """Submit a task's form data; 422 with per-field errors when invalid."""
    data = body().get("data", {})
    if not isinstance(data, dict):
        raise ApiError(400, "«data» debe ser un objeto.")
    result = runner().complete_task(require_person(), task_id, data)
    return jsonify({
        "instance_id": result.instance_id, "status": result.status,
        "next_tasks": [task_json(t) for t in result.next_tasks],
    })  # fmt: skip


def deliver(name: str):
    """Deliver a message (e.g. activacion_usuario) to its waiting instance: Operador or system token."""
    actor = current_actor()
    if not actor.is_system:
        actor = require_role(OPERATOR)
    payload = body()
    value = payload.get("correlation_value")
    if not isinstance(value, str) or not value:
        raise ApiError(400, "Falta «correlation_value».")
    extra = payload.get("payload")
    extra = {} if extra is None else extra
    if not isinstance(extra, dict):
        raise ApiError(400, "«payload» debe ser un objeto.")
    instance_id = runner().deliver_message(name, value, payload=extra, actor=actor)
    return jsonify({"instance_id": instance_id})





"""Engine errors and HTTP errors mapped once: Spanish pages for browsers, and RFC 9457
problem details (``application/problem+json``) for everything under ``/api``, whatever
went wrong (an unknown URL, a wrong method, an oversized body, a crash)."""

from __future__ import annotations

from flask import jsonify
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from engine.errors import Conflict
from engine.errors import InvalidInput
from engine.errors import NotAuthorized
from engine.errors import NotFound
from engine.errors import TaskClaimed
from webui.core.extensions import db

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"

PAGES = {
    400: (
        "Solicitud no válida",
        "La solicitud no se pudo procesar. Vuelva a la página anterior e inténtelo de nuevo.",
    ),
    403: ("Acceso no permitido", "Su usuario no tiene permiso para ver esta página."),
    404: ("Página no encontrada", "La página que busca no existe o no está disponible para su usuario."),
    405: ("Operación no permitida", "Esta dirección no admite esa operación."),
    409: (
        "La tarea ya no está pendiente",
        "Alguien ya atendió esta tarea o el trámite avanzó. Revise su bandeja.",
    ),
    413: ("Archivo demasiado grande", "Lo enviado (un archivo o los datos) supera el tamaño permitido."),
    500: (
        "Error interno",
        "Ocurrió un error inesperado. Inténtelo de nuevo más tarde o comuníquese con Soporte técnico.",
    ),
}


def problem(status: int, detail: str, headers=None, **extra):
    """An RFC 9457 problem: ``title`` is the HTTP phrase, ``detail`` the Spanish message;
    ``extra`` members (``errors`` per field, checker ``problems``) are extensions."""
    body = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_problem() -> bool:
    return request.path.startswith(API_PREFIX)


def error_page(code: int, message: str | None = None, headers=None, title: str | None = None):
    page_title, default = PAGES.get(code, PAGES[500])
    title = title or page_title
    if wants_problem():
        return problem(code, message or default, headers)
    html = render_template("errors/error.html", title=title, message=message or default, code=code)
    return html, code, headers or {}


def _allow(exc: HTTPException) -> dict:
    """405 keeps its ``Allow`` header (RFC 9110), whatever page or problem carries it."""
    allowed = getattr(exc, "valid_methods", None)
    return {"Allow": ", ".join(sorted(allowed))} if allowed else {}


def http_error(exc: HTTPException):
    code = exc.code or 500
    if code not in PAGES:
        code = 400 if code < 500 else 500
    return error_page(code, headers=_allow(exc))


def init_app(app) -> None:
    @app.errorhandler(NotFound)
    def _not_found(exc):
        return error_page(404)

    @app.errorhandler(NotAuthorized)
    def _not_authorized(exc):
        return error_page(403, exc.message or None)

    @app.errorhandler(InvalidInput)
    def _invalid_input(exc):
        db.session.rollback()
        return error_page(400, exc.message or None)

    @app.errorhandler(Conflict)
    def _conflict(exc):
        return error_page(409, exc.message or None)

    @app.errorhandler(TaskClaimed)
    def _claimed(exc):
        # Still pending, only not this person's now: the page says so, not "ya no está pendiente".
        return error_page(409, exc.message or None, title="Otra persona tiene esta tarea")

    # Every HTTP error (routing redirects are not errors: Flask never hands them here).
    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(500)
    def _internal(exc):
        db.session.rollback()
        return error_page(500)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(
            400, "La sesión del formulario venció. Vuelva a cargar la página e inténtelo de nuevo."
        )

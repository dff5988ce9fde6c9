"""Engine errors and HTTP errors mapped once to Spanish pages."""

from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import CSRFError

from engine.errors import Conflict
from engine.errors import NotAuthorized
from engine.errors import NotFound
from webui.core.extensions import db

PAGES = {
    400: (
        "Solicitud no válida",
        "La solicitud no se pudo procesar. Vuelva a la página anterior e inténtelo de nuevo.",
    ),
    403: ("Acceso no permitido", "Su usuario no tiene permiso para ver esta página."),
    404: ("Página no encontrada", "La página que busca no existe o no está disponible para su usuario."),
    409: (
        "La tarea ya no está pendiente",
        "Alguien ya atendió esta tarea o el trámite avanzó. Revise su bandeja.",
    ),
    413: ("Archivo demasiado grande", "El archivo supera el tamaño permitido."),
    500: (
        "Error interno",
        "Ocurrió un error inesperado. Inténtelo de nuevo más tarde o comuníquese con Soporte técnico.",
    ),
}


def error_page(code: int, message: str | None = None):
    title, default = PAGES.get(code, PAGES[500])
    return render_template("errors/error.html", title=title, message=message or default, code=code), code


def init_app(app) -> None:
    @app.errorhandler(NotFound)
    def _not_found(exc):
        return error_page(404)

    @app.errorhandler(NotAuthorized)
    def _not_authorized(exc):
        return error_page(403, exc.message or None)

    @app.errorhandler(Conflict)
    def _conflict(exc):
        return error_page(409, exc.message or None)

    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, lambda exc, code=code: error_page(code if code in PAGES else 400))

    @app.errorhandler(500)
    def _internal(exc):
        db.session.rollback()
        return error_page(500)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(
            400, "La sesión del formulario venció. Vuelva a cargar la página e inténtelo de nuevo."
        )

"""Configuraciones del usuario (§9): Mis datos de usuario and Accesos del usuario, for the
logged-in person."""

from flask import Blueprint

from webui.people import email_change
from webui.people import sessions
from webui.people import views

bp = Blueprint("people", __name__, url_prefix="/usuario", template_folder="templates")

bp.before_request(views.require_login)
bp.add_url_rule("/", view_func=views.index, methods=["GET"])
bp.add_url_rule("/datos", view_func=views.profile, methods=["GET", "POST"])
bp.add_url_rule("/accesos", view_func=views.access, methods=["GET", "POST"])
bp.add_url_rule("/datos/correo/<token>", "confirm_email", view_func=email_change.confirm, methods=["GET", "POST"])
bp.add_url_rule(
    "/accesos/sesiones/<int:session_id>/cerrar", "close_session", view_func=sessions.close, methods=["POST"]
)
bp.add_url_rule(
    "/accesos/sesiones/cerrar-las-demas",
    "close_other_sessions",
    view_func=sessions.close_others,
    methods=["POST"],
)

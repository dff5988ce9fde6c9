"""Public pages: the home page with "Registro" and "Entrar", Soporte técnico, the anonymous
user registration (§4), its activation link, login, logout and password recovery."""

from flask import Blueprint

from webui.public import auth
from webui.public import views

bp = Blueprint("public", __name__, template_folder="templates")

bp.add_url_rule("/", view_func=views.home, methods=["GET"])
bp.add_url_rule("/soporte-tecnico", view_func=views.support, methods=["GET"])
bp.add_url_rule("/registro", view_func=views.register, methods=["POST"])
bp.add_url_rule("/registro", view_func=views.register_page, methods=["GET"])
bp.add_url_rule("/registro/confirmar", view_func=views.registration_sent, methods=["GET"])
bp.add_url_rule("/entrar", view_func=auth.login, methods=["GET", "POST"])
bp.add_url_rule("/salir", view_func=auth.logout, methods=["POST"])
bp.add_url_rule("/recuperar", view_func=auth.recover, methods=["GET", "POST"])
bp.add_url_rule("/recuperar/<token>", view_func=auth.reset, methods=["GET", "POST"])
bp.add_url_rule("/activar/<token>", view_func=auth.activate, methods=["GET"])
bp.add_url_rule("/activar/<token>/reenviar", view_func=auth.resend, methods=["POST"])

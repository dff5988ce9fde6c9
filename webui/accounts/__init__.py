"""Accounts (§7–§8): choosing the account after "Entrar", the Escritorio, the Directorio of
active accounts and their documents, and "Mis registros" (my access requests)."""

from flask import Blueprint

from webui.accounts import access_requests
from webui.accounts import documents
from webui.accounts import views

bp = Blueprint("accounts", __name__, template_folder="templates")

bp.add_url_rule("/cuenta/", view_func=views.home, methods=["GET"])
bp.add_url_rule("/cuenta/despues-de-entrar", view_func=views.after_login, methods=["GET"])
bp.add_url_rule("/cuenta/elegir", view_func=views.choose, methods=["GET", "POST"])
bp.add_url_rule("/cuenta/directorio", view_func=views.directory, methods=["GET"])
bp.add_url_rule("/cuenta/directorio/<int:account_id>", view_func=views.directory_entry, methods=["GET"])
bp.add_url_rule("/documentos/<public_id>", view_func=documents.download_document, methods=["GET"])
bp.add_url_rule("/usuario/registros", view_func=access_requests.requests, methods=["GET"])
bp.add_url_rule(
    "/usuario/registros/<int:request_id>/cancelar", view_func=access_requests.cancel_request, methods=["POST"]
)

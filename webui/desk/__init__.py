"""The Mesa de Servicio's desk (§7): support cases with their numbers, documents, decisions
and the agent's tasks."""

from flask import Blueprint

from webui.desk import views

bp = Blueprint("desk", __name__, url_prefix="/mesa", template_folder="templates")

bp.before_request(views.agents_only)
bp.add_url_rule("/", view_func=views.cases, methods=["GET"])
bp.add_url_rule("/casos/<int:case_id>", view_func=views.case, methods=["GET"])

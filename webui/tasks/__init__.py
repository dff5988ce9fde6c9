"""The inbox and the task pages: every pending user task is a form drawn from its JSON
Schema (render.py); posting it is one Runner call."""

from flask import Blueprint

from webui.tasks import holders
from webui.tasks import queues
from webui.tasks import views

bp = Blueprint("tasks", __name__, url_prefix="/tareas", template_folder="templates")
bp.context_processor(lambda: {"queued": queues.queued, "holding": holders.panel})

bp.add_url_rule("/", view_func=views.inbox, methods=["GET"])
bp.add_url_rule("/iniciar/<process_id>", view_func=views.start, methods=["POST"])
bp.add_url_rule("/<task_id>", view_func=views.task, methods=["GET"])
bp.add_url_rule("/<task_id>", view_func=views.complete, methods=["POST"])
bp.add_url_rule("/<task_id>/tomar", view_func=views.claim, methods=["POST"])
bp.add_url_rule("/<task_id>/descartar", view_func=views.discard, methods=["GET", "POST"])
bp.add_url_rule("/<task_id>/liberar", view_func=views.release, methods=["POST"])
bp.add_url_rule("/<task_id>/reasignar", view_func=holders.reassign, methods=["POST"])
bp.add_url_rule("/<task_id>/quitar", view_func=holders.unclaim, methods=["POST"])
bp.add_url_rule("/<task_id>/opciones/<field>", view_func=views.options, methods=["GET"])

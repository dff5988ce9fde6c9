"""JSON for machines: the documented API v1 (static/openapi.json) under /api/v1 with its own
authentication (session or Bearer token) and JSON errors. (The pages' option lists are
served by the task they belong to: webui.tasks.)"""

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from engine.errors import EngineError
from webui.api import v1
from webui.api import v1_drafts
from webui.api import v1_ops
from webui.api import v1_tasks

bp = Blueprint("api", __name__, url_prefix="/api")

v1_bp = Blueprint("v1", __name__, url_prefix="/v1")
v1_bp.before_request(v1.authenticate)
v1_bp.register_error_handler(v1.ApiError, v1.api_error)
v1_bp.register_error_handler(EngineError, v1.engine_error)
v1_bp.register_error_handler(CSRFError, v1.csrf_error)
v1_bp.add_url_rule("/openapi.json", view_func=v1.openapi, methods=["GET"])
v1_bp.add_url_rule("/tasks", view_func=v1_tasks.tasks, methods=["GET"])
v1_bp.add_url_rule("/tasks/<task_id>", view_func=v1.task, methods=["GET"])
v1_bp.add_url_rule("/tasks/<task_id>/complete", view_func=v1.complete, methods=["POST"])
v1_bp.add_url_rule("/tasks/<task_id>/claim", view_func=v1_tasks.claim, methods=["POST"])
v1_bp.add_url_rule("/tasks/<task_id>/release", view_func=v1_tasks.release, methods=["POST"])
v1_bp.add_url_rule("/tasks/<task_id>/reassign", view_func=v1_tasks.reassign, methods=["POST"])
v1_bp.add_url_rule("/tasks/<task_id>/unclaim", view_func=v1_tasks.unclaim, methods=["POST"])
v1_bp.add_url_rule("/processes/<process_id>/instances", view_func=v1_tasks.start, methods=["POST"])
v1_bp.add_url_rule("/messages/<name>", view_func=v1.deliver, methods=["POST"])
v1_bp.add_url_rule("/processes", view_func=v1_ops.processes, methods=["GET"])
v1_bp.add_url_rule("/processes/<process_id>/versions", view_func=v1_ops.process_versions, methods=["GET"])
v1_bp.add_url_rule("/processes/<process_id>/versions", view_func=v1_ops.deploy, methods=["POST"])
v1_bp.add_url_rule("/processes/<process_id>/draft", view_func=v1_drafts.draft, methods=["GET"])
v1_bp.add_url_rule("/processes/<process_id>/draft", endpoint="save_draft", view_func=v1_drafts.save, methods=["PUT"])
v1_bp.add_url_rule("/processes/<process_id>/draft/deploy", endpoint="deploy_draft", view_func=v1_drafts.deploy, methods=["POST"])
v1_bp.add_url_rule("/processes/<process_id>/draft/discard", endpoint="discard_draft", view_func=v1_drafts.discard, methods=["POST"])
v1_bp.add_url_rule("/processes/<process_id>/heatmap", view_func=v1_ops.heatmap, methods=["GET"])
v1_bp.add_url_rule("/versions/<int:version_id>", view_func=v1_ops.version, methods=["GET"])
v1_bp.add_url_rule("/versions/<int:version_id>/files/<path:name>", view_func=v1_ops.version_file, methods=["GET"])
v1_bp.add_url_rule("/instances", view_func=v1_ops.instances, methods=["GET"])
v1_bp.add_url_rule("/instances/<int:instance_id>", view_func=v1_ops.instance, methods=["GET"])
v1_bp.add_url_rule("/instances/<int:instance_id>/cancel", view_func=v1_ops.cancel, methods=["POST"])
v1_bp.add_url_rule("/instances/<int:instance_id>/retry", view_func=v1_ops.retry, methods=["POST"])
v1_bp.add_url_rule("/instances/<int:instance_id>/variables", view_func=v1_ops.edit_variables, methods=["POST"])
v1_bp.add_url_rule("/instances/<int:instance_id>/suspend", view_func=v1_ops.suspend, methods=["POST"])
v1_bp.add_url_rule("/instances/<int:instance_id>/resume", view_func=v1_ops.resume, methods=["POST"])
v1_bp.add_url_rule("/incidents", view_func=v1_ops.incidents, methods=["GET"])
v1_bp.add_url_rule("/incidents/<int:incident_id>/retry", view_func=v1_ops.retry_incident, methods=["POST"])
v1_bp.add_url_rule("/migrations", view_func=v1_ops.migrations, methods=["POST"])
bp.register_blueprint(v1_bp)

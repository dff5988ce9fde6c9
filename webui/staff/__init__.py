"""The platform's staff: analysts (process models), operators (instances) and platform
administrators (roles). One blueprint per role, each guarded by it, under ``staff``."""

from flask import Blueprint

from engine.operations import COUNT_CAP
from webui.staff import admin
from webui.staff import dashboard
from webui.staff import decisions
from webui.staff import drafts
from webui.staff import incidents
from webui.staff import instance_actions
from webui.staff import instances
from webui.staff import models
from webui.staff import play
from webui.staff import workbench

bp = Blueprint("staff", __name__, template_folder="templates")

models_bp = Blueprint("models", __name__, url_prefix="/modelos")
# versions tables: an instance count past the cap reads "más de 10.000"
models_bp.add_app_template_global(COUNT_CAP, "COUNT_CAP")
models_bp.before_request(models.analysts_only)
models_bp.add_url_rule("/", view_func=models.index, methods=["GET"])
models_bp.add_url_rule("/<process_id>", view_func=models.process, methods=["GET"])
models_bp.add_url_rule("/<process_id>/subir", view_func=models.upload, methods=["POST"])
models_bp.add_url_rule("/<process_id>/modelador", view_func=models.modeler, methods=["GET"])
models_bp.add_url_rule("/<process_id>/modelador", view_func=drafts.save, methods=["POST"])
models_bp.add_url_rule("/<process_id>/borrador", view_func=drafts.draft, methods=["GET"])
models_bp.add_url_rule("/<process_id>/borrador/archivos/<path:name>", view_func=drafts.draft_file, methods=["GET"])
models_bp.add_url_rule(
    "/<process_id>/borrador/desplegar", "deploy_draft", view_func=drafts.deploy, methods=["POST"]
)
models_bp.add_url_rule(
    "/<process_id>/borrador/descartar", "discard_draft", view_func=drafts.discard, methods=["POST"]
)
models_bp.add_url_rule("/<process_id>/probar", "play", view_func=play.page, methods=["GET"])
models_bp.add_url_rule("/<process_id>/probar/iniciar", "play_start", view_func=play.start, methods=["POST"])
models_bp.add_url_rule("/<process_id>/probar/terminar", "play_stop", view_func=play.stop, methods=["POST"])
models_bp.add_url_rule(
    "/<process_id>/probar/tareas/<task>", "play_complete", view_func=play.complete, methods=["POST"]
)
models_bp.add_url_rule("/<process_id>/probar/mensaje", "play_deliver", view_func=play.deliver, methods=["POST"])
models_bp.add_url_rule("/<process_id>/probar/temporizador", "play_fire", view_func=play.fire, methods=["POST"])
models_bp.add_url_rule("/<process_id>/probar/escenario", "play_save", view_func=play.save, methods=["POST"])
models_bp.add_url_rule(
    "/<process_id>/probar/escenario/borrar", "play_delete", view_func=play.delete_scenario, methods=["POST"]
)
models_bp.add_url_rule(
    "/<process_id>/probar/escenarios/<name>.json", "play_download", view_func=play.download_scenario,
    methods=["GET"],
)
models_bp.add_url_rule(
    "/<process_id>/probar/tareas/<task>/opciones/<field>", "play_options", view_func=play.options,
    methods=["GET"],
)
models_bp.add_url_rule("/versiones/<int:version_id>", view_func=models.version, methods=["GET"])
models_bp.add_url_rule(
    "/versiones/<int:version_id>/archivos/<path:name>", view_func=models.download, methods=["GET"]
)
models_bp.add_url_rule("/versiones/<int:version_id>/restaurar", view_func=models.restore, methods=["POST"])
models_bp.add_url_rule("/versiones/<int:version_id>/paquete.zip", view_func=models.package, methods=["GET"])
models_bp.add_url_rule("/catalogo", view_func=workbench.catalog, methods=["GET"])
models_bp.add_url_rule("/formularios/vista-previa", view_func=workbench.form_preview, methods=["POST"])
models_bp.add_url_rule("/decisiones/probar", view_func=decisions.try_decision, methods=["POST"])
models_bp.add_url_rule("/<process_id>/decisiones", view_func=decisions.decisions, methods=["GET"])
models_bp.add_url_rule(
    "/<process_id>/decisiones/<name>", view_func=decisions.decision_editor, methods=["GET"]
)
models_bp.add_url_rule("/<process_id>/decisiones/<name>", view_func=decisions.save_decision, methods=["POST"])
models_bp.add_url_rule("/<process_id>/formularios", view_func=workbench.forms, methods=["GET"])
models_bp.add_url_rule("/<process_id>/verificar", view_func=workbench.check_bundle, methods=["POST"])
models_bp.add_url_rule("/<process_id>/formularios/editor", view_func=workbench.form_editor, methods=["GET"])
models_bp.add_url_rule("/<process_id>/formularios/editor", view_func=workbench.save_form, methods=["POST"])

instances_bp = Blueprint("instances", __name__, url_prefix="/instancias")
instances_bp.before_request(instances.operators_only)
instances_bp.add_app_template_global(instance_actions.EVENT_KINDS, "EVENT_KINDS")
instances_bp.add_url_rule("/", view_func=instances.index, methods=["GET"])
instances_bp.add_url_rule("/tablero", view_func=dashboard.dashboard, methods=["GET"])
instances_bp.add_url_rule("/incidentes", "incidents", view_func=incidents.index, methods=["GET"])
instances_bp.add_url_rule("/<int:instance_id>", view_func=instances.show, methods=["GET"])
instances_bp.add_url_rule(
    "/procesos/<process_id>/mapa-de-calor", view_func=instances.heatmap, methods=["GET"]
)
instances_bp.add_url_rule("/<int:instance_id>/cancelar", view_func=instance_actions.cancel, methods=["POST"])
instances_bp.add_url_rule("/<int:instance_id>/reintentar", view_func=instance_actions.retry, methods=["POST"])
instances_bp.add_url_rule(
    "/<int:instance_id>/datos", view_func=instance_actions.edit_variables, methods=["POST"]
)
instances_bp.add_url_rule(
    "/<int:instance_id>/suspender", view_func=instance_actions.suspend, methods=["POST"]
)
instances_bp.add_url_rule("/<int:instance_id>/reanudar", view_func=instance_actions.resume, methods=["POST"])
instances_bp.add_url_rule("/<int:instance_id>/omitir", view_func=instance_actions.skip, methods=["POST"])
instances_bp.add_url_rule("/<int:instance_id>/mover", view_func=instance_actions.move, methods=["POST"])
instances_bp.add_url_rule("/<int:instance_id>/llamados/<task_id>", view_func=instances.called, methods=["GET"])
instances_bp.add_url_rule("/migrar", view_func=instance_actions.migration_check, methods=["GET"])
instances_bp.add_url_rule("/migrar", view_func=instance_actions.migrate, methods=["POST"])

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_bp.before_request(admin.admins_only)
admin_bp.add_url_rule("/roles", view_func=admin.roles, methods=["GET"])
admin_bp.add_url_rule("/roles", view_func=admin.change_role, methods=["POST"])

for child in (models_bp, instances_bp, admin_bp):
    bp.register_blueprint(child)

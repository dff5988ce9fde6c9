"""Helpers the task views share: staging uploads, rendering a task, choosing where to go next."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from engine.domain.models import SupportCase
from engine.errors import NotFound
from engine.errors import UploadRefused
from webui.core.extensions import db
from webui.core.formrender import bind
from webui.core.formrender import summary
from webui.core.identity import current_actor
from webui.core.identity import runner

DONE_MESSAGES = {
    "completed": "Listo: el trámite terminó.",
    "running": "Listo: su información fue enviada.",
}


def stage_uploads(actor, task_id: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Hand every uploaded file to the engine, each checked and kept in a transaction of its
    own before the post itself: (slot -> staged document id, slot -> why it was refused)."""
    staged: dict[str, str] = {}
    refused: dict[str, list[str]] = {}
    for slot, upload in request.files.items():
        if not upload.filename:
            continue
        try:
            document = runner().stage_document(actor, task_id, slot, upload.filename, upload.read())
        except UploadRefused as exc:
            refused[slot] = [exc.message or "El documento no fue aceptado."]
        except NotFound:
            continue  # not a file slot of this form: nothing to keep
        else:
            staged[slot] = document["id"]
    return staged, refused


def render_task(view, status=200):
    """Draw a task page: instructions, the form (or a lone "Continuar"), and errors."""
    fields = bind(view, lambda name: url_for("tasks.options", task_id=view.summary.id, field=name))
    html = render_template(
        "tasks/task.html",
        view=view,
        form=view.form,
        fields=fields,
        summary=summary(fields, view.errors) if view.errors else [],
        title=view.summary.title,
    )
    return html, status


SENT_TO_MESA = "Su solicitud fue enviada a la Mesa de Servicio. Número de caso: {case_number}."
# What the guide says happens after some steps ({placeholders} read the instance data).
DONE_BY_TASK = {
    "anexar_documentos": "La cuenta de la Entidad Estatal quedó registrada correctamente para su posterior "
    "activación (estado «Pendiente de activación»).",
    "solicitar_activacion": SENT_TO_MESA,
    "solicitar_perfil_mixto": SENT_TO_MESA,
    "solicitar_acceso": "Su solicitud de acceso quedó «Esperando aprobación». Comuníquese con el Usuario "
    "Administrador de la cuenta para que la acepte.",
    "esperando_aprobacion": "Su solicitud de acceso fue enviada y quedó «Esperando aprobación». Comuníquese "
    "con el Usuario Administrador de la cuenta para que la acepte; la decisión le llegará por correo.",
    "validar_documentos": "La decisión quedó registrada en el caso {case_number}.",
    "corregir_documentos": "Los documentos corregidos fueron enviados a la Mesa de Servicio.",
    "revisar_solicitud_acceso": "La decisión quedó registrada y el usuario recibirá un correo.",
    "registrar_llamada": "La solicitud telefónica quedó registrada con el número de caso {case_number}: "
    "déselo a quien llama para que haga seguimiento.",
}


def _case_number(result) -> str:
    case = (result.data or {}).get("support_case") or {}
    if case.get("number"):
        return case["number"]
    number = db.session.scalar(select(SupportCase.number).where(SupportCase.instance_id == result.instance_id)
                               .order_by(SupportCase.id.desc()).limit(1))  # fmt: skip
    return number or "—"


def done_message(result, task_name: str | None) -> str:
    template = DONE_BY_TASK.get(task_name or "")
    if template:
        try:
            return template.format(case_number=_case_number(result) if "{case_number}" in template else "")
        except (KeyError, IndexError):
            pass
    return DONE_MESSAGES.get(result.status, DONE_MESSAGES["running"])


def after_completion(result):
    """Go on to the actor's next task of the same instance, else home with a message; when
    an automatic step after the form failed, say that what was sent is kept (an incident)."""
    if result.status == "error" and not result.next_tasks:
        return render_template("tasks/received.html", result=result, completed=result.completed,
                               title="Su información fue recibida")  # fmt: skip
    process_id = result.completed.process_id if result.completed else None
    task_name = result.completed.name if result.completed else None
    next_tasks = result.next_tasks
    if next_tasks:
        if DONE_BY_TASK.get(task_name or ""):
            flash(done_message(result, task_name), "success")
        return redirect(url_for("tasks.task", task_id=next_tasks[0].id))
    notice = (result.data or {}).get("user_notice") if result.status == "completed" else None
    if notice and current_user.is_authenticated:
        # The diagram ended the procedure and says why in ``user_notice`` (docs/diagrams.md).
        flash(str(notice), "warning")
        return redirect(url_for("accounts.home"))
    if not current_user.is_authenticated:
        if process_id == "registro_usuario":
            return redirect(url_for("public.registration_sent"))
        flash(done_message(result, task_name), "success")
        return redirect(url_for("public.home"))
    flash(done_message(result, task_name), "success")
    return redirect(url_for("accounts.home"))


def first_task_of(instance_id, actor=None):
    """The first task of ``instance_id`` this actor may work now, or None."""
    tasks = runner().inbox(actor or current_actor(), instance_id=instance_id)
    return tasks[0] if tasks else None

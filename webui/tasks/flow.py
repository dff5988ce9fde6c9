"""Helpers the task views share: staging uploads, rendering a task, choosing where to go next."""

from __future__ import annotations

from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from engine.domain.models import SupportCase
from engine.errors import UploadRefused
from webui.core.extensions import db
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.tasks.documents import stored_filenames
from webui.tasks.render import STAGED_NAME_SUFFIX
from webui.tasks.render import TaskForm

DONE_MESSAGES = {
    "completed": "Listo: el trámite terminó.",
    "running": "Listo: su información fue enviada.",
}


def stage_uploads(task_id: str, form: TaskForm):
    """Hand every uploaded file to the engine first; return (ids, filenames, errors)."""
    staged: dict[str, object] = {}
    names: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for f in form.fields:
        if f.widget != "file":
            continue
        upload = request.files.get(f.name)
        if upload is None or not upload.filename:
            continue
        try:
            doc = runner().stage_document(current_actor(), task_id, f.name, upload.filename, upload.read())
        except UploadRefused as exc:
            errors[f.name] = [exc.message or "El documento no fue aceptado."]
            continue
        staged[f.name] = doc["id"]
        names[f.name] = doc.get("filename") or upload.filename
    return staged, names, errors


def has_uploads() -> bool:
    return any(upload.filename for upload in request.files.values())


def document_names(form: TaskForm, uploaded: dict[str, str]) -> dict[str, str]:
    """File names to show again on a redrawn form: uploaded now, or kept from a former try."""
    kept = {
        f.name: request.form[f.name + STAGED_NAME_SUFFIX]
        for f in form.fields
        if f.widget == "file" and request.form.get(f.name + STAGED_NAME_SUFFIX)
    }
    return {**kept, **uploaded}


def dependent_options(form: TaskForm, task_id: str, data: dict) -> None:
    """Options of fields that depend on another (municipality after department), computed
    from what the user has chosen so far; without a choice yet, every option, labelled with
    its group, so the form still works without JavaScript."""
    actor = current_actor()
    for f in form.fields:
        if not (f.depends_on and f.options_source):
            continue
        chosen = data.get(f.depends_on)
        if chosen:
            f.options = runner().task_options(actor, task_id, f.name, {f.depends_on: str(chosen)})
            continue
        control = next((c for c in form.fields if c.name == f.depends_on), None)
        f.options = [
            (value, f"{label} ({group_label})")
            for group, group_label in (control.options if control else [])
            for value, label in runner().task_options(actor, task_id, f.name, {f.depends_on: group})
        ]


def render_task(view, data=None, errors=None, staged_names=None, status=200):
    """Draw a task page: instructions, the form (or a lone "Continuar"), and errors."""
    form = TaskForm(view.schema, view.uischema, view.options)
    errors = errors or {}
    data = view.data if data is None else data
    dependent_options(form, view.summary.id, data)
    fields = form.bind(data, errors, {**stored_filenames(form, data), **(staged_names or {})})
    for f in fields:
        if f.options_source:  # the page's script asks the task itself for this field's list
            f.options_url = url_for("tasks.options", task_id=view.summary.id, field=f.name)
    html = render_template(
        "tasks/task.html",
        view=view,
        form=form,
        fields=fields,
        summary=form.summary(errors) if errors else [],
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
    "validar_documentos": "La decisión quedó registrada en el caso {case_number}.",
    "corregir_documentos": "Los documentos corregidos fueron enviados a la Mesa de Servicio.",
    "revisar_solicitud_acceso": "La decisión quedó registrada y el usuario recibirá un correo.",
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


def after_completion(result, process_id: str | None = None, task_name: str | None = None):
    """Go on to the actor's next task of the same instance, else home with a message."""
    next_tasks = result.next_tasks
    if not next_tasks and current_user.is_authenticated:
        # The step may have just given this user a role (e.g. Administrador of the account
        # registered now): ask again with fresh memberships.
        g.pop("actor", None)
        next_tasks = runner().inbox(current_actor(), instance_id=result.instance_id)
    if next_tasks:
        message = DONE_BY_TASK.get(task_name or "")
        if message and "{" not in message:
            flash(message, "success")
        return redirect(url_for("tasks.task", task_id=next_tasks[0].id))
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

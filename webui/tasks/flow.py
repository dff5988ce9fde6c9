"""Helpers the task views share: staging uploads, rendering a task, choosing where to go next."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from engine.errors import NotFound
from engine.errors import UploadRefused
from webui.core.formrender import bind
from webui.core.formrender import summary
from webui.core.identity import runner
from webui.core.procedures import started_anonymously

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


def done_message(result) -> str:
    """What the diagram tells the person (doneMessage / endMessage), else a general word."""
    return result.message or DONE_MESSAGES.get(result.status, DONE_MESSAGES["running"])


def after_completion(result):
    """Go on to the actor's next task of the same instance, else home with a message; when
    an automatic step after the form failed, say that what was sent is kept (an incident)."""
    if result.status == "error" and not result.next_tasks:
        return render_template("tasks/received.html", result=result, completed=result.completed,
                               title="Su información fue recibida")  # fmt: skip
    process_id = result.completed.process_id if result.completed else None
    if result.next_tasks:
        if result.message:
            flash(result.message, "success")
        return redirect(url_for("tasks.task", task_id=result.next_tasks[0].id))
    notice = (result.data or {}).get("user_notice") if result.status == "completed" else None
    if notice and current_user.is_authenticated:
        # The diagram ended the procedure and says why in ``user_notice`` (docs/diagrams.md).
        flash(str(notice), "warning")
        return redirect(url_for("accounts.home"))
    if not current_user.is_authenticated:
        if started_anonymously(process_id):  # a registrant's part is done: check the email
            return redirect(url_for("public.registration_sent"))
        flash(done_message(result), "success")
        return redirect(url_for("public.home"))
    flash(done_message(result), "success")
    return redirect(url_for("accounts.home"))

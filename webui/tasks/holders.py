"""Who holds a task: the panel of a task page (who has it since when, and what this person
may do about it) and its forms: "Delegar"/"Reasignar" and a supervisor's "Quitar"."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from engine.errors import FormInvalid
from engine.errors import NotFound
from engine.lanes import supervises
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.people import full_names
from webui.core.people import user_id_for
from webui.tasks.queues import queued


def panel(summary, works: bool = True) -> dict:
    """What the task page shows about who holds ``summary`` and which actions it offers;
    ``works``: this person may work the task (false on a supervisor's page of it)."""
    actor = current_actor()
    me = current_user.id if current_user.is_authenticated else None
    supervisor = supervises(actor, summary, runner().tasks.supervision)
    holder = summary.claimed_by
    mine = holder is not None and holder == me
    shared = summary.role is not None and (holder is not None or summary.id in queued([summary]))
    # Its holder, or anyone who may work it while nobody holds it, delegates; a supervisor reassigns.
    delegates = works and summary.role is not None and holder in (None, me)
    can_pass = me is not None and (delegates or supervisor)
    return {
        "holder": holder,
        "holder_name": full_names([holder]).get(holder, "otra persona") if holder else None,
        "mine": mine,
        "others": holder is not None and not mine,  # no form: it is not this person's to send now
        "supervisor": supervisor,
        "shared": shared or supervisor,
        "can_claim": works and shared and holder is None,
        "can_unclaim": supervisor and holder is not None and not mine,
        "can_pass": can_pass,
        "reassigning": can_pass and not delegates,  # a supervisor's act: the reason is required
        "candidates": runner().task_candidates(actor, summary.id) if can_pass else [],
    }


def supervise(task_id: str):
    """A task of a queue this person supervises but may not work: who has it, no form."""
    summary = runner().supervised_task(current_actor(), task_id)  # NotFound for anyone else
    return render_template("tasks/supervise.html", held=summary, holding=panel(summary, works=False),
                           title=summary.title)  # fmt: skip


def _back(task_id: str):
    return redirect(url_for("tasks.task", task_id=task_id))


def _flash_errors(exc: FormInvalid) -> None:
    for messages in exc.errors.values():
        for message in messages:
            flash(message, "error")


@login_required
def reassign(task_id: str):
    """Hand the task to the person named: its holder delegates, a supervisor reassigns."""
    user_id = user_id_for(request.form.get("usuario"))  # None: refused by the engine, after who asks
    try:
        summary = runner().reassign(current_actor(), task_id, user_id, request.form.get("motivo"))
    except FormInvalid as exc:
        _flash_errors(exc)
        return _back(task_id)
    flash(f"La tarea quedó a cargo de {full_names([summary.claimed_by])[summary.claimed_by]}.", "success")
    try:
        runner().task(current_actor(), task_id)
    except NotFound:  # handed away and no longer this person's to see
        return redirect(url_for("tasks.inbox"))
    return _back(task_id)


@login_required
def unclaim(task_id: str):
    """A supervisor takes the task back from whoever holds it: it returns to its queue."""
    try:
        runner().unclaim(current_actor(), task_id, request.form.get("motivo"))
    except FormInvalid as exc:
        _flash_errors(exc)
        return _back(task_id)
    flash("La tarea volvió a su cola: cualquiera con el rol puede tomarla.", "success")
    return _back(task_id)

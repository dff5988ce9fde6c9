"""Task inbox and task pages: list, claim/release, open a form, complete it, start a procedure."""

from __future__ import annotations

import datetime as dt

from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from engine.errors import DomainError
from engine.errors import FormInvalid
from engine.errors import FormRejected
from engine.errors import NotAuthorized
from engine.errors import NotFound
from engine.inbox import DUE_FILTERS
from engine.inbox import ORDERS
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.people import full_names
from webui.core.policy import OPERATOR
from webui.core.policy import has_role
from webui.core.redirects import safe_next
from webui.tasks import holders
from webui.tasks.flow import after_completion
from webui.tasks.flow import render_task
from webui.tasks.flow import stage_uploads
from webui.tasks.queues import queued
from webui.tasks.queues import supervision_views

STEP_FAILED = (
    "No fue posible completar este paso por un error del sistema. Lo que escribió sigue en el "
    "formulario: inténtelo de nuevo en unos minutos y, si el error continúa, comuníquese con "
    "Soporte técnico."
)
OPTIONS_LIMIT = 50  # per keystroke of an autocomplete
OPTIONS_CAP = 2000  # a whole list (no ``q``): a dependent select's choices


@login_required
def inbox():
    """My tasks and the queues of my roles, with filters; a supervisor's queues, and the tasks
    nobody can work for platform supervisors."""
    actor = current_actor()
    process = request.args.get("proceso") or None
    view = request.args.get("vista", "todas")
    due = request.args.get("vencimiento") if request.args.get("vencimiento") in DUE_FILTERS else None
    order = request.args.get("orden") if request.args.get("orden") in ORDERS else None
    query = (request.args.get("q") or "").strip().casefold()
    if view == "supervision":
        tasks = runner().supervised_tasks(actor, process_id=process, due=due, order=order)
    elif view == "sin_responsable":
        tasks = runner().unworkable_tasks(actor)
    else:
        tasks = runner().inbox(actor, process_id=process, due=due, order=order)
    # The process filter lists the processes of the whole inbox: the list just read when
    # nothing narrowed it (one read instead of two for the default page).
    narrowed = view in ("supervision", "sin_responsable") or process or due or order
    whole = None if narrowed else tasks
    if view in ("mias", "cola"):
        in_queue = queued(tasks)
        if view == "mias":  # mine: claimed by me, or nobody else could work it
            tasks = [t for t in tasks if t.claimed_by == current_user.id or t.id not in in_queue]
        else:
            tasks = [t for t in tasks if t.id in in_queue and t.claimed_by is None]
    if query:
        tasks = [t for t in tasks if query in f"{t.title or ''} {t.subject or ''}".casefold()]
    processes = sorted({t.process_id for t in (whole if whole is not None else runner().inbox(actor))})
    return render_template(
        "tasks/inbox.html",
        tasks=tasks,
        processes=processes,
        process=process,
        view=view,
        due=due,
        order=order or "creada",
        supervises=supervision_views(actor),
        holders=full_names(t.claimed_by for t in tasks),
        q=request.args.get("q", ""),
        now=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        # Operators see how many failed steps wait for them (the queue is /instancias/incidentes).
        incidents=runner().open_incident_count() if has_role(OPERATOR) else None,
        title="Bandeja de tareas",
    )


@login_required
def claim(task_id: str):
    """Take a queued task so nobody else works it at the same time."""
    runner().claim(current_actor(), task_id)
    flash("Tomó la tarea. Ahora solo usted puede atenderla.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("tasks.task", task_id=task_id))


@login_required
def release(task_id: str):
    """Give a claimed task back to its queue."""
    runner().release(current_actor(), task_id)
    flash("Liberó la tarea: vuelve a la cola de su rol.", "success")
    return redirect(url_for("tasks.inbox"))


def task(task_id: str):
    """Show one task's form (anonymous browsers reach only the tasks they started); a
    supervisor of its queue who may not work it sees who has it instead."""
    try:
        view = runner().task(current_actor(), task_id)
    except NotFound:
        if not current_user.is_authenticated:
            raise
        return holders.supervise(task_id)  # NotFound again for anyone else
    return render_task(view)


def complete(task_id: str):
    """Complete a task: stage its uploads, then hand the raw post to the Runner in one call."""
    return submit(current_actor(), task_id)


def submit(actor, task_id: str):
    """The post of this request as the form of ``task_id``: on to what comes next, or the page
    again with its errors (nothing typed is lost)."""
    # The whole body is read here, before the step's transaction: a slow client must never
    # hold the instance's row lock (CSRF checking has usually read it already).
    posted = request.form
    staged, refused = stage_uploads(actor, task_id)
    try:
        result = runner().complete_task(actor, task_id, posted, staged, refused)
    except FormRejected as rejected:
        if rejected.step_failed:  # a service or script of the diagram failed: operators see it
            rejected.view.errors = {"": [STEP_FAILED]}
            return render_task(rejected.view, status=500)
        return render_task(rejected.view, status=422)
    except DomainError as exc:  # refused before the form was read: nothing to draw again
        flash(exc.message, "error")
        return redirect(url_for("tasks.task", task_id=task_id))
    return after_completion(result)


def options(task_id: str, field: str):
    """A field's options for the page's script (autocomplete, municipality after department):
    only for a task this browser may work, as the task page itself (``?q=`` filters by label;
    other arguments are the values filled in so far)."""
    filled = {k: v for k, v in request.args.items() if k != "q"}
    items = runner().task_options(current_actor(), task_id, field, filled)  # NotFound -> 404
    query = (request.args.get("q") or "").strip().casefold()
    if query:
        items = [item for item in items if query in item[1].casefold()]
    items = items[: OPTIONS_LIMIT if query else OPTIONS_CAP]
    return jsonify([{"value": value, "label": label} for value, label in items])


# Fields of a start post that are not the first task's form.
START_FIELDS = {"csrf_token", "account_id"}


@login_required
def start(process_id: str):
    """Start a procedure its diagram lets this person begin by hand (``startableBy``) and
    open its first task; one started for an account names it in ``account_id``. A post that
    carries that task's fields too (the start page's "Validar") also submits them."""
    account_id = request.form.get("account_id", type=int)
    actor = current_actor()
    try:
        started = runner().start_by_hand(process_id, actor, account_id)
    except (NotFound, NotAuthorized, FormInvalid):  # nothing this person may start: nothing there
        abort(404)
    nxt = started.next_tasks[0] if started.next_tasks else None
    if started.resumed:  # one of this procedure is unfinished: back to it, nothing new
        flash(RESUMED, "info")
        return redirect(url_for("tasks.task", task_id=nxt.id))
    if nxt is None:
        flash("Su solicitud fue registrada.", "success")
        return redirect(url_for("accounts.home"))
    if set(request.form) - START_FIELDS:
        return submit(actor, nxt.id)
    return redirect(url_for("tasks.task", task_id=nxt.id))


@login_required
def discard(task_id: str):
    """ "Descartar" an unfinished procedure of one's own (issue 13.8): a confirmation page,
    then the engine cancels the instance (only its owner, from a task of their own lane)."""
    actor = current_actor()
    if request.method == "POST":
        # The engine checks it in the discard's own transaction (actions.Discard.locate):
        # NotFound (404, as the page) for a task not theirs or not of the owner's lane;
        # Conflict: shown by webui.core.errors.
        runner().discard(actor, task_id)
        flash(DISCARDED, "success")
        return redirect(url_for("accounts.home"))
    view = runner().task(actor, task_id)  # NotFound (404) for a task that is not theirs
    if view.summary.lane_kind != "owner":
        abort(404)
    return render_template("tasks/discard.html", view=view, title="¿Descartar este trámite?")


RESUMED = (
    "Ya tiene este trámite sin terminar: continúe donde lo dejó. Si ya no lo necesita, "
    "puede «Descartar» el trámite desde su página de inicio."
)
DISCARDED = (
    "Descartó el trámite: no quedó guardado nada de lo que diligenció ni los documentos que anexó "
    "sin enviar. Puede empezarlo de nuevo cuando quiera."
)

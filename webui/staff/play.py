"""«Probar el borrador» (issue 16.4): an analyst runs the process's draft (else its live
version) in a sandbox that touches no real data — starts it, fills each task's form drawn by
the inbox's own form renderer, delivers the messages it waits for, fires its timers — sees
the token move on the diagram and the decision rows each business rule task matched, and
saves the run as a scenario test that runs before every deploy (engine.play).

Analysts only (the models blueprint's guard); every post carries the CSRF token. The play is
kept per process and analyst in the database, so any server process answers any request."""

from __future__ import annotations

import json
import re
import unicodedata

from flask import Response
from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.play import PlayState
from webui.core.formrender import bind
from webui.core.formrender import summary
from webui.core.identity import runner
from webui.staff.common import element_names

OPTIONS_CAP = 2000
STATUS_LABELS = {"running": "En curso", "completed": "Terminó", "error": "Falló un paso automático",
                 "cancelled": "Cancelado", "suspended": "Suspendido"}  # fmt: skip


def _process_or_404(process_id: str):
    versions = runner().versions(process_id)
    if not versions:
        abort(404)
    return versions[0][0]


def _source_xml(process_id: str, latest) -> str:
    draft = runner().drafts.get(process_id)
    files = draft.files if draft is not None else latest.files
    return files.get(latest.source_file, "")


def page(process_id: str, state=None, status: int = 200, error: str | None = None, name: str = ""):
    """The play: the diagram with the token, the waiting task's form, what decisions matched."""
    latest = _process_or_404(process_id)
    plays = runner().plays
    if state is None:
        try:
            state = plays.show(process_id, current_user.id, focus=request.args.get("tarea"))
        except Conflict as exc:  # the draft has the checker's problems: nothing can run
            state, error = PlayState(process_id, [], started=False), exc.message
    view = state.page
    xml = _source_xml(process_id, latest)
    fields = []
    if view is not None and view.form is not None:
        task = view.summary.name
        fields = bind(view, lambda field: url_for("staff.models.play_options", process_id=process_id,
                                                  task=task, field=field))  # fmt: skip
    return render_template(
        "staff/models/play.html", process_id=process_id, state=state, view=view, fields=fields,
        summary=summary(fields, view.errors) if view is not None and view.errors else [],
        draft=runner().drafts.get(process_id), xml=xml, names=element_names(xml),
        saved=plays.saved([process_id]), statuses=STATUS_LABELS, error=error, name=name,
        title=f"Probar el borrador de {process_id}",
    ), status  # fmt: skip


def start(process_id: str):
    _process_or_404(process_id)
    try:
        runner().plays.start(process_id, current_user.id)
    except Conflict as exc:
        return page(process_id, status=409, error=exc.message)
    flash("Se inició una prueba nueva en un entorno aparte: no toca datos reales.", "success")
    return redirect(url_for("staff.models.play", process_id=process_id))


def stop(process_id: str):
    _process_or_404(process_id)
    runner().plays.stop(process_id, current_user.id)
    flash("Se terminó la prueba.", "info")
    return redirect(url_for("staff.models.play", process_id=process_id))


def _act(process_id: str, action: dict, posted=None):
    _process_or_404(process_id)
    try:
        state = runner().plays.act(process_id, current_user.id, action, posted)
    except Conflict as exc:
        return page(process_id, status=409, error=exc.message)
    if state.page is not None and state.page.errors:
        return page(process_id, state, status=422)  # the form again, with its errors
    if state.problem:
        return page(process_id, state, status=422, error=state.problem)
    return redirect(url_for("staff.models.play", process_id=process_id))


def complete(process_id: str, task: str):
    """The waiting task's form, posted as the inbox posts it; a chosen file stands for a PDF."""
    documents = [slot for slot, upload in request.files.items() if upload.filename]
    return _act(process_id, {"task": task, "documents": documents}, request.form)


def deliver(process_id: str):
    message = (request.form.get("mensaje") or "").strip()
    if not message:
        return page(process_id, status=400, error="Elija el mensaje que quiere entregar.")
    return _act(process_id, {"message": message})


def fire(process_id: str):
    timer = (request.form.get("temporizador") or "").strip()
    if not timer:
        return page(process_id, status=400, error="Elija el temporizador que quiere disparar.")
    return _act(process_id, {"timer": timer})


def save(process_id: str):
    """Save the play as a scenario test of the process: it runs before every deploy."""
    _process_or_404(process_id)
    name = request.form.get("nombre") or ""
    try:
        scenario = runner().plays.save_scenario(process_id, current_user.id, name)
    except FormInvalid as exc:
        return page(process_id, status=422, error=" ".join(exc.errors.get("nombre", [])), name=name)
    except Conflict as exc:
        return page(process_id, status=409, error=exc.message, name=name)
    flash(f"Se guardó el escenario «{scenario['name']}»: se correrá antes de cada despliegue de este "
          "proceso.", "success")  # fmt: skip
    return redirect(url_for("staff.models.play", process_id=process_id))


def delete_scenario(process_id: str):
    _process_or_404(process_id)
    name = request.form.get("nombre") or ""
    runner().plays.delete_scenario(process_id, name)  # NotFound -> 404
    flash(f"Se borró el escenario «{name}».", "success")
    return redirect(url_for("staff.models.play", process_id=process_id))


def download_scenario(process_id: str, name: str):
    """A saved scenario as the file ``workflows/scenarios/<process>/`` keeps (for git review)."""
    _process_or_404(process_id)
    scenario = next((s for s in runner().plays.saved([process_id]) if s["name"] == name), None)
    if scenario is None:
        abort(404)
    filename, body = scenario_file(scenario)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip


def scenario_file(scenario: dict) -> tuple[str, str]:
    """A saved scenario as the file ``workflows/scenarios/<process>/`` keeps -> (its file name,
    from the scenario's name; its JSON text)."""
    name = scenario["name"]
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
                  .decode().lower()).strip("-") or "escenario"  # fmt: skip
    return f"{slug}.json", json.dumps(scenario, ensure_ascii=False, indent=2) + "\n"


def options(process_id: str, task: str, field: str):
    """A field's options on the task the play waits at (dependent selects, autocompletes)."""
    _process_or_404(process_id)
    filled = {k: v for k, v in request.args.items() if k != "q"}
    items = runner().plays.options(process_id, current_user.id, task, field, filled)  # NotFound -> 404
    query = (request.args.get("q") or "").strip().casefold()
    if query:
        items = [item for item in items if query in item[1].casefold()]
    return jsonify([{"value": value, "label": label} for value, label in items[:OPTIONS_CAP]])

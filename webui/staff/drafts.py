"""Analysts' drafts (issue 16): the modeler saves a draft, never a live version; the draft's
page shows what deploying it changes (the diagram coloured by change, form and decision
diffs, the running instances waiting at changed elements) and deploys it with a reason."""

from __future__ import annotations

import re

from flask import Response
from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from engine.drafts import DraftConflict
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import FormInvalid
from engine.scenarios import ScenariosFailed
from webui.core.authoring import conflict_json
from webui.core.authoring import problem_dicts
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.inputs import int_value
from webui.staff.common import user_names

# Files a draft may change besides its diagram: forms, decision tables, lanes.
BUNDLE_FILE = re.compile(r"(forms/[\w.-]+\.json|[\w.-]+\.dmn|lanes\.json)")
MAX_REVISION = 2**31 - 1


def _versions_or_404(process_id: str):
    versions = runner().versions(process_id)
    if not versions:
        abort(404)
    return versions


def _refusal(message: str):
    return jsonify({"ok": False, "error": message}), 400


def editing(process_id: str):
    """What an editor of the bundle (modeler, forms, decision tables, upload) starts from ->
    (files as in a version, the newest version, the draft revision a save must name, the
    draft or None). A draft based on an older version is not edited: saving over it is refused
    (DraftConflict), so the person sees both changes and discards or reloads."""
    latest = _versions_or_404(process_id)[0][0]
    current = runner().drafts.get(process_id)
    revision = current.revision if current is not None else 0
    if current is not None and not current.stale:
        return current.files, latest, revision, current
    return dict(latest.files), latest, revision, None


def base_of(payload) -> tuple[int | None, int | None]:
    """The version and draft revision an editor started from (its save names them)."""
    return (int_value(payload.get("base_version"), MAX_REVISION, 1),
            int_value(payload.get("base_revision"), MAX_REVISION, 0))  # fmt: skip


def save_changed(process_id: str, changed: dict[str, str], base_version, base_revision):
    """Save an editor's changed files into the process's draft -> (the draft, problems); raises
    DraftConflict when the editor did not start from the draft's current state."""
    return runner().drafts.save(process_id, changed, base_version, base_revision, current_actor().user_id)


def saved_message(draft, problems) -> str:
    message = f"Borrador guardado (revisión {draft.revision}). No está vigente hasta que lo despliegue."
    if problems:
        message += " El verificador encontró problemas: corríjalos antes de desplegar."
    return message


def save_json(process_id: str, changed: dict[str, str], payload: dict):
    """The JSON answer of an editor's save: the draft's new revision and the checker's
    problems, or 409 with both changes when the editor did not start from the draft's state."""
    base_version, base_revision = base_of(payload)
    if base_version is None or base_revision is None:
        return _refusal("Falta la versión o la revisión de la que partió. Recargue la página.")
    try:
        draft, problems = save_changed(process_id, changed, base_version, base_revision)
    except DraftConflict as exc:
        return jsonify({"ok": False, "error": exc.message, "conflict": conflict_json(exc)}), 409
    except Conflict as exc:  # a changed process id
        return jsonify({"ok": False, "error": exc.message}), 409
    return jsonify({
        "ok": True, "message": saved_message(draft, problems), "revision": draft.revision,
        "base_version": draft.base_version_id, "problems": problem_dicts(problems),
        "url": url_for("staff.models.draft", process_id=process_id),
    })  # fmt: skip


def save(process_id: str):
    """The modeler's save (JSON ``{"xml", "files", "base_version", "base_revision"}``): see
    ``save_json``."""
    versions = _versions_or_404(process_id)
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    xml, files = payload.get("xml"), payload.get("files") or {}
    if (
        (xml is not None and (not isinstance(xml, str) or not xml.strip()))
        or not isinstance(files, dict)
        or not all(isinstance(v, str) and BUNDLE_FILE.fullmatch(str(k)) for k, v in files.items())
        or (xml is None and not files)
    ):
        return _refusal("Falta el XML del diagrama (o los archivos que cambiaron).")
    changed = dict(files)
    if xml is not None:
        changed[versions[0][0].source_file] = xml
    return save_json(process_id, changed, payload)


def draft(process_id: str, status: int = 200, error: str | None = None, comment: str = "", scenarios=()):
    """The draft's deploy page: the change, who it affects, and the deploy form."""
    versions = _versions_or_404(process_id)
    current = runner().drafts.get(process_id)
    if current is None:
        return render_template(
            "staff/models/draft.html", process_id=process_id, preview=None, latest=versions[0][0],
            title=f"Borrador de {process_id}",
        ), status  # fmt: skip
    preview = runner().drafts.preview(process_id)
    mine = next((p for p in preview.planned if p.draft.process_id == process_id), None)
    names = user_names([current.updated_by])
    return render_template(
        "staff/models/draft.html", process_id=process_id, preview=preview, latest=versions[0][0],
        mine=mine, names=names, problems=problem_dicts(preview.problems), error=error, comment=comment,
        scenarios=scenarios,
        title=f"Borrador de {process_id}",
    ), status  # fmt: skip


def draft_file(process_id: str, name: str):
    """One file of the draft (the diff page's viewer reads the diagram through it)."""
    current = runner().drafts.get(process_id)
    if current is None or name not in current.files:
        abort(404)
    kind = "application/xml" if name.endswith((".bpmn", ".dmn")) else "application/json"
    filename = name.rsplit("/", 1)[-1]
    disposition = f'attachment; filename="{filename}"'
    return Response(current.files[name], mimetype=kind, headers={"Content-Disposition": disposition})


def deploy(process_id: str):
    """Deploy the reviewed revision of the draft with the analyst's reason."""
    _versions_or_404(process_id)
    revision = int_value(request.form.get("revision"), MAX_REVISION, 1)
    comment = (request.form.get("comentario") or "").strip()
    if revision is None:
        return draft(process_id, 400, "Falta la revisión del borrador. Recargue la página.", comment)
    try:
        created = runner().drafts.deploy(process_id, revision, current_actor().user_id, comment)
    except FormInvalid:
        return draft(process_id, 422, "Indique qué cambia y por qué: el motivo queda en el historial.",
                     comment)  # fmt: skip
    except DiagramInvalid:
        return draft(process_id, 422, "El verificador encontró problemas; no se desplegó nada.", comment)
    except ScenariosFailed as exc:
        return draft(process_id, 422, exc.message, comment, scenarios=exc.results)
    except Conflict as exc:
        return draft(process_id, 409, exc.message, comment)
    if created:
        deployed = ", ".join(f"{v.process_id} versión {v.number}" for v in created)
        flash(f"Se desplegó: {deployed}.", "success")
    else:
        flash("El borrador no cambiaba nada: no se creó una versión nueva.", "info")
    return redirect(url_for("staff.models.process", process_id=process_id))


def discard(process_id: str):
    _versions_or_404(process_id)
    revision = int_value(request.form.get("revision"), MAX_REVISION, 1)
    if revision is None:
        return draft(process_id, 400, "Falta la revisión del borrador. Recargue la página.")
    try:
        runner().drafts.discard(process_id, revision)
    except Conflict as exc:
        return draft(process_id, 409, exc.message)
    flash("Se descartó el borrador.", "success")
    return redirect(url_for("staff.models.process", process_id=process_id))

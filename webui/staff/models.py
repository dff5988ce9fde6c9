"""Process models (Analista): versions, diagram viewer, downloads, upload, restore and the
browser modeler. An upload runs the checker and a clean one deploys a new version (W1–W3);
the modeler saves a draft (webui/staff/drafts.py)."""

from __future__ import annotations

import io
import zipfile

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for

from engine.drafts import DraftConflict
from engine.drafts import declared_processes
from engine.errors import Conflict
from engine.scenarios import SCENARIOS_DIR
from webui.core.authoring import Refused
from webui.core.authoring import deploy_bundle
from webui.core.authoring import draft_changes
from webui.core.authoring import problem_dicts
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.policy import ANALYST
from webui.core.policy import guard
from webui.staff.common import deployed_message
from webui.staff.common import user_names
from webui.staff.drafts import base_of
from webui.staff.drafts import conflict_json
from webui.staff.drafts import save_changed
from webui.staff.drafts import saved_message
from webui.staff.play import scenario_file
from webui.staff.workbench import panel_data


def analysts_only():
    return guard(ANALYST)


def _versions_or_404(process_id: str):
    versions = runner().versions(process_id)
    if not versions:
        abort(404)
    return versions


def _deployers(rows) -> dict[int, str]:
    return user_names(v.deployed_by for v, _ in rows)


def index():
    """Every process with its versions and how many instances each one has."""
    processes = [(v.process_id, runner().versions(v.process_id)) for v in runner().latest_versions()]
    names = user_names(v.deployed_by for _, rows in processes for v, _ in rows)
    return render_template(
        "staff/models/index.html", processes=processes, names=names, title="Modelos de proceso"
    )


def process(process_id: str):
    """One process: its versions, its draft, upload of changed files, link to the modeler."""
    return _process_page(process_id, _versions_or_404(process_id), 200)


def upload(process_id: str):
    """Upload a changed .bpmn and/or other files of the bundle (.dmn, lanes.json, forms) into
    the process's draft, as the modeler saves (same base version and revision, a stale one
    refused with both changes): live only when the draft is deployed. A file it cannot take is
    refused by name. A diagram that is explicitly a new process is checked and deployed."""
    versions = _versions_or_404(process_id)
    diagram = request.files.get("diagrama")
    others = [f for f in request.files.getlist("archivos") if f.filename]
    back = redirect(url_for("staff.models.process", process_id=process_id))
    if (diagram is None or not diagram.filename) and not others:
        flash("Seleccione el diagrama .bpmn o los archivos que cambiaron.", "error")
        return back
    xml = None
    if diagram is not None and diagram.filename:
        if not diagram.filename.lower().endswith(".bpmn"):
            flash("El diagrama debe ser un archivo .bpmn.", "error")
            return back
        xml = diagram.read()
    files = {f.filename.rsplit("/", 1)[-1]: f.read() for f in others}
    if xml is not None and request.form.get("proceso_nuevo"):
        return _deploy_new_process(process_id, versions, xml, files, diagram.filename.rsplit("/", 1)[-1])
    base_version, base_revision = base_of(request.form)
    try:
        changed = draft_changes(process_id, xml, files)
        if base_version is None or base_revision is None:
            raise Refused(["Falta la versión o la revisión de la que partió. Recargue la página."])
        draft, problems = save_changed(process_id, changed, base_version, base_revision)
    except Refused as refused:
        for message in refused.messages:
            flash(message, "error")
        return back
    except DraftConflict as exc:
        return _process_page(process_id, versions, 409, conflict=conflict_json(exc), refusal=exc.message)
    except Conflict as exc:  # a changed process id: only as an explicit new process
        return _process_page(process_id, versions, 409, refusal=exc.message)
    if problems:
        return _process_page(process_id, versions, 422, problems=problem_dicts(problems), saved=draft,
                             xml=xml.decode("utf-8", "replace") if xml else None)  # fmt: skip
    flash(saved_message(draft, problems) + " Revise los cambios y despliéguelo aquí.", "success")
    return redirect(url_for("staff.models.draft", process_id=process_id))


def _process_page(process_id: str, versions, status: int, **context):
    draft = context.pop("saved", None) or runner().drafts.get(process_id)
    defaults = {"problems": [], "refusal": None, "conflict": None, "xml": None}
    return render_template(
        "staff/models/process.html", process_id=process_id, versions=versions, names=_deployers(versions),
        draft=draft, title=f"Modelo {process_id}", **{**defaults, **context},
    ), status  # fmt: skip


def _deploy_new_process(process_id: str, versions, xml: bytes, files, filename: str):
    """A diagram that is explicitly a new process (its own id and file): nothing to draft
    against, so it is checked, scenario-tested and deployed as a first version."""
    back = redirect(url_for("staff.models.process", process_id=process_id))
    text = xml.decode("utf-8", "replace")
    try:
        created, problems = deploy_bundle(process_id, xml, files, new_process_file=filename)
    except Refused as refused:
        for message in refused.messages:
            flash(message, "error")
        return back
    except Conflict as exc:
        return _process_page(process_id, versions, 409, refusal=exc.message, xml=text)
    if problems:
        found = problem_dicts(problems)
        return _process_page(process_id, versions, 422, problems=found, new_process=True, xml=text)
    flash(deployed_message(created), "success")
    return back


def restore(version_id: int):
    """Make this version's files the newest version again: one click rolls back."""
    row = runner().version(version_id)
    restored = runner().restore_version(version_id, deployed_by=current_actor().user_id)
    if restored is None:
        flash(f"La versión {row.number} ya es la vigente: no se creó una versión nueva.", "info")
    else:
        message = f"Se restauró la versión {row.number} como versión {restored.number}"
        flash(message + ": las instancias nuevas la siguen.", "success")
    return redirect(url_for("staff.models.process", process_id=row.process_id))


def version(version_id: int):
    """One version's diagram (bpmn-js viewer) and its files."""
    row = runner().version(version_id)
    return render_template(
        "staff/models/version.html", version=row, names=user_names([row.deployed_by]),
        title=f"{row.process_id} versión {row.number}",
    )  # fmt: skip


def download(version_id: int, name: str):
    """One file of a version (diagram, DMN, lanes.json, forms/…) as an attachment."""
    files = runner().version(version_id).files
    if name not in files:
        abort(404)
    kind = "application/xml" if name.endswith((".bpmn", ".dmn")) else "application/json"
    # Always an attachment: an uploaded file is never rendered as a document of this origin
    # (the viewer's fetch() reads it all the same).
    filename = name.rsplit("/", 1)[-1]
    return Response(
        files[name], mimetype=kind, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def package(version_id: int):
    """Every file of a version (diagram and the forms it references) in one zip, with the
    scenario tests saved from plays of its processes under ``scenarios/<process>/``, as
    ``workflows/`` keeps them: the files to commit for git review."""
    row = runner().version(version_id)
    processes = declared_processes({n: t for n, t in row.files.items() if n.endswith(".bpmn")})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(row.files.items()):
            archive.writestr(name, text)
        for scenario in runner().plays.saved(sorted(processes | {row.process_id})):
            filename, text = scenario_file(scenario)
            archive.writestr(f"{SCENARIOS_DIR}/{scenario['process']}/{filename}", text)
    buffer.seek(0)
    return send_file(
        buffer, mimetype="application/zip", as_attachment=True,
        download_name=f"{row.process_id}-v{row.number}.zip",
    )  # fmt: skip


def modeler(process_id: str):
    """The bpmn-js modeler on the process's draft, or on its newest version when it has none:
    saves make a draft (webui/staff/drafts.py), never a live version."""
    versions = _versions_or_404(process_id)
    draft = runner().drafts.get(process_id)
    return render_template(
        "staff/models/modeler.html", process_id=process_id, latest=versions[0][0], draft=draft,
        panel=panel_data(process_id, draft, versions[0][0]), title=f"Modelador: {process_id}",
    )  # fmt: skip

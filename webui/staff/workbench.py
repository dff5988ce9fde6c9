"""The analysts' workbench beside the modeler: the form editor (its preview drawn by the
inbox's own renderer, its sample values read and validated by the engine as a real post),
and the catalog of registered functions the editors' pickers offer."""

from __future__ import annotations

import json
import re

from flask import abort
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.datastructures import MultiDict

from webui.core.authoring import Refused
from webui.core.authoring import bundle
from webui.core.authoring import modeler_files
from webui.core.authoring import problem_dicts
from webui.core.formrender import bind
from webui.core.formrender import summary
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.staff.drafts import editing
from webui.staff.drafts import save_json

FORM_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
SCHEMA_SUFFIX, UI_SUFFIX = "-schema.json", "-uischema.json"
BAD_REQUEST = "Envíe «name», «schema» y «uischema» (objetos JSON) y, para probar, «values»."



def _form_names(files) -> list[str]:
    return sorted(
        name.removeprefix("forms/").removesuffix(SCHEMA_SUFFIX)
        for name in files
        if name.startswith("forms/") and name.endswith(SCHEMA_SUFFIX)
    )


def forms(process_id: str):
    """The forms of the process's draft (or newest version), each to open in the editor, and a
    new one."""
    files, version, _revision, draft = editing(process_id)
    return render_template(
        "staff/models/forms.html", process_id=process_id, version=version, draft=draft,
        names=_form_names(files), title=f"Formularios: {process_id}",
    )  # fmt: skip


def form_editor(process_id: str):
    """The editor on one form of the bundle (``?nombre=``), or on a new one: the draft's form
    when there is a draft; a save goes to the draft."""
    files, version, revision, draft = editing(process_id)
    name = request.args.get("nombre", "")
    if name and name not in _form_names(files):
        abort(404)
    schema = files.get(f"forms/{name}{SCHEMA_SUFFIX}") if name else None
    uischema = files.get(f"forms/{name}{UI_SUFFIX}") if name else None
    return render_template(
        "staff/models/form_editor.html", process_id=process_id, version=version, draft=draft,
        revision=revision, name=name,
        schema=schema or json.dumps(NEW_SCHEMA, ensure_ascii=False, indent=2),
        uischema=uischema or "{}", catalog=runner().workbench_catalog(),
        title=f"Formulario {name}" if name else "Nuevo formulario",
    )  # fmt: skip


NEW_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {}}


def _form_payload():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return None
    name, schema, uischema = payload.get("name"), payload.get("schema"), payload.get("uischema")
    if not isinstance(name, str) or not isinstance(schema, dict) or not isinstance(uischema, dict):
        return None
    return name, schema, uischema


def form_preview():
    """The form as the inbox will draw it (JSON ``{"name", "schema", "uischema"}``) or, with
    ``"values": [[field, value], …]`` (what the preview's fields hold), those values read and
    validated by the engine: ``{"html", "problems", "errors", "data"}``."""
    parsed = _form_payload()
    values = (request.get_json(silent=True) or {}).get("values") if parsed else None
    if parsed is None or not _pairs(values):
        return jsonify({"error": BAD_REQUEST}), 400
    name, schema, uischema = parsed
    posted = MultiDict([(str(k), str(v)) for k, v in values]) if values is not None else None
    trial = runner().try_form(current_actor(), name or "formulario", schema, uischema, posted)
    if trial.view is None:
        return jsonify({"problems": list(trial.problems), "html": "", "errors": {}, "data": None})
    view = trial.view
    fields = bind(view, lambda field: None)  # no task to ask: dependent lists show every option
    html = render_template(
        "staff/models/_form_preview.html", form=view.form, fields=fields,
        summary=summary(fields, view.errors) if view.errors else [],
    )  # fmt: skip
    return jsonify({"problems": [], "html": html, "errors": view.errors, "data": trial.clean})


def _pairs(values) -> bool:
    return values is None or (
        isinstance(values, list) and all(isinstance(p, list) and len(p) == 2 for p in values)
    )


def save_form(process_id: str):
    """Save a changed form of the bundle into the process's draft (JSON ``{"name", "schema",
    "uischema", "base_version", "base_revision"}``): live only when the draft is deployed. A
    form the bundle does not have is refused (a new one goes with the diagram that uses it)."""
    files, _version, _revision, _draft = editing(process_id)
    parsed = _form_payload()
    if parsed is None or not FORM_NAME.fullmatch(parsed[0]):
        return jsonify({"ok": False, "error": "El nombre del formulario: minúsculas, números y «_»."}), 400
    name, schema, uischema = parsed
    if name not in _form_names(files):
        refused = f"«{name}{SCHEMA_SUFFIX}»: ningún proceso de este borrador lo usa; no se guardó nada."
        return jsonify({"ok": False, "refused": [refused]}), 422
    changed = {
        f"forms/{name}{SCHEMA_SUFFIX}": json.dumps(schema, ensure_ascii=False, indent=2) + "\n",
        f"forms/{name}{UI_SUFFIX}": json.dumps(uischema, ensure_ascii=False, indent=2) + "\n",
    }
    return save_json(process_id, changed, request.get_json(silent=True))


def catalog():
    """The registered service functions (with their parameters), checks and option sources."""
    return jsonify(runner().workbench_catalog())


def check_bundle(process_id: str):
    """The engine's checker on the modeler's diagram as it is now (JSON as the modeler's
    save), nothing deployed: ``{"problems": […]}`` for the marks and the properties panel."""
    payload = request.get_json(silent=True)
    xml = payload.get("xml") if isinstance(payload, dict) else None
    files = modeler_files(payload) if isinstance(xml, str) and xml.strip() else None
    if files is None:
        return jsonify({"error": "Falta el XML del diagrama."}), 400
    try:
        diagrams = bundle(process_id, xml.encode(), files)
    except Refused as refused:
        return jsonify({"problems": [], "refused": refused.messages})
    return jsonify({"problems": problem_dicts(runner().check(diagrams))})


def panel_data(process_id: str, draft, latest) -> dict:
    """What the modeler's properties panel offers: the bundle's forms (the draft's when there
    is one), the registered functions, the lanes and where to ask the checker."""
    files = draft.files if draft is not None and not draft.stale else latest.files
    forms = sorted(
        name.removeprefix("forms/").removesuffix(SCHEMA_SUFFIX)
        for name in files
        if name.startswith("forms/") and name.endswith(SCHEMA_SUFFIX)
    )
    lanes = json.loads(files.get("lanes.json") or "{}")
    return {
        "forms": forms, "catalog": runner().workbench_catalog(), "lanes": lanes,
        "check_url": url_for("staff.models.check_bundle", process_id=process_id),
    }  # fmt: skip

"""Decision tables (Analista): dmn-js edits a table of the bundle in the browser; the test
harness evaluates it on the server, as a business rule task would, before it is saved; a
saved table versions only the processes that call it."""

from __future__ import annotations

from flask import abort
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for

from webui.core.identity import runner
from webui.staff.drafts import editing
from webui.staff.drafts import save_json

MAX_INPUTS = 200



def _tables(files) -> list[str]:
    return sorted(name for name in files if name.endswith(".dmn"))


def decisions(process_id: str):
    """The decision tables the process calls (directly or through a called process), as its
    draft has them when there is one."""
    files, version, _revision, draft = editing(process_id)
    return render_template(
        "staff/models/decisions.html", process_id=process_id, version=version, draft=draft,
        tables=_tables(files), title=f"Tablas de decisión: {process_id}",
    )  # fmt: skip


def decision_editor(process_id: str, name: str):
    """dmn-js on the table as the draft (or the newest version) has it; a save goes to the draft."""
    files, version, revision, draft = editing(process_id)
    if name not in _tables(files):
        abort(404)
    xml_url = (url_for("staff.models.draft_file", process_id=process_id, name=name) if draft is not None
               else url_for("staff.models.download", version_id=version.id, name=name))  # fmt: skip
    return render_template(
        "staff/models/decision_editor.html", process_id=process_id, version=version, draft=draft,
        revision=revision, name=name, xml_url=xml_url, title=f"Tabla de decisión {name}",
    )  # fmt: skip


def _xml_payload():
    payload = request.get_json(silent=True)
    xml = payload.get("xml") if isinstance(payload, dict) else None
    return (payload, xml) if isinstance(xml, str) and xml.strip() else (None, None)


def try_decision():
    """JSON ``{"name", "xml", "values": {variable: value}}`` -> the rows that match and the
    result, evaluated by the engine (nothing stored)."""
    payload, xml = _xml_payload()
    values = payload.get("values") if payload else None
    name = payload.get("name") if payload else None
    if xml is None or not isinstance(values, dict) or len(values) > MAX_INPUTS or not isinstance(name, str):
        return jsonify({"error": "Envíe «name», «xml» (la tabla DMN) y «values» {variable: valor}."}), 400
    trial = runner().try_decision(name or "tabla.dmn", xml.encode(), values)
    return jsonify(
        {
            "inputs": trial.inputs,
            "rules": trial.rules,
            "result": trial.result,
            "problems": list(trial.problems),
        }
    )


def save_decision(process_id: str, name: str):
    """Save the edited table into the process's draft (JSON ``{"xml", "base_version",
    "base_revision"}``); deploying the draft versions each process that calls it."""
    files, _version, _revision, _draft = editing(process_id)
    if name not in _tables(files):
        abort(404)
    payload, xml = _xml_payload()
    if xml is None:
        return jsonify({"ok": False, "error": "Falta el XML de la tabla."}), 400
    return save_json(process_id, {name: xml}, payload)

"""Decision tables (Analista): dmn-js edits a table of the bundle in the browser; the test
harness evaluates it on the server, as a business rule task would, before it is saved; a
saved table versions only the processes that call it."""

from __future__ import annotations

from flask import abort
from flask import jsonify
from flask import render_template
from flask import request

from webui.core.authoring import Refused
from webui.core.authoring import deploy_bundle
from webui.core.authoring import problem_dicts
from webui.core.identity import runner
from webui.staff.common import deployed_message
from webui.staff.common import newest_version

MAX_INPUTS = 200



def _tables(version) -> list[str]:
    return sorted(name for name in version.files if name.endswith(".dmn"))


def decisions(process_id: str):
    """The decision tables the process calls (directly or through a called process)."""
    version = newest_version(process_id)
    return render_template(
        "staff/models/decisions.html", process_id=process_id, version=version, tables=_tables(version),
        title=f"Tablas de decisión: {process_id}",
    )  # fmt: skip


def decision_editor(process_id: str, name: str):
    version = newest_version(process_id)
    if name not in _tables(version):
        abort(404)
    return render_template(
        "staff/models/decision_editor.html", process_id=process_id, version=version, name=name,
        title=f"Tabla de decisión {name}",
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
    """Deploy the edited table (JSON ``{"xml"}``): a new version of each process that calls it."""
    version = newest_version(process_id)
    if name not in _tables(version):
        abort(404)
    _payload, xml = _xml_payload()
    if xml is None:
        return jsonify({"ok": False, "error": "Falta el XML de la tabla."}), 400
    try:
        created, problems = deploy_bundle(process_id, None, {name: xml.encode()})
    except Refused as refused:
        return jsonify({"ok": False, "error": " ".join(refused.messages)}), 422
    if problems:
        return jsonify({"ok": False, "problems": problem_dicts(problems)}), 422
    return jsonify({"ok": True, "message": deployed_message(created)})

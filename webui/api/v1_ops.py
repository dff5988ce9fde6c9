"""JSON API v1: process models (Analista) and instances, migration, heatmap (Operador)."""

from __future__ import annotations

import datetime as dt
import json

from flask import Response
from flask import jsonify
from flask import request

from engine.operations import COUNT_CAP
from webui.api.v1 import ApiError
from webui.api.v1 import body
from webui.api.v1 import iso
from webui.api.v1 import require_role
from webui.api.v1 import task_json
from webui.core.authoring import Refused
from webui.core.authoring import deploy_bundle
from webui.core.authoring import problem_dicts
from webui.core.errors import problem
from webui.core.identity import runner
from webui.core.inputs import MAX_ID
from webui.core.inputs import MAX_PAGE
from webui.core.inputs import int_value
from webui.core.policy import ANALYST
from webui.core.policy import OPERATOR


def version_json(version, instances: int | None = None) -> dict:
    data = {
        "id": version.id, "process_id": version.process_id, "number": version.number, "name": version.name,
        "content_hash": version.content_hash, "deployed_at": iso(version.deployed_at),
        "deployed_by": version.deployed_by, "source_file": version.source_file,
        "origin": version.origin, "comment": version.comment,
    }  # fmt: skip
    if instances is not None:  # exact up to COUNT_CAP; past it COUNT_CAP + 1 and instances_capped
        data["instances"] = instances
        data["instances_capped"] = instances > COUNT_CAP
    return data


def _versions(process_id: str):
    rows = runner().versions(process_id)
    if not rows:
        raise ApiError(404, "El proceso no existe.")
    return rows


def processes():
    """Every deployed process with its versions and instance counts."""
    require_role(ANALYST)
    return jsonify({"processes": [
        {"process_id": v.process_id, "name": v.name,
         "versions": [version_json(row, n) for row, n in runner().versions(v.process_id)]}
        for v in runner().latest_versions()
    ]})  # fmt: skip


def process_versions(process_id: str):
    require_role(ANALYST, resource=True)
    return jsonify({"versions": [version_json(v, n) for v, n in _versions(process_id)]})


DEPLOY_KEYS = ("xml", "forms", "decisions", "lanes", "comment")


def deploy(process_id: str):
    """Check and deploy a changed bundle: the diagram (``xml``), forms, decision tables (``decisions``)
    and ``lanes``, with why (``comment``, required: recorded with who deployed it). The scenario
    tests of the changed processes run first. 201 new version, 200 unchanged, 422 checker
    problems, refused files or a failing scenario. (The pages save into a draft instead.)"""
    require_role(ANALYST, resource=True)
    _versions(process_id)
    payload = body()
    comment = payload.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        raise ApiError(400, "Falta «comment»: qué cambia y por qué (queda en el historial de versiones).")
    xml_bytes, files = bundle_payload(payload, DEPLOY_KEYS)
    try:
        created, problems = deploy_bundle(process_id, xml_bytes, files, origin="api", comment=comment.strip())
    except Refused as refused:
        return problem(422, "Hay archivos que no se pueden desplegar.", refused=refused.messages)
    if problems:
        return problem(422, "El verificador encontró problemas.", problems=problem_dicts(problems))
    return jsonify({"versions": [version_json(v) for v in created]}), 201 if created else 200


def bundle_payload(payload: dict, keys: tuple[str, ...]) -> tuple[bytes | None, dict[str, bytes]]:
    """The changed files of a deploy or draft body -> (the diagram or None, the other files by
    name as an upload names them); 400 for unknown keys or files of the wrong shape."""
    unknown = sorted(set(payload) - set(keys))
    if unknown:
        raise ApiError(400, f"Claves no admitidas: {', '.join(unknown)}. Use {', '.join(keys)}.")
    xml, forms, decisions = payload.get("xml"), payload.get("forms") or {}, payload.get("decisions") or {}
    lanes = payload.get("lanes")
    if (
        (xml is not None and (not isinstance(xml, str) or not xml.strip()))
        or not isinstance(forms, dict) or not isinstance(decisions, dict)
        or not all(isinstance(v, (str, dict)) for v in forms.values())
        or not all(isinstance(v, str) for v in decisions.values())
        or (lanes is not None and not isinstance(lanes, (str, dict)))
        or (xml is None and not forms and not decisions and lanes is None)
    ):  # fmt: skip
        raise ApiError(
            400,
            "Envíe «xml» (texto BPMN), «forms» {nombre: JSON}, «decisions» {nombre.dmn: texto DMN} "
            "o «lanes» (objeto lanes.json); al menos uno.",
        )
    files = {name: _text(value) for name, value in forms.items()}
    for name, text in decisions.items():
        if not name.lower().endswith(".dmn"):
            raise ApiError(400, f"«{name}»: una tabla de decisión se llama <nombre>.dmn.")
        files[name] = text.encode()
    if lanes is not None:
        files["lanes.json"] = _text(lanes)
    return (xml.encode() if xml is not None else None), files


def _text(value) -> bytes:
    return (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)).encode()


def version(version_id: int):
    require_role(ANALYST, resource=True)
    row = runner().version(version_id)
    return jsonify({**version_json(row), "files": sorted(row.files)})


def version_file(version_id: int, name: str):
    require_role(ANALYST, resource=True)
    files = runner().version(version_id).files
    if name not in files:
        raise ApiError(404, "El archivo no existe en esta versión.")
    kind = "application/xml" if name.endswith((".bpmn", ".dmn")) else "application/json"
    # An attachment, as on the analysts' pages: an uploaded diagram (XML, which browsers run
    # XHTML scripts in) is never rendered as a document of this origin.
    filename = name.rsplit("/", 1)[-1]
    disposition = f'attachment; filename="{filename}"'
    return Response(files[name], mimetype=kind, headers={"Content-Disposition": disposition})


def _date(name: str) -> dt.datetime | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        raise ApiError(400, f"«{name}» debe ser una fecha ISO 8601.") from None


def _int_arg(name: str, default=None, maximum: int = MAX_ID, minimum: int = 0):
    value = request.args.get(name)
    if value is None:
        return default
    number = int_value(value, maximum, minimum)
    if number is None:
        raise ApiError(400, f"«{name}» debe ser un número entero entre {minimum} y {maximum}.")
    return number


MAX_PER_PAGE = 200
STATUSES = ("running", "completed", "cancelled", "error", "suspended")
SORTS = ("-created_at", "created_at", "-updated_at", "updated_at", "id", "-id", "process_id", "status")


def _choice_arg(name: str, allowed: tuple[str, ...], default=None):
    value = request.args.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise ApiError(400, f"«{name}» debe ser uno de: {', '.join(allowed)}.")
    return value


def instances():
    """Instances by process, version, status, account, start dates and waiting role; sorted, paginated."""
    require_role(OPERATOR)
    result = runner().list_instances(
        process_id=request.args.get("process_id") or None, version_id=_int_arg("version_id"),
        status=_choice_arg("status", STATUSES), account_id=_int_arg("account_id"),
        started_from=_date("started_from"), started_to=_date("started_to"),
        waiting_role=request.args.get("waiting_role") or None, sort=_choice_arg("sort", SORTS, "-created_at"),
        page=_int_arg("page", 1, MAX_PAGE, 1), per_page=_int_arg("per_page", 50, MAX_PER_PAGE, 1),
    )  # fmt: skip
    rows = [
        {"id": r.id, "process_id": r.process_id, "version_id": r.version_id, "status": r.status,
         "account_id": r.account_id, "created_at": iso(r.created_at), "updated_at": iso(r.updated_at)}
        for r in result.rows
    ]  # fmt: skip
    return jsonify(
        {
            "instances": rows,
            "total": result.total,
            "total_capped": result.total_capped,
            "page": result.page,
            "per_page": result.per_page,
        }
    )


def instance(instance_id: int):
    """One instance: status, redacted data, tasks, event log and element states."""
    require_role(OPERATOR, resource=True)
    view = runner().instance(instance_id)
    return jsonify({
        "id": view.id, "process_id": view.process_id, "version_id": view.version_id, "status": view.status,
        "created_at": iso(view.created_at), "updated_at": iso(view.updated_at),
        "error_message": view.error_message, "data": view.data, "tasks": [task_json(t) for t in view.tasks],
        "events": [{**e, "at": iso(e["at"])} for e in view.events],
        "element_states": runner().element_states(instance_id),
    })  # fmt: skip


def _reason() -> str:
    reason = body().get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ApiError(422, "Indique el motivo («reason»).", errors={"reason": ["Indique el motivo."]})
    return reason


def cancel(instance_id: int):
    actor = require_role(OPERATOR, resource=True)
    runner().instance(instance_id)
    runner().cancel(actor, instance_id, _reason())
    return jsonify({"id": instance_id, "status": "cancelled"})


def _retry_json(result) -> dict:
    return {"id": result.instance_id, "status": result.status, "ran": result.ran, "failed": result.failed,
            "waiting": result.waiting, "report": result.report}  # fmt: skip


def retry(instance_id: int):
    """Run the element the instance stopped at again; the answer says what happened."""
    actor = require_role(OPERATOR, resource=True)
    runner().instance(instance_id)
    return jsonify(_retry_json(runner().retry(actor, instance_id, _reason())))


def incident_json(incident) -> dict:
    return {
        "id": incident.id, "instance_id": incident.instance_id, "process_id": incident.process_id,
        "element_id": incident.element_id, "element_name": incident.element_name, "step": incident.step,
        "message": incident.message, "detail": incident.detail, "data_keys": incident.data_keys,
        "status": incident.status, "failures": incident.failures, "opened_at": iso(incident.opened_at),
        "updated_at": iso(incident.updated_at), "resolved_at": iso(incident.resolved_at),
        "resolution": incident.resolution,
    }  # fmt: skip


INCIDENT_STATES = ("open", "resolved", "all")
INCIDENT_AGES = ("hoy", "semana", "antiguos")


def incidents():
    """Incidents, oldest first, by state, process, element and age (Operador)."""
    require_role(OPERATOR)
    status = _choice_arg("status", INCIDENT_STATES, "open")
    found = runner().incidents(
        status=None if status == "all" else status,
        process_id=request.args.get("process_id") or None,
        element_id=request.args.get("element_id") or None,
        age=_choice_arg("age", INCIDENT_AGES),
    )
    return jsonify({"incidents": [incident_json(i) for i in found]})


def retry_incident(incident_id: int):
    """Retry the element of an open incident (the same as retrying its instance)."""
    actor = require_role(OPERATOR, resource=True)
    incident = runner().incident(incident_id)
    if incident.status != "open":
        raise ApiError(409, "El incidente ya fue resuelto.")
    return jsonify(_retry_json(runner().retry(actor, incident.instance_id, _reason())))


def edit_variables(instance_id: int):
    """Replace the instance's variables with ``variables`` (a JSON object), with a reason."""
    actor = require_role(OPERATOR, resource=True)
    runner().instance(instance_id)
    payload = body()
    variables = payload.get("variables")
    if not isinstance(variables, dict):
        errors = {"variables": ["Debe ser un objeto."]}
        raise ApiError(422, "«variables» debe ser un objeto JSON.", errors=errors)
    runner().edit_variables(actor, instance_id, variables, _reason())
    view = runner().instance(instance_id)
    return jsonify({"id": instance_id, "status": view.status, "data": view.data})


def suspend(instance_id: int):
    actor = require_role(OPERATOR, resource=True)
    runner().instance(instance_id)
    runner().suspend(actor, instance_id, _reason())
    return jsonify({"id": instance_id, "status": "suspended"})


def resume(instance_id: int):
    actor = require_role(OPERATOR, resource=True)
    runner().instance(instance_id)
    runner().resume(actor, instance_id, _reason())
    return jsonify({"id": instance_id, "status": runner().instance(instance_id).status})


def migrations():
    """Move instances to their process's newest version; ``dry_run: true`` only reports."""
    actor = require_role(OPERATOR)
    payload = body()
    ids = payload.get("instance_ids")
    # type() is int: JSON true is a Python int too, and would have meant instance 1.
    if not isinstance(ids, list) or not ids or not all(type(i) is int and 0 < i <= MAX_ID for i in ids):
        raise ApiError(400, "«instance_ids» debe ser una lista de números.")
    if payload.get("dry_run"):
        checks = runner().check_migration(ids)
    else:
        checks = runner().migrate(actor, ids, _reason())
    return jsonify({"dry_run": bool(payload.get("dry_run")), "results": [
        {"instance_id": c.instance_id, "can_move": c.can_move, "reason": c.reason} for c in checks
    ]})  # fmt: skip


def heatmap(process_id: str):
    """Per element: instances that passed and median seconds spent, over [since, until)."""
    require_role(OPERATOR, resource=True)
    _versions(process_id)
    heat = runner().heatmap(process_id, _date("since"), _date("until"))
    return jsonify({"process_id": process_id, "elements": {
        k: {"instances": n, "median_seconds": s} for k, (n, s) in sorted(heat.items())
    }})  # fmt: skip

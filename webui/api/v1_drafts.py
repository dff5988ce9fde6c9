"""JSON API v1: a process's draft (Analista), the browser's rule for API clients too: nothing
is live until the draft is deployed. Read the draft, save changed files into it naming the
version and revision they were made on (a stale one is refused with both changes), deploy
it with a reason (the scenario tests run first), or discard it."""

from __future__ import annotations

from flask import jsonify

from engine.drafts import DraftConflict
from engine.errors import DiagramInvalid
from engine.scenarios import ScenariosFailed
from webui.api.v1 import ApiError
from webui.api.v1 import body
from webui.api.v1 import iso
from webui.api.v1 import require_role
from webui.api.v1_ops import _versions
from webui.api.v1_ops import bundle_payload
from webui.api.v1_ops import version_json
from webui.core.authoring import Refused
from webui.core.authoring import conflict_json
from webui.core.authoring import draft_changes
from webui.core.authoring import problem_dicts
from webui.core.errors import problem
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.people import user_names
from webui.core.policy import ANALYST

MAX_INT = 2**31 - 1
SAVE_KEYS = ("xml", "forms", "decisions", "lanes", "base_version", "base_revision")


def _integer(payload: dict, name: str, minimum: int) -> int:
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_INT:
        raise ApiError(400, f"«{name}»: un entero entre {minimum} y {MAX_INT}, el que leyó en GET …/draft.")
    return value


def draft(process_id: str):
    """The draft (``exists``) or, without one, what a first save starts from: the newest
    version's files with revision 0. ``stale``: another version went live after the draft was
    started; saving over it is refused until it is discarded."""
    require_role(ANALYST, resource=True)
    latest = _versions(process_id)[0][0]
    current = runner().drafts.get(process_id)
    if current is None:
        return jsonify({
            "process_id": process_id, "exists": False, "base_version": latest.id,
            "base_number": latest.number, "revision": 0, "stale": False, "updated_by": None,
            "updated_at": None, "files": dict(latest.files),
        })  # fmt: skip
    names = user_names([current.updated_by])
    return jsonify({
        "process_id": process_id, "exists": True, "base_version": current.base_version_id,
        "base_number": current.base_number, "revision": current.revision, "stale": current.stale,
        "updated_by": names.get(current.updated_by), "updated_at": iso(current.updated_at),
        "files": current.files,
    })  # fmt: skip


def save(process_id: str):
    """Save changed files into the draft, checked against the draft as it will be after this
    save (a new form of the draft's new diagram is used). 200 with the new revision and the
    checker's problems (a draft may keep some; a deploy may not), 409 with both changes when
    ``base_version``/``base_revision`` are not the draft's current ones, 422 refused files."""
    require_role(ANALYST, resource=True)
    _versions(process_id)
    payload = body()
    base_version = _integer(payload, "base_version", 1)
    base_revision = _integer(payload, "base_revision", 0)
    xml, files = bundle_payload(payload, SAVE_KEYS)
    try:
        changed = draft_changes(process_id, xml, files)
        saved, problems = runner().drafts.save(process_id, changed, base_version, base_revision,
                                               current_actor().user_id)  # fmt: skip
    except Refused as refused:
        return problem(422, "Hay archivos que no se pueden guardar en el borrador.", refused=refused.messages)
    except DraftConflict as exc:
        return problem(409, exc.message, conflict=conflict_json(exc))
    return jsonify({
        "process_id": process_id, "base_version": saved.base_version_id, "revision": saved.revision,
        "problems": problem_dicts(problems), "files": sorted(saved.files),
    })  # fmt: skip


def deploy(process_id: str):
    """Deploy the draft's ``revision`` (the one the client reviewed) with why (``comment``),
    recorded with who deployed it. The scenario tests of the changed processes run first."""
    require_role(ANALYST, resource=True)
    _versions(process_id)
    payload = body()
    unknown = sorted(set(payload) - {"revision", "comment"})
    if unknown:
        raise ApiError(400, f"Claves no admitidas: {', '.join(unknown)}. Use revision, comment.")
    revision = _integer(payload, "revision", 1)
    comment = payload.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        raise ApiError(400, "Falta «comment»: qué cambia y por qué (queda en el historial de versiones).")
    try:
        created = runner().drafts.deploy(process_id, revision, current_actor().user_id, comment, origin="api")
    except DiagramInvalid as exc:
        return problem(422, "El verificador encontró problemas; no se desplegó nada.",
                       problems=problem_dicts(exc.problems))  # fmt: skip
    except ScenariosFailed as exc:
        failed = [r for r in exc.results if not r.passed]
        return problem(
            422, exc.message,
            refused=[f"Escenario «{r.name}»: {r.problem}" for r in failed],
            scenarios=[{"name": r.name, "process": r.process, "problem": r.problem,
                        "element_id": r.element_id, "tasks": r.tasks} for r in failed],
        )  # fmt: skip
    return jsonify({"versions": [version_json(v) for v in created]}), 201 if created else 200


def discard(process_id: str):
    """Discard the draft's ``revision`` (409 if it changed since the client read it)."""
    require_role(ANALYST, resource=True)
    _versions(process_id)
    payload = body()
    unknown = sorted(set(payload) - {"revision"})
    if unknown:
        raise ApiError(400, f"Claves no admitidas: {', '.join(unknown)}. Use revision.")
    runner().drafts.discard(process_id, _integer(payload, "revision", 1))
    return "", 204


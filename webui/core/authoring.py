"""Deploying an analyst's changed diagram, decision tables, forms and lanes, shared by the
modeler pages and the API."""

from __future__ import annotations

import json

from flask import abort

from engine.diagrams import sort_uploads
from engine.diagrams import unused_uploads
from engine.drafts import DraftConflict
from engine.drafts import diagram_set
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.scenarios import ScenariosFailed
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.people import user_names


def problem_dicts(problems) -> list[dict]:
    return [
        {"file": p.file, "line": p.line, "element_id": p.element_id, "message": p.message, "text": str(p)}
        for p in problems
    ]


def conflict_json(exc: DraftConflict) -> dict:
    """Both changes of a refused draft save (the editors' conflict box and the API's 409)."""
    names = user_names([exc.by]) if exc.by else {}
    return {
        "by": names.get(exc.by, "Sistema") if exc.by else "Sistema",
        "at": exc.at.isoformat(timespec="seconds") if exc.at else None,
        "theirs": exc.theirs.summary(),
        "yours": exc.yours.summary() if exc.yours else [],
    }


class Refused(Exception):
    """Files of an upload that cannot be deployed, one Spanish message each; nothing deployed."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def bundle(process_id: str, xml: bytes | None, files: dict[str, bytes] | None = None, *,
           new_process_file: str | None = None, draft_files: dict[str, str] | None = None):  # fmt: skip
    """The deployed set with ``process_id``'s changed diagram (``xml``, or None to keep it) and
    other files of the bundle by name (.dmn, lanes.json, forms) in place; with ``draft_files``
    (the process's draft), over the draft instead of the deployed bundle.

    Raises Refused for a file it cannot take or that no process uses. The diagram replaces the
    process's file; ``new_process_file`` names a new file instead, for a diagram that is
    explicitly a new process (a Conflict when that file exists)."""
    versions = runner().versions(process_id)
    if not versions:
        abort(404)
    workflows, forms, refusals = sort_uploads(files or {})
    if refusals:
        raise Refused(refusals)
    deployed = runner().deployed_diagrams()
    if draft_files is not None:
        deployed = diagram_set(deployed, draft_files)
    source = versions[0][0].source_file
    if new_process_file is not None:
        if new_process_file in deployed.workflows:
            raise Conflict(
                f"Ya existe un archivo {new_process_file}: dé otro nombre al diagrama del proceso nuevo."
            )
        source = new_process_file
    if xml is not None:
        workflows[source] = xml
    diagrams = deployed.with_files(workflows=workflows, forms=forms)
    unused = unused_uploads(diagrams, {*workflows, *forms} - {source})
    if unused:
        raise Refused(unused)
    return diagrams


def draft_changes(process_id: str, xml: bytes | None, files: dict[str, bytes] | None = None) -> dict:
    """An upload as the changed files of the process's draft (named as in a version: the
    diagram's source file, ``x.dmn``, ``lanes.json``, ``forms/y.json``), checked as a deploy
    would be first, against the draft as it will be after this upload (a form only the draft's
    new diagram uses is used): Refused for a file it cannot take or that no process uses."""
    current = runner().drafts.get(process_id)
    editing = current.files if current is not None and not current.stale else None
    bundle(process_id, xml, files, draft_files=editing)
    workflows, forms, _refusals = sort_uploads(files or {})
    changed = {name: data.decode("utf-8", "replace") for name, data in workflows.items()}
    changed |= {f"forms/{name}": data.decode("utf-8", "replace") for name, data in forms.items()}
    if xml is not None:
        changed[runner().versions(process_id)[0][0].source_file] = xml.decode("utf-8", "replace")
    return changed


def deploy_bundle(
    process_id: str,
    xml: bytes | None,
    files: dict[str, bytes] | None = None,
    *,
    origin: str = "browser",
    new_process_file: str | None = None,
    comment: str | None = None,
):
    """Check and deploy a changed bundle (see ``bundle``) -> (new versions, checker problems).

    Raises Refused, deploying nothing, for a file it cannot take or that no process uses. The
    diagram may not declare a process id that is not deployed (engine.versions.NewProcessRefused,
    a Conflict): a changed id would leave the old process behind and start another."""
    diagrams = bundle(process_id, xml, files, new_process_file=new_process_file)
    try:
        created = runner().deploy(
            diagrams,
            deployed_by=current_actor().user_id,
            origin=origin,
            new_processes=new_process_file is not None,
            scenarios=True,
            comment=comment,
        )
    except ScenariosFailed as exc:
        raise Refused([f"Escenario «{r.name}»: {r.problem}" for r in exc.results if not r.passed]) from None
    except DiagramInvalid as exc:
        return [], exc.problems
    return created, []


def deploy_bpmn(process_id: str, xml: bytes, forms: dict[str, bytes] | None = None, **options):
    """Check and deploy a changed diagram of ``process_id`` -> (new versions, problems)."""
    return deploy_bundle(process_id, xml, forms, **options)


def modeler_files(payload: dict) -> dict[str, bytes] | None:
    """The other files a modeler page sends with its diagram: ``forms`` {file name: JSON} (new
    forms the form editor kept for it) and ``lanes`` (the whole lanes.json, when the panel
    changed it). None when they are not of that shape."""
    forms, lanes = payload.get("forms") or {}, payload.get("lanes")
    if not isinstance(forms, dict) or not all(isinstance(v, dict) for v in forms.values()):
        return None
    if lanes is not None and not isinstance(lanes, dict):
        return None
    files = {name: _json_file(form) for name, form in forms.items()}
    if lanes is not None:
        files["lanes.json"] = _json_file(lanes)
    return files


def _json_file(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode() + b"\n"

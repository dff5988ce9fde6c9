"""Deploying an analyst's changed diagram, shared by the modeler pages and the API."""

from __future__ import annotations

from flask import abort

from engine.errors import DiagramInvalid
from webui.core.identity import current_actor
from webui.core.identity import runner


def problem_dicts(problems) -> list[dict]:
    return [
        {"file": p.file, "line": p.line, "element_id": p.element_id, "message": p.message, "text": str(p)}
        for p in problems
    ]


def deploy_bpmn(process_id: str, xml: bytes, forms: dict[str, bytes] | None = None):
    """Check and deploy a changed diagram of ``process_id`` -> (new versions, problems)."""
    versions = runner().versions(process_id)
    if not versions:
        abort(404)
    source = versions[0][0].source_file
    diagrams = runner().deployed_diagrams().with_files(workflows={source: xml}, forms=forms or {})
    try:
        return runner().deploy(diagrams, deployed_by=current_actor().user_id), []
    except DiagramInvalid as exc:
        return [], exc.problems

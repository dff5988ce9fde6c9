"""What the deployed diagrams declare about each procedure (engine.procedures), read once per
request: display names, document labels, who may start what."""

from __future__ import annotations

from flask import g

from webui.core.identity import runner


def procedures() -> dict:
    """process id -> engine.procedures.Procedure of every deployed process (this request's)."""
    if "procedures" not in g:
        g.procedures = {procedure.process_id: procedure for procedure in runner().procedures()}
    return g.procedures


def procedure_name(process_id: str | None) -> str:
    found = procedures().get(process_id or "")
    return found.name if found else (process_id or "")


def document_label(slot: str | None) -> str:
    """A file slot's title in the forms that ask for it."""
    for procedure in procedures().values():
        if slot in procedure.documents:
            return procedure.documents[slot]
    return (slot or "").replace("_", " ").capitalize()


def started_anonymously(process_id: str | None) -> bool:
    """Whether anonymous people start this procedure (the home page's "Registro")."""
    found = procedures().get(process_id or "")
    return found is not None and found.startable_by == "anonymous"


def registration():
    """The procedure anonymous people start with "Registro" (the checker allows one), or None."""
    return next((p for p in procedures().values() if p.startable_by == "anonymous"), None)

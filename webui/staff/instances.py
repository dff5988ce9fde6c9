"""Instances (Operador, W5): the filtered list, one instance's diagram, data, task history and
audit log, and the heatmap of a process. Actions live in instance_actions.py."""

from __future__ import annotations

import datetime as dt

from flask import abort
from flask import render_template
from flask import request
from sqlalchemy import select

from engine.domain.models import Account
from engine.models import ProcessVersion
from webui.core.extensions import db
from webui.core.filters import datetime_es
from webui.core.filters import day_start_utc
from webui.core.identity import runner
from webui.core.inputs import MAX_ID
from webui.core.inputs import MAX_PAGE
from webui.core.inputs import int_value
from webui.core.policy import OPERATOR
from webui.core.policy import guard
from webui.staff.common import actor_label
from webui.staff.common import element_names
from webui.staff.common import user_names

STATUSES = {"running": "En curso", "completed": "Terminada", "cancelled": "Cancelada", "error": "Con error",
            "suspended": "Suspendida"}  # fmt: skip
SORTS = {
    "-created_at": "Más recientes primero",
    "created_at": "Más antiguas primero",
    "-updated_at": "Última actividad",
    "process_id": "Proceso",
    "status": "Estado",
    "id": "Número",
}
PER_PAGE = 50


def operators_only():
    return guard(OPERATOR)


def parse_date(value: str | None) -> dt.datetime | None:
    """A day typed as 15/03/2026 (or 2026-03-15): the UTC instant it starts for the reader."""
    text = (value or "").strip()
    for layout in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return day_start_utc(dt.datetime.strptime(text, layout).date())
        except ValueError:
            continue
    return None


def _int(value, maximum: int = MAX_ID) -> int | None:
    return int_value(value, maximum)  # "²" or 2**64 is no filter at all, never a 500


def account_id_for(value: str | None) -> int | None:
    """The account filter accepts a NIT (without check digit) or an account id."""

    value = (value or "").strip()
    if not value:
        return None
    found = db.session.scalar(select(Account.id).where(Account.nit == value))
    return found or _int(value) or -1


def list_filters(args) -> dict:
    """Runner.list_instances keyword arguments from query-string arguments (pages and API)."""
    until = parse_date(args.get("hasta"))
    sort = args.get("orden") or "-created_at"
    return {
        "process_id": args.get("proceso") or None,
        "version_id": _int(args.get("version")),
        "status": args.get("estado") if args.get("estado") in STATUSES else None,
        "account_id": account_id_for(args.get("cuenta")),
        "started_from": parse_date(args.get("desde")),
        "started_to": until + dt.timedelta(days=1) if until else None,
        "waiting_role": args.get("rol") or None,
        "sort": sort if sort in SORTS else "-created_at",
        "page": _int(args.get("pagina"), MAX_PAGE) or 1,
        "per_page": min(200, _int(args.get("por_pagina")) or PER_PAGE),
    }


def index():
    """Instances with filters (process, version, state, account, dates, waiting role), sorted, paged."""
    filters = list_filters(request.args)
    result = runner().list_instances(**filters)
    waiting = runner().waiting_tasks([row.id for row in result.rows])
    versions = version_choices()
    pages = max(1, -(-result.total // result.per_page))
    args = {k: v for k, v in request.args.items() if k != "pagina"}
    return render_template(
        "staff/instances/index.html", result=result, filters=filters, args=args, pages=pages,
        versions=versions, version_numbers={v.id: v.number for v in versions}, statuses=STATUSES,
        roles=runner().waiting_roles(), sorts=SORTS, waiting=waiting, title="Instancias",
    )  # fmt: skip


def version_choices():
    """(id, process_id, number) of every version, for the filter: no instance counts (no scans)."""

    query = select(ProcessVersion.id, ProcessVersion.process_id, ProcessVersion.number)
    return db.session.execute(query.order_by(ProcessVersion.process_id, ProcessVersion.number.desc())).all()


def history(view, names) -> list[dict]:
    """The event log in words, oldest first."""
    ids = {int(e["actor"].split(":", 1)[1]) for e in view.events if (e["actor"] or "").startswith("usuario:")}
    who = user_names(ids) | names
    return [
        {
            "at": datetime_es(e["at"], seconds=True),
            "who": actor_label(e["actor"], who),
            "kind": e["kind"],
            "element_id": e["element_id"],
            "data": e["data"],
        }
        for e in view.events
    ]


def show(instance_id: int, variables: str | None = None, errors: dict | None = None, status: int = 200,
         preview: str | None = None):  # fmt: skip
    """One instance: coloured diagram, per-element history, redacted data, tasks, log, actions
    (``variables`` and ``errors``: an edit of the data refused, drawn again as typed;
    ``preview``: what moving the token would do, the form kept as filled)."""
    view = runner().instance(instance_id)
    version = runner().version(view.version_id)
    xml = version.files.get(version.source_file, "")
    states = runner().element_states(instance_id)
    events = history(view, {})
    element = request.args.get("elemento") or None
    newest = next(v for v in version_choices() if v.process_id == view.process_id)
    return render_template(
        "staff/instances/show.html", view=view, version=version, xml=xml, states=states, events=events,
        element=element, element_events=[e for e in events if e["element_id"] == element],
        names=element_names(xml), newest=newest, statuses=STATUSES, title=f"Instancia {instance_id}",
        incidents=runner().instance_incidents(instance_id), variables=variables, errors=errors or {},
        preview=preview, called=runner().called_processes(instance_id),
    ), status  # fmt: skip


def process_file(files: dict[str, str], process_id: str) -> str:
    """The BPMN text (of a version's files) that defines ``process_id``."""
    marker = f'id="{process_id}"'
    for name, text in sorted(files.items()):
        if name.endswith(".bpmn") and text and f"process {marker}" in text.replace("bpmn:process", "process"):
            return text
    return ""


def called(instance_id: int, task_id: str):
    """A process an instance called (a call activity): its diagram coloured by state and the
    tasks waiting inside it, with the way back to the calling instance."""
    view = runner().instance(instance_id)
    found = [c for c in runner().called_processes(instance_id) if c.task_id == task_id]
    if not found:
        abort(404)
    child = found[0]
    version = runner().version(view.version_id)
    xml = process_file(version.files, child.process_id)
    caller_xml = process_file(version.files, child.caller_process_id)
    return render_template(
        "staff/instances/called.html", view=view, child=child, xml=xml, names=element_names(xml),
        caller_names=element_names(caller_xml), title=f"Instancia {instance_id}: {child.element_name}",
    )  # fmt: skip


def heatmap(process_id: str):
    """Per element: instances that passed and median time spent there, over a period."""
    versions = [v for v in version_choices() if v.process_id == process_id]
    if not versions:
        abort(404)
    since = parse_date(request.args.get("desde"))
    until = parse_date(request.args.get("hasta"))
    heat = runner().heatmap(process_id, since, until + dt.timedelta(days=1) if until else None)
    version = runner().version(versions[0].id)
    xml = version.files.get(version.source_file, "")
    names = element_names(xml)
    rows = sorted(heat.items(), key=lambda item: (-item[1][0], item[0]))
    return render_template(
        "staff/instances/heatmap.html", process_id=process_id, version=version, xml=xml, names=names,
        rows=rows, heat={k: {"count": n, "median": s} for k, (n, s) in heat.items()},
        since=request.args.get("desde", ""), until=request.args.get("hasta", ""),
        title=f"Mapa de calor: {process_id}",
    )  # fmt: skip

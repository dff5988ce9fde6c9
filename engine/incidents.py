"""Incidents: an automatic step (script, service task, condition, timer, message) that failed.

The step path (``engine.steps``) keeps what came before the failure — the task a person
completed, the message that arrived — and stops the instance at the failing element in
status ``error`` with one open incident row: the element, the error in Spanish words and
its technical detail, when, and the names of the data the element saw. Operators see the
queue (``/instancias/incidentes``), are told by email through the outbox, and retry the
element once the data or the version is fixed; a retry that fails again updates the same
incident, one that succeeds resolves it. Each function works inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select

from engine.models import Incident
from engine.models import ProcessVersion

OPEN = "open"
RESOLVED = "resolved"


def in_words(cause: BaseException | None, element: str | None) -> str:
    """What went wrong, in Spanish, for an operator who does not read Python tracebacks."""
    where = f"El paso «{element}»" if element else "Un paso automático"
    if isinstance(cause, NameError):
        name = getattr(cause, "name", None) or str(cause)
        return f"{where} usa el dato «{name}», que el trámite no tiene."
    if isinstance(cause, KeyError):
        return f"{where} busca la clave {cause}, que los datos del trámite no tienen."
    if isinstance(cause, ZeroDivisionError):
        return f"{where} intentó dividir por cero."
    if isinstance(cause, TypeError | ValueError | AttributeError):
        return f"{where} recibió un dato de un tipo o valor que no esperaba."
    message = getattr(cause, "message", None)
    if isinstance(message, str) and message:  # the budget's Spanish messages (LimitExceeded)
        return f"{where} falló: {message}"
    return f"{where} falló por un error interno."


@dataclass(frozen=True)
class IncidentView:
    id: int
    instance_id: int
    process_id: str
    process_name: str
    element_id: str | None
    element_name: str | None
    step: str
    message: str
    detail: str
    data_keys: list[str]
    status: str
    failures: int
    opened_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None

    @classmethod
    def of(cls, row: Incident, process_name: str | None = None) -> IncidentView:
        return cls(
            id=row.id, instance_id=row.instance_id, process_id=row.process_id,
            process_name=process_name or row.process_id, element_id=row.element_id,
            element_name=row.element_name, step=row.step, message=row.message, detail=row.detail,
            data_keys=list(row.data_keys or []), status=row.status, failures=row.failures,
            opened_at=row.opened_at, updated_at=row.updated_at, resolved_at=row.resolved_at,
            resolution=row.resolution,
        )  # fmt: skip


def open_incident(session, instance_id: int) -> Incident | None:
    return session.scalar(
        select(Incident).where(Incident.instance_id == instance_id, Incident.status == OPEN).limit(1)
    )


def record(session, *, instance_id, process_id, element_id, element_name, step, message, detail,
           data_keys, now) -> tuple[Incident, bool]:  # fmt: skip
    """Open an incident on the instance, or update its open one (a retry that failed again).
    Returns the row and whether it is new."""
    row = open_incident(session, instance_id)
    if row is not None:
        row.element_id, row.element_name, row.step = element_id, element_name, step
        row.message, row.detail = message, detail[:4000]
        row.data_keys = data_keys
        row.failures += 1
        row.updated_at = now
        return row, False
    row = Incident(
        instance_id=instance_id, process_id=process_id, element_id=element_id, element_name=element_name,
        step=step, message=message, detail=detail[:4000], data_keys=data_keys, status=OPEN, failures=1,
        opened_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row, True


def resolve(session, instance_id: int, resolution: str, user_id: int | None, now) -> Incident | None:
    """Close the instance's open incident (retried, skipped, moved, cancelled), if any."""
    row = open_incident(session, instance_id)
    if row is not None:
        row.status, row.resolution, row.resolved_by, row.resolved_at, row.updated_at = (
            RESOLVED, resolution, user_id, now, now,
        )  # fmt: skip
    return row


def notify(session, people, mailer, incident: Incident, base_url: str, now) -> list[str]:
    """Queue the operators' emails about a new incident (the worker sends them)."""
    if people is None or mailer is None or not hasattr(people, "incident_notices"):
        return []
    sent = []
    for notice in people.incident_notices(session, IncidentView.of(incident), base_url):
        mailer.queue_notice(session, notice, incident.instance_id, now)
        sent.append(notice.to)
    return sent


AGES = {"hoy": dt.timedelta(days=1), "semana": dt.timedelta(days=7)}


def listing(session, status=OPEN, process_id=None, element_id=None, age=None, text=None, now=None,
            limit=200) -> list[IncidentView]:  # fmt: skip
    """Incidents, oldest open first, by process, element, age ("hoy", "semana", "antiguos":
    older than a week) and words of the error."""
    query = select(Incident)
    if status:
        query = query.where(Incident.status == status)
    if process_id:
        query = query.where(Incident.process_id == process_id)
    if element_id:
        query = query.where(Incident.element_id == element_id)
    if age in AGES and now is not None:
        query = query.where(Incident.opened_at >= now - AGES[age])
    elif age == "antiguos" and now is not None:
        query = query.where(Incident.opened_at < now - AGES["semana"])
    if text:
        query = query.where(func.lower(Incident.message).contains(text.lower(), autoescape=True))
    rows = session.scalars(query.order_by(Incident.opened_at, Incident.id).limit(limit)).all()
    names = process_names(session, {row.process_id for row in rows})
    return [IncidentView.of(row, names.get(row.process_id)) for row in rows]


def process_names(session, process_ids) -> dict[str, str]:
    if not process_ids:
        return {}
    newest = (
        select(ProcessVersion.process_id, ProcessVersion.name)
        .where(ProcessVersion.process_id.in_(process_ids))
        .order_by(ProcessVersion.number)
    )
    return {process_id: name for process_id, name in session.execute(newest)}


def of_instance(session, instance_id: int) -> list[IncidentView]:
    rows = session.scalars(
        select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id.desc())
    ).all()
    return [IncidentView.of(row) for row in rows]


def open_counts(session) -> dict[str, int]:
    """process -> open incidents (the /metrics gauge, the dashboard, the operators' inbox)."""
    rows = session.execute(
        select(Incident.process_id, func.count()).where(Incident.status == OPEN).group_by(Incident.process_id)
    )
    return {process: count for process, count in rows}

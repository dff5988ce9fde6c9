"""Which tasks wait in a queue that several people share, where "Tomar" makes sense.

A task of the Usuario lane is its owner's own. A task of an account lane (e.g. "Revisar
solicitud de acceso" for the account's Administradores) is the user's own too while the
account has one person in that role: claiming it would only add a click. A platform role's
task (the Mesa de Servicio) is always a queue: agents come and go.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from engine.domain.models import Membership
from webui.core.extensions import db
from webui.core.identity import runner


def queued(tasks) -> set[str]:
    """Ids of the ``tasks`` (TaskSummary) that sit in a shared queue."""
    shared = {t.id for t in tasks if t.role and t.account_id is None}
    by_account = {(t.account_id, t.role) for t in tasks if t.role and t.account_id is not None}
    if by_account:
        rows = db.session.execute(
            select(Membership.account_id, Membership.role)
            .where(Membership.account_id.in_({account for account, _ in by_account}))
            .group_by(Membership.account_id, Membership.role)
            .having(func.count() > 1)
        )
        crowded = {(row.account_id, row.role) for row in rows}
        shared |= {t.id for t in tasks if (t.account_id, t.role) in crowded}
    return shared


def supervision_views(actor) -> dict[str, bool]:
    """Which supervisors' views of the inbox this actor has: its queues' tasks whoever holds
    them ("supervision"), and the tasks nobody can work ("sin_responsable", platform only)."""
    supervision = runner().tasks.supervision
    if supervision is None:
        return {"supervision": False, "sin_responsable": False}
    platform = supervision.platform_role in actor.platform_roles
    accounts = supervision.account_role in actor.account_roles.values()
    return {"supervision": platform or accounts, "sin_responsable": platform}

"""The SECOP people behind the lanes (the engine's ``People`` port, engine/people.py): who
holds a role, who supervises a queue, whom to tell about an overdue task.

Supervisors: the platform role ``supervisor`` supervises every shared queue (the Mesa de
Servicio's and the accounts') and the tasks nobody can work; an account's Administradores
supervise that account's lanes. Only active users count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select

from engine.domain import rules
from engine.domain.models import ROLE_ADMIN
from engine.domain.models import USER_ACTIVE
from engine.domain.models import Membership
from engine.domain.models import User
from engine.domain.models import UserRole
from engine.models import HumanTask
from engine.models import ProcessInstance
from engine.models import ProcessVersion
from engine.people import Notice
from engine.people import Person
from engine.people import Supervision

SUPERVISOR = "supervisor"
OPERATOR = "operador"
ESCALATION_TEMPLATE = "tarea_vencida"
INCIDENT_TEMPLATE = "incidente_abierto"


def _person(row) -> Person:
    name = f"{row.first_names} {row.last_names}".strip() or row.username
    return Person(row.id, row.username, name, row.email)


def _platform_holders(role):
    return (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.status == USER_ACTIVE)
    )


def _account_holders(account_id, role):
    return select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.account_id == account_id, Membership.role == role, User.status == USER_ACTIVE
    )


class SecopPeople:
    supervision = Supervision(platform_role=SUPERVISOR, account_role=ROLE_ADMIN)

    def holder_exists(self):
        platform = exists(
            select(UserRole.id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == HumanTask.role, User.status == USER_ACTIVE)
        )
        account = exists(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.account_id == HumanTask.account_id, Membership.role == HumanTask.role,
                   User.status == USER_ACTIVE)
        )  # fmt: skip
        owner = or_(HumanTask.owner_user_id.is_not(None), HumanTask.anonymous_token_hash.is_not(None))
        return or_(
            and_(HumanTask.lane_kind == "platform", platform),
            and_(HumanTask.lane_kind == "account", account),
            and_(HumanTask.lane_kind == "owner", owner),
        )

    def holders(self, session, task, limit: int) -> list[Person]:
        if task.lane_kind == "platform":
            query = _platform_holders(task.role)
        elif task.lane_kind == "account" and task.account_id is not None:
            query = _account_holders(task.account_id, task.role)
        else:
            return []
        rows = session.scalars(query.order_by(User.first_names, User.last_names, User.id).limit(limit))
        return [_person(row) for row in rows]

    def person(self, session, user_id: int) -> Person | None:
        row = session.get(User, user_id)
        return _person(row) if row is not None and row.status == USER_ACTIVE else None

    def supervisors(self, session, task) -> list[Person]:
        """An account lane's Administradores; the platform's supervisors for the Mesa de
        Servicio's queues and for an account without an active Administrador."""
        found = []
        if task.lane_kind == "account" and task.account_id is not None:
            found = list(session.scalars(_account_holders(task.account_id, ROLE_ADMIN).order_by(User.id)))
        if not found and task.lane_kind in ("platform", "account"):
            found = list(session.scalars(_platform_holders(SUPERVISOR).order_by(User.id)))
        return [_person(row) for row in found]

    def escalation(self, session, task, base_url: str) -> list[Notice]:
        process = session.scalar(
            select(ProcessVersion.name)
            .join(ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
            .where(ProcessInstance.id == task.instance_id)
        )
        notices = []
        for person in self.supervisors(session, task):
            row = session.get(User, person.user_id)
            due = task.due_at.replace(tzinfo=dt.UTC).astimezone(rules.time_zone(row.time_zone))
            context = {
                "name": person.name,
                "task_title": task.title,
                "process_name": process or task.process_id,
                "instance_id": task.instance_id,
                "queue": task.lane or "",
                "due": due.strftime("%d/%m/%Y %H:%M"),
                "link": f"{base_url}/tareas/{task.id}",
                "inbox_link": f"{base_url}/tareas/?vista=supervision&vencimiento=vencidas",
            }
            notices.append(Notice(person.email, ESCALATION_TEMPLATE, context))
        return notices

    def incident_notices(self, session, incident, base_url: str) -> list[Notice]:
        """Every active operator (the platform role ``operador``) hears of a new incident."""
        process = session.scalar(
            select(ProcessVersion.name)
            .where(ProcessVersion.process_id == incident.process_id)
            .order_by(ProcessVersion.number.desc())
            .limit(1)
        )
        notices = []
        for row in session.scalars(_platform_holders(OPERATOR).order_by(User.id)):
            person = _person(row)
            context = {
                "name": person.name,
                "process_name": process or incident.process_id,
                "instance_id": incident.instance_id,
                "element": incident.element_name or incident.element_id or "",
                "message": incident.message,
                "link": f"{base_url}/instancias/{incident.instance_id}",
                "queue_link": f"{base_url}/instancias/incidentes",
            }
            notices.append(Notice(person.email, INCIDENT_TEMPLATE, context))
        return notices

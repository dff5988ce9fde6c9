"""Who may work a task: lanes map to roles (workflows/lanes.json), decided in one place."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import and_

from engine.actors import Actor
from engine.errors import NotFound
from engine.errors import TaskNotReady
from engine.models import HumanTask
from engine.people import Supervision


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def assignment(lanes: dict, lane: str | None, task_data: dict, owner_user_id, anonymous_token_hash) -> dict:
    """Index columns that say who may work a task in ``lane``. Tasks outside any lane belong
    to the instance's owner, like SpiffArena's "process initiator" rule."""
    rule = lanes.get(lane) if lane else None
    kind = rule["kind"] if rule else "owner"
    if kind == "account":
        account = task_data.get(rule.get("account_variable", "account_id"))
        return {
            "lane_kind": kind,
            "role": rule["role"],
            "account_id": account if isinstance(account, int) else None,
        }
    if kind == "platform":
        return {"lane_kind": kind, "role": rule["role"]}
    return {
        "lane_kind": "owner",
        "owner_user_id": owner_user_id,
        "anonymous_token_hash": None if owner_user_id else anonymous_token_hash,
    }


def may_work(actor: Actor, task: HumanTask) -> bool:
    """The one rule for every user task, mirrored by ``inbox_queues`` for SQL: the lane's, or
    being the person a supervisor named for it."""
    if named(actor, task):
        return True
    return by_lane(actor, task)


def named(actor: Actor, task: HumanTask) -> bool:
    """A supervisor handed this task to this person (engine.inbox.reassign)."""
    return task.assigned_by is not None and actor.user_id is not None and task.claimed_by == actor.user_id


def by_lane(actor: Actor, task: HumanTask) -> bool:
    """The lane's rule alone: workflows/lanes.json's role, the account's role, the owner."""
    if task.lane_kind == "platform":
        return task.role in actor.platform_roles
    if task.lane_kind == "account":
        return task.account_id is not None and actor.account_roles.get(task.account_id) == task.role
    if task.owner_user_id is not None:
        return actor.user_id == task.owner_user_id
    return task.anonymous_token_hash in {token_hash(t) for t in actor.anonymous_tokens}


def inbox_queues(actor: Actor) -> list:
    """One WHERE clause per queue the actor works — their own tasks, their anonymous ones,
    each platform role, each account role. Each is served by its own index in created_at
    order (see HumanTask); ``may_work`` is the same rule for one task."""
    queues = []
    if actor.user_id is not None:
        queues.append(and_(HumanTask.owner_user_id == actor.user_id, HumanTask.lane_kind == "owner"))
        queues.append(and_(HumanTask.claimed_by == actor.user_id, HumanTask.assigned_by.is_not(None)))
    if actor.anonymous_tokens:
        hashes = [token_hash(t) for t in actor.anonymous_tokens]
        queues.append(
            and_(
                HumanTask.anonymous_token_hash.in_(hashes),
                HumanTask.lane_kind == "owner",
                HumanTask.owner_user_id.is_(None),
            )
        )
    for role in sorted(actor.platform_roles):
        queues.append(and_(HumanTask.lane_kind == "platform", HumanTask.role == role))
    for account, role in sorted(actor.account_roles.items()):
        queues.append(
            and_(HumanTask.account_id == account, HumanTask.role == role, HumanTask.lane_kind == "account")
        )
    return queues


def supervises(actor: Actor, task: HumanTask, supervision: Supervision | None) -> bool:
    """Whether ``actor`` supervises the queue ``task`` waits in (engine.people.Supervision)."""
    if supervision is None or task.lane_kind == "owner":
        return False
    if supervision.platform_role and supervision.platform_role in actor.platform_roles:
        return True
    return (
        task.lane_kind == "account"
        and task.account_id is not None
        and supervision.account_role is not None
        and actor.account_roles.get(task.account_id) == supervision.account_role
    )


def supervised_queues(actor: Actor, supervision: Supervision | None) -> list:
    """``supervises`` for SQL: one WHERE clause per queue the actor supervises."""
    if supervision is None:
        return []
    if supervision.platform_role and supervision.platform_role in actor.platform_roles:
        return [HumanTask.lane_kind.in_(("platform", "account"))]
    accounts = sorted(a for a, role in actor.account_roles.items() if role == supervision.account_role)
    if not accounts:
        return []
    return [and_(HumanTask.lane_kind == "account", HumanTask.account_id.in_(accounts))]


def task_key(task_id) -> str:
    """A task id as the index stores it (a UUID string), or NotFound."""
    try:
        uuid.UUID(str(task_id))
    except ValueError:
        raise NotFound("La tarea no existe.") from None
    return str(task_id)


def workable(actor: Actor, row: HumanTask | None) -> HumanTask:
    """``row`` if this actor may work it now; else the error to show, revealing nothing
    about tasks of others."""
    if row is None or not may_work(actor, row):
        raise NotFound("La tarea no existe o no está asignada a usted.")
    if row.status != "ready":
        raise TaskNotReady("Esta tarea ya fue atendida.")
    return row

"""Who may work a task: lanes map to roles (workflows/lanes.json), decided in one place."""

from __future__ import annotations

import hashlib

from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_

from engine.actors import Actor
from engine.models import HumanTask


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
    """The one rule for every user task, mirrored by ``inbox_clause`` for SQL."""
    if task.lane_kind == "platform":
        return task.role in actor.platform_roles
    if task.lane_kind == "account":
        return task.account_id is not None and actor.account_roles.get(task.account_id) == task.role
    if task.owner_user_id is not None:
        return actor.user_id == task.owner_user_id
    return task.anonymous_token_hash in {token_hash(t) for t in actor.anonymous_tokens}


def inbox_clause(actor: Actor):
    clauses = []
    if actor.user_id is not None:
        clauses.append(and_(HumanTask.lane_kind == "owner", HumanTask.owner_user_id == actor.user_id))
    if actor.anonymous_tokens:
        hashes = [token_hash(t) for t in actor.anonymous_tokens]
        clauses.append(
            and_(
                HumanTask.lane_kind == "owner",
                HumanTask.owner_user_id.is_(None),
                HumanTask.anonymous_token_hash.in_(hashes),
            )
        )
    if actor.platform_roles:
        clauses.append(
            and_(HumanTask.lane_kind == "platform", HumanTask.role.in_(sorted(actor.platform_roles)))
        )
    by_role: dict[str, list[int]] = {}
    for account, role in actor.account_roles.items():
        by_role.setdefault(role, []).append(account)
    for role, accounts in by_role.items():
        clauses.append(
            and_(HumanTask.lane_kind == "account", HumanTask.role == role, HumanTask.account_id.in_(accounts))
        )
    return or_(*clauses) if clauses else false()

"""JSON API v1: who holds a task (claim, release, reassign, unclaim) and starting a
procedure, with the same rules as the pages (the engine decides; engine/inbox.py)."""

from __future__ import annotations

from flask import jsonify
from flask import request

from engine.errors import FormInvalid
from engine.errors import NotAuthorized
from engine.inbox import DUE_FILTERS
from engine.inbox import ORDERS
from webui.api.v1 import ApiError
from webui.api.v1 import body
from webui.api.v1 import require_person
from webui.api.v1 import task_json
from webui.core.identity import runner
from webui.core.inputs import MAX_ID
from webui.core.people import user_id_for

SCOPES = ("mine", "supervised", "unworkable")


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in allowed:
        raise ApiError(400, f"«{name}» debe ser uno de: {', '.join(allowed)}.")
    return value


def tasks():
    """Ready tasks: those the caller may work (``scope=mine``), those of the queues it
    supervises (``supervised``) or those nobody can work (``unworkable``, platform supervisors);
    by due date (``due``) and sorted (``order``)."""
    actor = require_person()
    process_id = request.args.get("process_id") or None
    scope = _choice("scope", SCOPES) or "mine"
    due, order = _choice("due", DUE_FILTERS), _choice("order", ORDERS)
    if scope == "supervised":
        found = runner().supervised_tasks(actor, process_id=process_id, due=due, order=order)
    elif scope == "unworkable":
        found = runner().unworkable_tasks(actor)
    else:
        found = runner().inbox(actor, process_id=process_id, due=due, order=order)
    return jsonify({"tasks": [task_json(t) for t in found]})


def _reason(payload: dict) -> str | None:
    reason = payload.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ApiError(400, "«reason» debe ser texto.")
    return reason


def claim(task_id: str):
    """Take a shared task (``Tomar``)."""
    return jsonify({"task": task_json(runner().claim(require_person(), task_id))})


def release(task_id: str):
    """Give a task one holds back to its queue (``Liberar``)."""
    return jsonify({"task": task_json(runner().release(require_person(), task_id))})


def reassign(task_id: str):
    """Hand a task to ``username`` (or ``user_id``): its holder delegates; a supervisor of its
    queue reassigns, with a ``reason``."""
    actor = require_person()
    payload = body()
    user_id = payload.get("user_id")
    if user_id is None:
        user_id = user_id_for(payload.get("username"))
    elif type(user_id) is not int or not 0 < user_id <= MAX_ID:  # JSON true is an int too
        raise ApiError(400, "«user_id» debe ser un número.")
    summary = runner().reassign(actor, task_id, user_id, _reason(payload))
    return jsonify({"task": task_json(summary)})


def unclaim(task_id: str):
    """A supervisor takes a task back from whoever holds it (``reason`` required)."""
    return jsonify({"task": task_json(runner().unclaim(require_person(), task_id, _reason(body())))})


def start(process_id: str):
    """Start a procedure its diagram lets this person begin by hand (the pages' "Iniciar");
    ``account_id`` for one started for an account, by who holds the role its diagram names
    there. 201 with its first tasks."""
    actor = require_person()
    account_id = body().get("account_id")
    if account_id is not None and (type(account_id) is not int or not 0 < account_id <= MAX_ID):
        raise ApiError(422, "Indique la cuenta («account_id»).",
                       errors={"account_id": ["Indique la cuenta."]})  # fmt: skip
    try:
        started = runner().start_by_hand(process_id, actor, account_id)
    except FormInvalid as exc:
        raise ApiError(422, "Indique la cuenta («account_id»).", errors=exc.errors) from None
    except NotAuthorized as exc:
        raise ApiError(403, exc.message or "No puede iniciar este trámite.") from None
    return jsonify({"instance_id": started.instance_id,
                    "next_tasks": [task_json(t) for t in started.next_tasks]}), 201  # fmt: skip

"""Mesa de Servicio (§7): support cases with their numbers, documents, decisions and tasks."""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort
from flask import render_template
from flask import request
from sqlalchemy import or_
from sqlalchemy import select

from engine.domain.models import Account
from engine.domain.models import Document
from engine.domain.models import SupportCase
from engine.domain.models import SupportCaseDecision
from engine.domain.models import User
from engine.domain.rules import departments
from engine.domain.rules import place_name
from webui.core import policy
from webui.core.extensions import db
from webui.core.identity import current_actor
from webui.core.identity import runner

ROLE = "mesa_servicio"


def field_labels(forms_dir) -> dict[str, str]:
    """Spanish titles of every form field, to show a case's request data with its labels."""
    labels: dict[str, str] = {}
    for path in sorted(Path(forms_dir).glob("*-schema.json")):
        for name, prop in (json.loads(path.read_text(encoding="utf-8")).get("properties") or {}).items():
            labels.setdefault(name, prop.get("title") or name)
    return labels


def agents_only():
    """Only Mesa de Servicio agents; a case id is "not found" for everybody else."""
    return policy.guard(policy.MESA)


def cases():
    """Cases, newest first, filtered by state and by number, Entidad or NIT, with the agent's
    open tasks."""
    state = request.args.get("estado") or None
    number = (request.args.get("numero") or "").strip()
    query = (select(SupportCase, Account).outerjoin(Account, Account.id == SupportCase.account_id)
             .order_by(SupportCase.id.desc()).limit(200))  # fmt: skip
    if state:
        query = query.where(SupportCase.state == state)
    if number:  # what a caller reads out: the case number, or the Entidad's name or NIT
        digits = "".join(ch for ch in number if ch.isdigit())
        query = query.where(or_(
            SupportCase.number.ilike(f"%{number}%"),
            Account.name.ilike(f"%{number}%"),
            Account.nit == (digits[:9] if len(digits) == 10 else digits),
        ))  # fmt: skip
    rows = db.session.execute(query).all()
    tasks = runner().inbox(current_actor(), role=ROLE)
    by_instance: dict[int, list] = {}
    for t in tasks:
        by_instance.setdefault(t.instance_id, []).append(t)
    states = db.session.scalars(select(SupportCase.state).distinct().order_by(SupportCase.state)).all()
    return render_template(
        "desk/cases.html",
        rows=rows,
        by_instance=by_instance,
        states=states,
        state=state,
        number=number,
        tasks=tasks,
        startable=[p for p in runner().startable(current_actor()) if p.startable_by == f"platform:{ROLE}"],
        title="Mesa de Servicio",
    )


def case(case_id: int):
    """One case: request data, the account and its documents, every decision, open tasks."""
    row = db.session.get(SupportCase, case_id) or abort(404)
    account = db.session.get(Account, row.account_id) if row.account_id else None
    documents = []
    if account is not None:
        documents = db.session.scalars(
            select(Document)
            .where(Document.account_id == account.id)
            .order_by(Document.slot, Document.uploaded_at)
        ).all()
    decisions = db.session.execute(
        select(SupportCaseDecision, User).outerjoin(User, User.id == SupportCaseDecision.decided_by)
        .where(SupportCaseDecision.case_id == case_id).order_by(SupportCaseDecision.decided_at)
    ).all()  # fmt: skip
    tasks = runner().inbox(current_actor(), instance_id=row.instance_id) if row.instance_id else []
    shown = {"municipality": place_name, "department": lambda code: dict(departments()).get(code, code)}

    labels = field_labels(runner().config.forms_dir)
    request_data = [(labels.get(k, k), shown[k](v) if k in shown else v) for k, v in (row.data or {}).items()]
    return render_template(
        "desk/case.html",
        request_data=request_data,
        case=row,
        account=account,
        documents=documents,
        decisions=decisions,
        tasks=tasks,
        title=f"Caso {row.number}",
    )

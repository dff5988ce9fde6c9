"""§8 "Mis registros": the person's access requests with their states (R4), and cancelling
a pending one."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select

from engine.domain.models import REQUEST_PENDING
from engine.domain.models import AccessRequest
from engine.domain.models import Account
from engine.errors import DomainError
from engine.errors import MessageNotExpected
from webui.core import policy
from webui.core.extensions import db
from webui.core.identity import current_actor
from webui.core.identity import runner


@login_required
def requests():
    """Mis registros: every access request with its state (R4)."""
    rows = db.session.execute(
        select(AccessRequest, Account).join(Account, Account.id == AccessRequest.account_id)
        .where(AccessRequest.user_id == current_user.id).order_by(AccessRequest.created_at.desc())
    ).all()  # fmt: skip
    startable = [p for p in runner().startable(current_actor()) if p.offered_on("mis_registros")]
    return render_template("accounts/requests.html", rows=rows, startable=startable, title="Mis registros")


@login_required
def cancel_request(request_id: int):
    """Cancel one of my pending access requests."""
    row = db.session.get(AccessRequest, request_id)
    if not policy.may_cancel_request(row):
        abort(404)
    if row.state != REQUEST_PENDING:
        flash(f"La solicitud ya no está pendiente (estado: {row.state}).", "error")
        return redirect(url_for("accounts.requests"))
    try:
        runner().deliver_message("cancelar_solicitud", str(request_id), actor=current_actor())
    except (MessageNotExpected, DomainError) as exc:
        flash(exc.message or "No fue posible cancelar la solicitud.", "error")
    else:
        flash("La solicitud quedó cancelada.", "success")
    return redirect(url_for("accounts.requests"))

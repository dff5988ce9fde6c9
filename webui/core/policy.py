"""Who may see or act on what: the one place the web layer asks.

Tasks are decided by the engine's lane rule (``engine.lanes.may_work`` / ``inbox_queues``),
for pages and API alike, because the engine enforces it on every call. Everything else a
person can reach — the Directorio, accounts, documents, support cases, access requests,
role pages — is decided by the predicates below, from the request's engine Actor. Views ask
these predicates and answer 404 for a record the person may not see (never revealing that
it exists) and 403 for a page their role does not open.
"""

from __future__ import annotations

from flask import abort
from flask import request
from flask_login import current_user
from sqlalchemy import select

from engine.domain import models as m
from engine.domain.platform_roles import PLATFORM_ADMIN
from webui.core.extensions import db
from webui.core.extensions import login_manager
from webui.core.identity import current_actor

ANALYST = "analista"
OPERATOR = "operador"
ADMIN = PLATFORM_ADMIN
MESA = "mesa_servicio"
SUPERVISOR = "supervisor"  # supervises every shared queue (engine.domain.people)
ROLE_NAMES = {
    ANALYST: "Analista",
    OPERATOR: "Operador",
    MESA: "Mesa de Servicio",
    SUPERVISOR: "Supervisor de colas",
    ADMIN: "Administrador de la plataforma",
}


def init_app(app) -> None:
    """What templates may ask of the policy."""

    @app.context_processor
    def inject_policy():
        return {"has_role": has_role, "ROLE_NAMES": ROLE_NAMES, "is_mesa": is_mesa,
                "sees_directory": sees_directory}  # fmt: skip


def has_role(role: str) -> bool:
    """The logged-in user holds this platform role."""
    return current_user.is_authenticated and current_actor().has_platform_role(role)


def is_mesa() -> bool:
    return has_role(MESA)


def guard(role: str):
    """before_request of a role's pages: login first; then 404 for a record id, 403 for a page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not has_role(role):
        abort(404 if request.view_args else 403)
    return None


def has_active_access() -> bool:
    """A role in at least one active account (R5/A3)."""
    accounts = list(current_actor().account_roles)
    if not accounts:
        return False
    query = select(m.Account.id).where(m.Account.id.in_(accounts), m.Account.state == m.ACCOUNT_ACTIVE)
    return db.session.scalars(query.limit(1)).first() is not None


def sees_directory() -> bool:
    """The Directorio and its documents: users with access to an active account, and the
    platform's staff (R5: without access, no Directorio)."""
    return current_user.is_authenticated and (bool(current_actor().platform_roles) or has_active_access())


def may_see_directory_entry(account) -> bool:
    return account is not None and account.state == m.ACCOUNT_ACTIVE and sees_directory()


def may_download(document) -> bool:
    """Mesa de Servicio; the uploader; members of the document's account; and, once the account
    is active and the document attached, everyone who sees the Directorio (A3)."""
    if not current_user.is_authenticated or document is None:
        return False
    actor = current_actor()
    if actor.has_platform_role(MESA) or document.uploaded_by == current_user.id:
        return True
    if document.account_id is None:
        return False
    if document.account_id in actor.account_roles:
        return True
    account = db.session.get(m.Account, document.account_id)
    return document.state == "attached" and may_see_directory_entry(account) and has_active_access()


def may_see_case(case) -> bool:
    """Support cases are the Mesa de Servicio's."""
    return case is not None and is_mesa()


def may_cancel_request(access_request) -> bool:
    """Only the person who asked may cancel their access request."""
    return (
        access_request is not None
        and current_user.is_authenticated
        and access_request.user_id == current_user.id
    )

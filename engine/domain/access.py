"""Services of access to an account (guide §8) and of its members: request, decide, cancel,
change or remove a membership (an account always keeps one Usuario Administrador, §3.1)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from engine.context import StepContext
from engine.domain.accounts import administrator_emails
from engine.domain.accounts import get_account
from engine.domain.models import REQUEST_ACCEPTED
from engine.domain.models import REQUEST_CANCELLED
from engine.domain.models import REQUEST_PENDING
from engine.domain.models import REQUEST_REJECTED
from engine.domain.models import ROLE_ADMIN
from engine.domain.models import ROLE_BUYER
from engine.domain.models import AccessRequest
from engine.domain.models import Account
from engine.domain.models import Membership
from engine.domain.models import User
from engine.domain.registry import service
from engine.errors import DomainError

LAST_ADMIN_MESSAGE = (
    "La cuenta debe conservar al menos un Usuario Administrador: asigne otro antes de quitar este."
)


def _request(ctx: StepContext, access_request_id: int) -> AccessRequest:
    request = ctx.session.get(AccessRequest, access_request_id)
    if request is None:
        raise DomainError("La solicitud de acceso no existe.")
    return request


def _obstacle(ctx: StepContext, user_id: int, account: Account) -> str | None:
    """Why this user may not ask for access to this account now, in words; None if they may."""
    member = ctx.session.scalar(
        select(Membership.id).where(Membership.user_id == user_id, Membership.account_id == account.id)
    )
    if member is not None:
        return f"Usted ya tiene acceso a la cuenta {account.name}: no necesita solicitarlo de nuevo."
    pending = ctx.session.scalar(
        select(AccessRequest.id).where(
            AccessRequest.user_id == user_id,
            AccessRequest.account_id == account.id,
            AccessRequest.state == REQUEST_PENDING,
        )
    )
    if pending is not None:
        return (
            f"Ya tiene una solicitud de acceso pendiente para la cuenta {account.name}: no se creó otra. "
            "Consúltela o cancélela en «Configuraciones del usuario» → «Mis registros»."
        )
    return None


def _requester_id(ctx: StepContext) -> int:
    if ctx.actor.user_id is None:
        raise DomainError("Debe ingresar con su usuario para solicitar acceso a una cuenta.")
    return ctx.actor.user_id


@service("access_request_obstacle")
def access_request_obstacle(ctx: StepContext, account_id: int) -> str | None:
    """Checked before "Solicitar": a member or a pending request ends the procedure at once,
    with this message, instead of leaving the user on a form that can only fail."""
    return _obstacle(ctx, _requester_id(ctx), get_account(ctx, account_id))


@service("access_requester")
def access_requester(ctx: StepContext, access_request_id: int) -> dict:
    """Who asks, from their user record: the reviewer sees the same whether the request was
    made during registration or later from "Mis registros"."""
    user = ctx.session.get(User, _request(ctx, access_request_id).user_id)
    return {
        "name": user.full_name,
        "document": f"{user.document_type} {user.document_number}",
        "email": user.email,
    }


@service("create_access_request")
def create_access_request(ctx: StepContext, account_id: int) -> int:
    """A pending request ("Esperando aprobación"); the account's administrators get an email."""
    user_id = _requester_id(ctx)
    account = get_account(ctx, account_id)
    obstacle = _obstacle(ctx, user_id, account)  # a second tab may have asked meanwhile
    if obstacle:
        raise DomainError(obstacle)
    request = AccessRequest(
        user_id=user_id,
        account_id=account.id,
        state=REQUEST_PENDING,
        instance_id=ctx.instance_id,
        created_at=ctx.now,
    )
    ctx.session.add(request)
    ctx.session.flush()
    user = ctx.session.get(User, user_id)
    for address in administrator_emails(ctx, account.id):
        ctx.queue_email(
            address,
            "solicitud_acceso_recibida",
            account_name=account.name,
            requester=user.full_name,
            requester_email=user.email,
        )
    ctx.record("solicitud_acceso_creada", access_request_id=request.id, account_id=account.id)
    return request.id


@service("decide_access_request")
def decide_access_request(
    ctx: StepContext,
    access_request_id: int,
    decision: str,
    role: str | None = None,
    permissions: list | None = None,
    reason: str | None = None,
) -> str:
    """Aceptado (membership with role and permissions) or Rechazado; the user is told by email."""
    request = _request(ctx, access_request_id)
    if request.state != REQUEST_PENDING:
        raise DomainError(f"La solicitud ya no está pendiente (estado: {request.state}).")
    accepted = decision == "aceptar"
    if accepted and role not in (ROLE_ADMIN, ROLE_BUYER):
        raise DomainError("Seleccione el rol del usuario en la cuenta.", field="role")
    request.state = REQUEST_ACCEPTED if accepted else REQUEST_REJECTED
    request.role = role if accepted else None
    request.permissions = list(permissions or []) if accepted else None
    request.reason = reason
    request.decided_by = ctx.actor.user_id
    request.decided_at = ctx.now
    if accepted:
        ctx.session.add(
            Membership(
                user_id=request.user_id,
                account_id=request.account_id,
                role=role,
                permissions=list(permissions or []),
                created_at=ctx.now,
            )
        )
    user = ctx.session.get(User, request.user_id)
    account = get_account(ctx, request.account_id)
    ctx.queue_email(
        user.email,
        "acceso_aceptado" if accepted else "acceso_rechazado",
        first_names=user.first_names,
        account_name=account.name,
        role=role,
        reason=reason,
    )
    ctx.record("solicitud_acceso_decidida", access_request_id=request.id, state=request.state)
    return request.state


@service("cancel_access_request")
def cancel_access_request(ctx: StepContext, access_request_id: int) -> str:
    """The user withdraws a pending request ("Mis registros" → Cancelado)."""
    request = _request(ctx, access_request_id)
    if not ctx.actor.is_system and ctx.actor.user_id != request.user_id:
        raise DomainError("Solo quien hizo la solicitud puede cancelarla.")
    if request.state != REQUEST_PENDING:
        raise DomainError(f"La solicitud ya no está pendiente (estado: {request.state}).")
    request.state = REQUEST_CANCELLED
    request.decided_at = ctx.now
    ctx.record("solicitud_acceso_cancelada", access_request_id=request.id)
    return request.state


def _administrators_left(ctx: StepContext, account_id: int, without: int) -> int:
    return ctx.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.account_id == account_id, Membership.role == ROLE_ADMIN, Membership.id != without
        )
    )


def _membership_for_update(ctx: StepContext, membership_id: int) -> Membership:
    membership = ctx.session.get(Membership, membership_id, with_for_update=True)
    if membership is None:
        raise DomainError("El usuario no pertenece a la cuenta.")
    # Lock the account too: two administrators removing each other at once must not both win.
    ctx.session.get(Account, membership.account_id, with_for_update=True)
    return membership


@service("change_membership")
def change_membership(
    ctx: StepContext, membership_id: int, role: str, permissions: list | None = None
) -> str:
    """Set a member's role and permissions; the last Administrador can't be demoted."""
    if role not in (ROLE_ADMIN, ROLE_BUYER):
        raise DomainError("Seleccione un rol válido: Administrador o Comprador.", field="role")
    membership = _membership_for_update(ctx, membership_id)
    if (
        membership.role == ROLE_ADMIN
        and role != ROLE_ADMIN
        and not _administrators_left(ctx, membership.account_id, membership.id)
    ):
        raise DomainError(LAST_ADMIN_MESSAGE, field="role")
    membership.role = role
    if permissions is not None:
        membership.permissions = list(permissions)
    ctx.record("acceso_modificado", membership_id=membership.id, role=role)
    return membership.role


@service("remove_membership")
def remove_membership(ctx: StepContext, membership_id: int) -> bool:
    """Remove a user from an account; never its last Administrador."""
    membership = _membership_for_update(ctx, membership_id)
    if membership.role == ROLE_ADMIN and not _administrators_left(ctx, membership.account_id, membership.id):
        raise DomainError(LAST_ADMIN_MESSAGE)
    ctx.session.delete(membership)
    ctx.record("acceso_retirado", membership_id=membership_id)
    return True

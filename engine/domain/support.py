"""Services of the Mesa de Servicio (guide §7): support cases, activation, corrections,
Perfil Mixto. Every decision is kept with who, when and why."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from engine.context import StepContext
from engine.domain.accounts import administrator_emails
from engine.domain.accounts import attach_staged_documents
from engine.domain.accounts import get_account
from engine.domain.models import ACCOUNT_ACTIVE
from engine.domain.models import ACCOUNT_CORRECTION
from engine.domain.models import ACCOUNT_PENDING
from engine.domain.models import SupportCase
from engine.domain.models import SupportCaseDecision
from engine.domain.registry import service
from engine.errors import DomainError

KIND_MIXED_PROFILE = "Perfil Mixto"
KIND_ACTIVATION = "Activación de cuenta"  # as activacion_cuenta.bpmn files it


def _case(ctx: StepContext, case_id: int) -> SupportCase:
    case = ctx.session.get(SupportCase, case_id)
    if case is None:
        raise DomainError("El caso de soporte no existe.")
    return case


def record_decision(ctx: StepContext, case: SupportCase, decision: str, reason: str | None = None) -> None:
    ctx.session.add(
        SupportCaseDecision(
            case_id=case.id,
            decided_by=ctx.actor.user_id,
            decided_at=ctx.now,
            decision=decision,
            reason=reason,
        )
    )
    ctx.record("decision_caso", case=case.number, decision=decision, reason=reason)


@service("create_support_case")
def create_support_case(ctx: StepContext, kind: str, account_id: int | None, request: dict) -> dict:
    """File a case; its number ("CASO-2026-000001") lets the entity follow it (§7)."""
    if kind == KIND_MIXED_PROFILE:
        account = get_account(ctx, account_id)
        if account.state != ACCOUNT_ACTIVE or account.account_type != "Entidad Estatal":
            raise DomainError("El Perfil Mixto solo se habilita en cuentas de Entidad Estatal activas.")
        if account.mixed_profile:
            raise DomainError("La cuenta ya tiene habilitado el Perfil Mixto.")
    if kind == KIND_ACTIVATION and account_id is not None:
        existing = _activation_case(ctx, account_id)
        if existing is not None:  # filed by phone before the entity sent its own form (§7)
            ctx.record("solicitud_unida_al_caso", case=existing.number)
            return _case_summary(ctx, existing, joined=True)
    case = SupportCase(
        number=f"TMP-{uuid.uuid4().hex[:24]}",  # replaced below, once the id is known
        kind=kind,
        account_id=account_id,
        data=dict(request or {}),
        state="Abierto",
        created_by=ctx.actor.user_id,
        created_at=ctx.now,
        instance_id=ctx.instance_id,
    )
    ctx.session.add(case)
    ctx.session.flush()
    # Numbered from the row id: unique without a counter table, even under concurrency.
    case.number = f"CASO-{ctx.now.year}-{case.id:06d}"
    ctx.record("caso_creado", case=case.number, case_kind=kind)
    return _case_summary(ctx, case, joined=False)


def _activation_case(ctx: StepContext, account_id: int) -> SupportCase | None:
    """The account's activation case, if one was filed (one per account: the Mesa's phone
    list offers only accounts without one)."""
    return ctx.session.scalars(
        select(SupportCase)
        .where(SupportCase.account_id == account_id, SupportCase.kind == KIND_ACTIVATION)
        .order_by(SupportCase.id)
        .limit(1)
    ).first()


def _case_summary(ctx: StepContext, case: SupportCase, joined: bool) -> dict:
    """What the diagrams keep of a case; ``joined``: an existing case the request joined."""
    account = get_account(ctx, case.account_id) if case.account_id is not None else None
    return {
        "id": case.id,
        "number": case.number,
        "account_name": account.name if account else "",
        "nit": account.nit_display if account else "",
        "joined": joined,
    }


@service("activate_account")
def activate_account(ctx: StepContext, account_id: int, case_id: int) -> str:
    account = get_account(ctx, account_id)
    case = _case(ctx, case_id)
    account.state = ACCOUNT_ACTIVE
    account.activated_at = ctx.now
    case.state = "Resuelto"
    record_decision(ctx, case, "Activar cuenta")
    ctx.queue_email(
        account.notification_email,
        "cuenta_activada",
        account_name=account.name,
        nit=account.nit_display,
        case_number=case.number,
    )
    return account.state


@service("request_correction")
def request_correction(ctx: StepContext, account_id: int, case_id: int, reason: str) -> str:
    account = get_account(ctx, account_id)
    case = _case(ctx, case_id)
    account.state = ACCOUNT_CORRECTION
    case.state = "En corrección"
    record_decision(ctx, case, "Solicitar corrección", reason)
    recipients = dict.fromkeys([account.notification_email, *administrator_emails(ctx, account.id)])
    for address in recipients:
        ctx.queue_email(
            address,
            "correccion_solicitada",
            account_name=account.name,
            case_number=case.number,
            reason=reason,
        )
    return account.state


@service("replace_documents")
def replace_documents(ctx: StepContext, account_id: int, case_id: int, notes: str | None = None) -> str:
    """The corrected files replace the old ones; the case goes back to the Mesa de Servicio."""
    account = get_account(ctx, account_id)
    case = _case(ctx, case_id)
    attach_staged_documents(ctx, account.id)
    account.state = ACCOUNT_PENDING
    case.state = "En validación"
    record_decision(ctx, case, "Documentos corregidos", notes)
    return account.state


@service("enable_mixed_profile")
def enable_mixed_profile(ctx: StepContext, account_id: int, case_id: int) -> bool:
    account = get_account(ctx, account_id)
    case = _case(ctx, case_id)
    account.mixed_profile = True
    case.state = "Resuelto"
    record_decision(ctx, case, "Habilitar Perfil Mixto")
    ctx.queue_email(
        account.notification_email,
        "perfil_mixto_habilitado",
        account_name=account.name,
        case_number=case.number,
    )
    return True


@service("reject_support_case")
def reject_support_case(ctx: StepContext, case_id: int, reason: str) -> str:
    case = _case(ctx, case_id)
    case.state = "Rechazado"
    record_decision(ctx, case, "Rechazar", reason)
    if case.account_id is not None:
        account = get_account(ctx, case.account_id)
        for address in dict.fromkeys([account.notification_email, *administrator_emails(ctx, account.id)]):
            ctx.queue_email(
                address,
                "caso_rechazado",
                account_name=account.name,
                case_number=case.number,
                kind=case.kind,
                reason=reason,
            )
    return case.state

"""Services of the entity account (guide §5–§7): find, register, attach documents."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.context import StepContext
from engine.domain import rules
from engine.domain.models import ACCOUNT_ACTIVE
from engine.domain.models import ACCOUNT_PENDING
from engine.domain.models import ROLE_ADMIN
from engine.domain.models import Account
from engine.domain.models import Document
from engine.domain.models import Membership
from engine.domain.models import User
from engine.domain.registry import service
from engine.errors import DomainError


def account_summary(account: Account) -> dict:
    return {
        "id": account.id,
        "name": account.name,
        "nit": account.nit,
        "nit_display": account.nit_display,
        "state": account.state,
    }


def get_account(ctx, account_id: int) -> Account:
    account = ctx.session.get(Account, account_id)
    if account is None:
        raise DomainError("La cuenta no existe.")
    return account


def administrator_emails(ctx, account_id: int) -> list[str]:
    rows = ctx.session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == account_id, Membership.role == ROLE_ADMIN)
        .order_by(User.id)
    )
    return list(rows)


@service("find_account")
def find_account(ctx: StepContext, query: str | None = None, name: str | None = None, nit: str | None = None):
    """An account by NIT or by (normalised) name; ``query`` may hold either. None if absent."""
    query = (query or "").strip()
    if query and rules.nit_digits(query).isdigit():
        digits = rules.nit_digits(query)
        nit = digits[:9] if len(digits) == 10 and rules.nit_check_digit(digits[:9]) == digits[9] else digits
    elif query:
        name = query
    conditions = []
    if nit:
        conditions.append(Account.nit == rules.nit_digits(nit))
    normalized = rules.normalize_entity_name(name or "")
    if normalized:
        conditions.append(Account.name == normalized)
    if not conditions:
        return None
    account = ctx.session.scalars(select(Account).where(or_(*conditions)).order_by(Account.id)).first()
    return account_summary(account) if account else None


@service("register_account")
def register_account(ctx: StepContext, required_documents: list | None = None, **fields) -> int:
    """The account, "Pendiente de activación", its registrant as first Usuario Administrador."""
    if ctx.actor.user_id is None:
        raise DomainError("Debe ingresar con su usuario para registrar la cuenta de la Entidad.")
    nit = rules.nit_digits(fields["nit"])
    if ctx.session.scalar(select(Account.id).where(Account.nit == nit)) is not None:
        raise DomainError(_duplicate_nit_message(nit), field="nit")
    parent_id = fields.get("parent_account_id") if fields.get("decentralized") else None
    if parent_id is not None:
        parent = ctx.session.get(Account, int(parent_id))
        if parent is None or parent.state != ACCOUNT_ACTIVE:
            raise DomainError(
                "La entidad de la que depende debe tener una cuenta activa.", field="parent_account_id"
            )
    account = Account(
        nit=nit,
        nit_check_digit=rules.nit_check_digit(nit),
        name=fields["account_name"],
        short_name=fields["short_name"],
        country=fields.get("country") or "Colombia",
        account_type=fields.get("account_type") or "Entidad Estatal",
        state=ACCOUNT_PENDING,
        siif_registered=bool(fields.get("siif_registered")),
        pci_code=fields.get("pci_code") if fields.get("siif_registered") else None,
        spgr_registered=bool(fields.get("spgr_registered")),
        spgr_code=fields.get("spgr_code") if fields.get("spgr_registered") else None,
        business_area=fields["business_area"],
        organization_type=fields["organization_type"],
        department_code=fields["department"],
        municipality_code=fields["municipality"],
        decentralized=bool(fields.get("decentralized")),
        parent_account_id=int(parent_id) if parent_id is not None else None,
        order=fields["order"],
        branch=fields["branch"],
        sector=fields["sector"],
        entity_type=fields["entity_type"],
        address=fields["account_address"],
        phone=fields["account_phone"],
        notification_email=fields["notification_email"],
        delegated=bool(fields.get("delegated")),
        created_by=ctx.actor.user_id,
        created_at=ctx.now,
    )
    ctx.session.add(account)
    try:
        ctx.session.flush()  # the UNIQUE index on nit settles concurrent "Finalizar"
    except IntegrityError:
        raise DomainError(_duplicate_nit_message(nit), field="nit") from None
    ctx.session.add(
        Membership(user_id=ctx.actor.user_id, account_id=account.id, role=ROLE_ADMIN, permissions=[])
    )
    attached = attach_staged_documents(ctx, account.id)
    missing = [slot for slot in required_documents or [] if slot not in attached]
    if missing:
        names = ", ".join(ctx.document_titles.get(slot, slot) for slot in missing)
        raise DomainError(f"Faltan documentos obligatorios: {names}.", field=missing[0])
    ctx.queue_email(
        account.notification_email,
        "cuenta_registrada",
        account_name=account.name,
        nit=account.nit_display,
        state=account.state,
    )
    ctx.record("cuenta_registrada", account_id=account.id, nit=account.nit)
    return account.id


def _duplicate_nit_message(nit: str) -> str:
    return (
        f"Ya existe una cuenta registrada con el NIT {nit}. No registre otra: solicite acceso a la "
        "cuenta existente."
    )


def attach_staged_documents(ctx: StepContext, account_id: int) -> dict[str, str]:
    """Attach this instance's staged uploads to the account; a newer file of a slot replaces
    the older one. Returns {slot: public id} of what is now attached."""
    staged = ctx.session.scalars(
        select(Document)
        .where(Document.instance_id == ctx.instance_id, Document.state == "staged")
        .order_by(Document.uploaded_at, Document.id)
    ).all()
    for document in staged:
        previous = ctx.session.scalars(
            select(Document).where(
                Document.account_id == account_id,
                Document.slot == document.slot,
                Document.state == "attached",
            )
        ).all()
        for old in previous:
            old.state = "replaced"
        document.account_id = account_id
        document.state = "attached"
        ctx.session.flush()
    current = ctx.session.scalars(
        select(Document).where(Document.account_id == account_id, Document.state == "attached")
    ).all()
    return {document.slot: document.public_id for document in current}

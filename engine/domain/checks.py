"""Form checks (``"x-check"``) and option sources (``"x-options"``) the forms name.

A check answers a Spanish message for the user, or None when the value is fine.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlalchemy import select

from engine.context import CheckContext
from engine.domain import classification
from engine.domain import rules
from engine.domain.models import ACCOUNT_ACTIVE
from engine.domain.models import ACCOUNT_PENDING
from engine.domain.models import Account
from engine.domain.models import SupportCase
from engine.domain.models import User
from engine.domain.registry import check
from engine.domain.registry import options
from engine.domain.support import KIND_ACTIVATION

# Colombia keeps UTC-5 all year: "today" for a certificate is Bogotá's today.
BOGOTA = dt.timezone(dt.timedelta(hours=-5), "America/Bogota")
CERTIFICATE_MAX_AGE_DAYS = 90


def today_in_colombia() -> dt.date:
    return dt.datetime.now(BOGOTA).date()


@check("username_available")
def username_available(ctx: CheckContext, value, data) -> str | None:
    taken = ctx.session.scalar(select(User.id).where(func.lower(User.username) == str(value).lower()))
    if taken is not None:
        return f"El nombre de usuario «{value}» ya está registrado. Elija otro."
    return None


@check("entity_name_normalized")
def entity_name_normalized(ctx: CheckContext, value, data) -> str | None:
    normalized = rules.normalize_entity_name(str(value))
    if not normalized:
        return "Escriba el nombre legal de la Entidad con letras, sin caracteres especiales."
    if normalized != value:
        return (
            "Escriba el nombre sin tildes, en mayúscula sostenida, sin caracteres especiales ni signos de "
            f"puntuación y con un espacio antes y después de cada guion. Forma sugerida: «{normalized}»."
        )
    return None


@check("nit_base")
def nit_base(ctx: CheckContext, value, data) -> str | None:
    return rules.nit_problem(str(value))


@check("municipality_in_department")
def municipality_in_department(ctx: CheckContext, value, data) -> str | None:
    codes = {code for code, _name in rules.municipalities(data.get("department"))}
    if str(value) not in codes:
        return "El municipio no pertenece al departamento seleccionado."
    return None


@check("account_exists")
def account_exists(ctx: CheckContext, value, data) -> str | None:
    try:
        account_id = int(value)
    except (TypeError, ValueError):
        return "Seleccione una cuenta registrada en el Directorio del SECOP II."
    if not 0 < account_id < 2**31:  # an id column is a 32-bit integer on PostgreSQL
        return "Seleccione una cuenta registrada en el Directorio del SECOP II."
    state = ctx.session.scalar(select(Account.state).where(Account.id == account_id))
    if state != ACCOUNT_ACTIVE:
        return "Seleccione una cuenta activa registrada en el Directorio del SECOP II."
    return None


@check("max_age_days_90")
def max_age_days_90(ctx: CheckContext, value, data) -> str | None:
    try:
        issued = dt.date.fromisoformat(str(value))
    except ValueError:
        return "Escriba una fecha válida (AAAA-MM-DD)."
    today = today_in_colombia()
    if issued > today:
        return "La fecha de expedición no puede ser posterior a hoy."
    oldest = today - dt.timedelta(days=CERTIFICATE_MAX_AGE_DAYS)
    if issued < oldest:
        return (
            "El certificado de existencia y representación legal debe haber sido expedido hace no más de "
            f"90 días (desde el {oldest:%d/%m/%Y})."
        )
    return None


@options("departments")
def department_options(ctx: CheckContext, data) -> list[tuple[str, str]]:
    return rules.departments()


@options("municipalities")
def municipality_options(ctx: CheckContext, data) -> list[tuple[str, str]]:
    return rules.municipalities((data or {}).get("department"))


@options("sectors")
def sector_options(ctx: CheckContext, data) -> list[tuple[str, str]]:
    """Sectors as SECOP II publishes them, with capitalised labels."""
    return list(classification.SECTORS)


@options("entity_types")
def entity_type_options(ctx: CheckContext, data) -> list[tuple[str, str]]:
    """Tipo de Entidad narrowed by the chosen Orden ("x-dependsOn": "order")."""
    return classification.entity_types((data or {}).get("order"))


@options("active_accounts")
def active_account_options(ctx: CheckContext, data) -> list[tuple[int, str]]:
    """The Directorio, for a step that asks to choose an account (the parent of a
    decentralised entity): active accounts with their NIT, and only for a person who is
    logged in. Never pending ones (SPEC A3: an account enters the Directorio when activated)."""
    if ctx.actor.user_id is None and not ctx.actor.is_system:
        return []
    rows = ctx.session.execute(
        select(Account.id, Account.name, Account.nit, Account.nit_check_digit)
        .where(Account.state == ACCOUNT_ACTIVE)
        .order_by(Account.name)
    )
    return [(row.id, f"{row.name} (NIT {row.nit}-{row.nit_check_digit})") for row in rows]


@options("accounts_awaiting_activation")
def accounts_awaiting_activation_options(ctx: CheckContext, data) -> list[tuple[int, str]]:
    """For the Mesa de Servicio taking a call (§7): accounts "Pendiente de activación" that
    have no activation case yet, by name and NIT. Only its agents see this list."""
    if not ctx.actor.is_system and "mesa_servicio" not in ctx.actor.platform_roles:
        return []
    with_case = select(SupportCase.account_id).where(
        SupportCase.account_id.is_not(None), SupportCase.kind == KIND_ACTIVATION
    )
    rows = ctx.session.execute(
        select(Account.id, Account.name, Account.nit, Account.nit_check_digit)
        .where(Account.state == ACCOUNT_PENDING, Account.id.not_in(with_case))
        .order_by(Account.name)
    )
    return [(row.id, f"{row.name} (NIT {row.nit}-{row.nit_check_digit})") for row in rows]


@options("account_names")
def account_name_options(ctx: CheckContext, data) -> list[tuple[str, str]]:
    """Suggestions for "Entidad/Proveedor/Persona Natural/Veedor/Veeduría" (free text allowed),
    shown to anonymous registrants too: names of active accounts only, no NIT. An account
    pending activation is nobody's business before the Mesa de Servicio activates it."""
    names = ctx.session.scalars(
        select(Account.name).where(Account.state == ACCOUNT_ACTIVE).order_by(Account.name)
    )
    return [(name, name) for name in names]

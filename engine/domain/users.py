"""Services of user registration (guide §4): create the user, email the activation link,
activate. Also the small helpers scripts call (NIT check digit, name normalisation)."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.context import StepContext
from engine.domain import rules
from engine.domain.models import USER_ACTIVE
from engine.domain.models import USER_PENDING
from engine.domain.models import User
from engine.domain.registry import service
from engine.errors import DomainError


def token_hash(token: str) -> str:
    """What task data and the message index hold instead of the raw activation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def duration_text(iso: str) -> str:
    """ "PT48H" -> "48 horas", "P2D" -> "2 días": how long the link lasts, for the email."""
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?", str(iso))
    if not match:
        return str(iso)
    units = ("día", "días"), ("hora", "horas"), ("minuto", "minutos"), ("segundo", "segundos")
    parts = []
    for value, (one, many) in zip(match.groups(), units, strict=True):
        if value and float(value):
            parts.append(f"{value} {one if float(value) == 1 else many}")
    return " y ".join(parts) or str(iso)


def _argon2_hash(password) -> str:
    # The engine hashes writeOnly fields before they reach task data: {"argon2": "<hash>"}.
    if isinstance(password, dict) and isinstance(password.get("argon2"), str):
        return password["argon2"]
    raise DomainError("La contraseña no llegó protegida; vuelva a escribirla.", field="password")


def _get_user(ctx: StepContext, user_id: int) -> User:
    user = ctx.session.get(User, user_id)
    if user is None:
        raise DomainError("El usuario no existe.")
    return user


@service("create_user")
def create_user(
    ctx: StepContext,
    first_names: str,
    last_names: str,
    document_type: str,
    document_number: str,
    email: str,
    phone: str,
    username: str,
    password: dict,
    time_zone: str,
    organization_name: str | None = None,
) -> int | None:
    """A new user, "Pendiente de confirmación" until the emailed link is followed (§4 sección 2).

    An email that already has a user creates nothing and returns None: the registrant sees
    what every registrant sees ("Le enviamos un mensaje…") and the address's owner is told
    by email, so the form never says which emails are registered (issue 17.14)."""
    if _user_with_email(ctx, email) is not None:
        return _tell_the_owner(ctx, email)
    if _username_taken(ctx, username):
        raise DomainError(
            f"El nombre de usuario «{username}» ya está registrado. Elija otro.", field="username"
        )
    user = User(
        username=username,
        email=email,
        password_hash=_argon2_hash(password),
        first_names=first_names,
        last_names=last_names,
        document_type=document_type,
        document_number=document_number,
        phone=phone,
        time_zone=time_zone,
        organization_name=organization_name,
        status=USER_PENDING,
        created_at=ctx.now,
    )
    try:
        # Two registrations racing for one username or email: the case-insensitive unique
        # indexes decide; the loser gets the same answers as above.
        with ctx.session.begin_nested():
            ctx.session.add(user)
    except IntegrityError:
        if _username_taken(ctx, username):
            raise DomainError(
                f"El nombre de usuario «{username}» ya está registrado. Elija otro.", field="username"
            ) from None
        return _tell_the_owner(ctx, email)
    ctx.record("usuario_creado", user_id=user.id, username=username)
    return user.id


def _user_with_email(ctx: StepContext, email: str) -> User | None:
    return ctx.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _username_taken(ctx: StepContext, username: str) -> bool:
    taken = ctx.session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    return taken is not None


def _tell_the_owner(ctx: StepContext, email: str) -> None:
    owner = _user_with_email(ctx, email)
    ctx.queue_email(
        owner.email,
        "intento_registro",
        first_names=owner.first_names,
        username=owner.username,
        link=f"{ctx.config.base_url}/recuperar",
    )
    ctx.record("registro_con_correo_registrado", user_id=owner.id)
    return None


@service("issue_activation_token")
def issue_activation_token(ctx: StepContext, user_id: int) -> str:
    """Email a fresh single-use activation link with the username; return only its SHA-256.

    Without a user (the email was already registered, see ``create_user``) the link goes
    to nobody: the registration waits and expires like one whose email was never opened."""
    if user_id is None:
        return token_hash(secrets.token_urlsafe(32))
    user = _get_user(ctx, user_id)
    token = secrets.token_urlsafe(32)
    template = "nuevo_enlace" if user.activation_links_sent else "activacion_usuario"
    user.activation_links_sent += 1
    ctx.queue_email(
        user.email,
        template,
        first_names=user.first_names,
        username=user.username,
        link=f"{ctx.config.base_url}/activar/{token}",
        ttl=duration_text(ctx.config.process_defaults.get("activation_link_ttl", "PT48H")),
    )
    ctx.record("enlace_activacion_enviado", user_id=user.id, reenvio=template == "nuevo_enlace")
    return token_hash(token)


@service("activate_user")
def activate_user(ctx: StepContext, user_id: int) -> str:
    user = _get_user(ctx, user_id)
    if user.status != USER_ACTIVE:
        user.status = USER_ACTIVE
        user.activated_at = ctx.now
    ctx.record("usuario_activado", user_id=user.id)
    return user.status


@service("nit_check_digit")
def nit_check_digit(ctx: StepContext, nit: str) -> str:
    return rules.nit_check_digit(nit)


@service("normalize_entity_name")
def normalize_entity_name(ctx: StepContext, name: str | None) -> str:
    return rules.normalize_entity_name(name or "")


@service("registered_entity_name")
def registered_entity_name(ctx: StepContext) -> str | None:
    """The Entidad the person wrote when registering (section 1): section 3 starts from it
    (§6: "confirme el nombre diligenciado en el campo Entidad/Proveedor/…"). None for
    anyone without a user."""
    if ctx.actor.user_id is None:
        return None
    # The one column (a start reads nothing else of the user): no whole row loaded.
    return ctx.session.scalar(select(User.organization_name).where(User.id == ctx.actor.user_id))

"""The records the guide's procedures leave behind: users, entity accounts, memberships,
access requests, support cases with their decisions, documents and the login history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.db import Base
from engine.db import utcnow

# States use the guide's own words: they are shown as they are.
USER_PENDING = "Pendiente de confirmación"
USER_ACTIVE = "Activo"
ACCOUNT_PENDING = "Pendiente de activación"
ACCOUNT_CORRECTION = "En corrección"
ACCOUNT_ACTIVE = "Activa"
REQUEST_PENDING = "Pendiente"
REQUEST_ACCEPTED = "Aceptado"
REQUEST_REJECTED = "Rechazado"
REQUEST_CANCELLED = "Cancelado"
ROLE_ADMIN = "Administrador"
ROLE_BUYER = "Comprador"


class User(Base):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_names: Mapped[str] = mapped_column(String(120))
    last_names: Mapped[str] = mapped_column(String(120))
    document_type: Mapped[str] = mapped_column(String(60))
    document_number: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(30))
    time_zone: Mapped[str] = mapped_column(String(60))
    organization_name: Mapped[str | None] = mapped_column(String(250), nullable=True)
    status: Mapped[str] = mapped_column(String(40), default=USER_PENDING)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # No longer read: sessions are rows of user_session since migration 0005 (the column
    # stays for a release, so the previous one still runs during a rolling upgrade).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # How many activation links were emailed: the second and later say "nuevo enlace".
    activation_links_sent: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_names}"


# "Entrar" and recovery look usernames and emails up in any letter case, so they are unique
# in any letter case, in the database: two people racing to "Ana" and "ana" cannot both win,
# whatever a page checked before writing (migration 0011).
Index("uq_app_user_username_lower", func.lower(User.username), unique=True)
Index("uq_app_user_email_lower", func.lower(User.email), unique=True)


class UserRole(Base):
    """Platform roles (mesa_servicio, analista, operador), independent of any account."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One account per NIT, even when two registrations finish at the same moment (guide §6).
    nit: Mapped[str] = mapped_column(String(20), unique=True)
    nit_check_digit: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(String(250), index=True)
    short_name: Mapped[str] = mapped_column(String(250))
    country: Mapped[str] = mapped_column(String(60), default="Colombia")
    account_type: Mapped[str] = mapped_column(String(40), default="Entidad Estatal")
    state: Mapped[str] = mapped_column(String(40), default=ACCOUNT_PENDING, index=True)
    siif_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    pci_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    spgr_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    spgr_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    business_area: Mapped[str] = mapped_column(String(40))
    organization_type: Mapped[str] = mapped_column(String(120))
    department_code: Mapped[str] = mapped_column(String(2))
    municipality_code: Mapped[str] = mapped_column(String(5))
    decentralized: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    order: Mapped[str] = mapped_column(String(60))
    branch: Mapped[str] = mapped_column(String(60))
    sector: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(250))
    phone: Mapped[str] = mapped_column(String(30))
    notification_email: Mapped[str] = mapped_column(String(254))
    delegated: Mapped[bool] = mapped_column(Boolean, default=False)
    mixed_profile: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    @property
    def nit_display(self) -> str:
        return f"{self.nit}-{self.nit_check_digit}"


class Membership(Base):
    """A user's role in one account, with the permissions its administrator granted."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AccessRequest(Base):
    __tablename__ = "access_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=REQUEST_PENDING)
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    permissions: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SupportCase(Base):
    """A case filed with the Mesa de Servicio (guide §7): activation, Perfil Mixto…"""

    __tablename__ = "support_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(30), default="Abierto")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    instance_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class SupportCaseDecision(Base):
    """Who decided what on a case, when and why (guide §7: every decision is kept)."""

    __tablename__ = "support_case_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_case.id"), index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decision: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Document(Base):
    """An uploaded file: staged by a form, attached to an account at registration, replaced
    by a correction. ``public_id`` is what forms and URLs carry, never the row id."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True, index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    slot: Mapped[str] = mapped_column(String(60))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="staged")  # staged | attached | replaced


class LoginEvent(Base):
    """Every login and logout (guide §9, "Accesos del usuario")."""

    __tablename__ = "login_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # login | logout
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)


class UserSession(Base):
    """One login (guide §9, "Accesos del usuario"): the browser holds a random key whose
    SHA-256 is ``key_hash``. "Salir", a password change or recovery, or closing it from the
    list of open sessions sets ``ended_at``, and the key stops working at once."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(255), nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)


class ApiToken(Base):
    """A token acts as its user (same roles as the pages), or as the system when ``user_id``
    is empty (deliver messages from other platforms)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Every token expires (flask create-token --dias); NULL never works. A password change
    # revokes the user's tokens, as it ends the user's sessions.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class PasswordReset(Base):
    """A password-recovery link (guide §4, U5): one use, until ``expires_at``. Only the
    SHA-256 of its token is kept; ``used_at`` is set by the one request that uses it."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class EmailChangeRequest(Base):
    """The one pending email change of a user (§9, D1): the SHA-256 of the nonce its emailed
    link carries. A new request replaces it and a confirmation deletes it, so an older link
    never applies again (not even after the email changed back: A→B→A)."""

    __tablename__ = "email_change_request"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    new_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

"""Helpers that walk the guide's procedures through the Runner, as a person would, with the
data each form asks for. Tests read like the guide: register, confirm, register the entity…"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import select

from engine import Actor
from engine.domain.checks import today_in_colombia
from engine.domain.models import ACCOUNT_ACTIVE
from engine.domain.models import ROLE_ADMIN
from engine.domain.models import Account
from engine.domain.models import Membership
from engine.domain.models import User
from engine.domain.models import UserRole
from engine.models import OutboxEmail

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
MESA = "mesa_servicio"


def user_form(username: str = "ana.perez", email: str | None = None, **changes) -> dict:
    data = {
        "first_names": "Ana María",
        "last_names": "Pérez Gómez",
        "document_type": "Cédula de ciudadanía",
        "document_number": "52123456",
        "email": email or f"{username}@example.gov.co",
        "phone": "3001234567",
        "username": username,
        "password": "Clave.Segura1",
        "password_confirmation": "Clave.Segura1",
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
        "entity_name": "Alcaldía Municipal de Chía",
        "accept_terms": True,
    }
    data.update(changes)
    return data


def first_part(**changes) -> dict:
    data = {
        "country": "Colombia",
        "account_type": "Entidad Estatal",
        "siif_registered": False,
        "spgr_registered": True,
        "spgr_code": "2517501",
        "business_area": "Público",
        "organization_type": "Entidad Estatal (De acuerdo con la definición del Decreto 1082 del 2015)",
    }
    data.update(changes)
    return data


def general_info(**changes) -> dict:
    data = {
        "account_name": "ALCALDIA MUNICIPAL DE CHIA",
        "short_name": "ALCALDIA MUNICIPAL DE CHIA",
        "entity_document_type": "NIT",
        "department": "25",
        "municipality": "25175",
        "decentralized": False,
        "order": "Territorial",
        "branch": "Ejecutivo",
        "sector": "Planeación",
        "entity_type": "Municipio (Alcaldía)",
        "account_address": "Carrera 11 # 11-29",
        "account_phone": "6018844444",
        "notification_email": "contratacion@chia.gov.co",
        "delegated": False,
        "action": "continuar",
    }
    data.update(changes)
    return data


def support_form(**changes) -> dict:
    data = {
        "first_names": "Ana María",
        "last_names": "Pérez Gómez",
        "document_number": "52123456",
        "account_name": "ALCALDIA MUNICIPAL DE CHIA",
        "department": "25",
        "municipality": "25175",
        "email": "ana.perez@example.gov.co",
        "phone": "3001234567",
        "information_system": "SECOP II",
        "request_type": "Solicitud",
        "subject": "Gestión de registro y configuración de Entidades Estatales",
        "user_type": "Comprador",
        "description": "Solicito la activación de la cuenta de la Entidad Estatal registrada hoy.",
    }
    data.update(changes)
    return data


def recent_date(days_ago: int = 10) -> str:
    return (today_in_colombia() - dt.timedelta(days=days_ago)).isoformat()


class Onboarding:
    """One runner, and the people who act on it."""

    def __init__(self, runner):
        self.runner = runner

    # ---- people -----------------------------------------------------------------------
    def make_user(self, username: str, platform_role: str | None = None, status: str = "Activo") -> Actor:
        with self.runner.transaction() as session:
            user = User(
                username=username,
                email=f"{username}@example.gov.co",
                password_hash="x",
                first_names=username.title(),
                last_names="Prueba",
                document_type="Cédula de ciudadanía",
                document_number="1000000",
                phone="3000000000",
                time_zone="(UTC-05:00) Bogotá, Lima, Quito",
                status=status,
            )
            session.add(user)
            session.flush()
            if platform_role:
                session.add(UserRole(user_id=user.id, role=platform_role))
            user_id = user.id
        return self.actor(user_id)

    def actor(self, user_id: int) -> Actor:
        return self.runner.actor_for_user(user_id)

    def mesa(self) -> Actor:
        return self.make_user("agente.mesa", MESA)

    def make_active_account(
        self, admin: Actor, nit: str = "800197268", name: str = "AGENCIA NACIONAL DE PRUEBA"
    ) -> int:
        with self.runner.transaction() as session:
            account = Account(
                nit=nit,
                nit_check_digit="4",
                name=name,
                short_name=name,
                state=ACCOUNT_ACTIVE,
                business_area="Público",
                organization_type="Otras Entidades públicas",
                department_code="11",
                municipality_code="11001",
                order="Nacional",
                branch="Ejecutivo",
                sector="Planeación",
                entity_type="Ministerio",
                address="Calle 1",
                phone="6010000000",
                notification_email="notificaciones@prueba.gov.co",
            )
            session.add(account)
            session.flush()
            session.add(
                Membership(user_id=admin.user_id, account_id=account.id, role=ROLE_ADMIN, permissions=[])
            )
            return account.id

    # ---- tasks ------------------------------------------------------------------------
    def task(self, actor: Actor, name: str, instance_id: int | None = None):
        tasks = [t for t in self.runner.inbox(actor, instance_id=instance_id) if t.name == name]
        assert tasks, f"{name} is not in the inbox: {[t.name for t in self.runner.inbox(actor)]}"
        return tasks[0]

    def complete(self, actor: Actor, name: str, data: dict | None = None, instance_id: int | None = None):
        return self.runner.complete_task(actor, self.task(actor, name, instance_id).id, data or {})

    def upload(self, actor: Actor, name: str, slots, instance_id: int | None = None) -> dict:
        task = self.task(actor, name, instance_id)
        return {
            slot: self.runner.stage_document(actor, task.id, slot, f"{slot}.pdf", PDF)["id"] for slot in slots
        }

    # ---- email ------------------------------------------------------------------------
    def emails(self, template: str | None = None) -> list[OutboxEmail]:
        with self.runner.transaction() as session:
            query = select(OutboxEmail).order_by(OutboxEmail.id)
            if template:
                query = query.where(OutboxEmail.template == template)
            return list(session.scalars(query))

    def activation_hash(self, template: str = "activacion_usuario") -> str:
        body = self.emails(template)[-1].body
        token = re.search(r"/activar/(\S+)", body).group(1)
        return hashlib.sha256(token.encode()).hexdigest()

    # ---- whole procedures ---------------------------------------------------------------
    def register_user(self, username: str = "ana.perez", **changes) -> tuple[int, Actor]:
        """§4 secciones 1 y 2: returns (instance id, the activated user as actor)."""
        started = self.runner.start("registro_usuario", Actor.anonymous())
        anonymous = Actor.anonymous(started.anonymous_token)
        result = self.complete(
            anonymous, "registrar_usuario", user_form(username, **changes), started.instance_id
        )
        self.runner.deliver_message("activacion_usuario", self.activation_hash())
        return started.instance_id, self.actor(result.data["user_id"])

    def start(self, actor: Actor, process_id: str) -> int:
        """A procedure started by hand, as from its button on the start page (section 3 for a
        user without an account); returns its instance id."""
        return self.runner.start_by_hand(process_id, actor).instance_id

    def register_entity(self, user: Actor, instance_id: int, nit: str = "899999172", **info) -> int:
        """§6 from "Validar" ("Registrar" when nothing is found) to "Finalizar"; returns the new
        account id."""
        self.complete(
            user, "validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": nit}, instance_id
        )
        self.complete(user, "registrar_entidad", {}, instance_id)
        self.complete(user, "registrar_primera_parte", first_part(), instance_id)
        self.complete(user, "informacion_general", general_info(**info), instance_id)
        slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
        documents = self.upload(user, "anexar_documentos", slots, instance_id)
        self.complete(user, "anexar_documentos", documents, instance_id)
        return self.account_id(nit)

    def account_id(self, nit: str) -> int:
        with self.runner.transaction() as session:
            return session.scalar(select(Account.id).where(Account.nit == nit))

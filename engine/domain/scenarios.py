"""The world a scenario test starts from (engine.scenarios, ``"given"``), built in its sandbox:
people (active users, with platform roles) and accounts (with their administrators)."""

from __future__ import annotations

from engine.domain import rules
from engine.domain.models import ACCOUNT_ACTIVE
from engine.domain.models import ROLE_ADMIN
from engine.domain.models import USER_ACTIVE
from engine.domain.models import Account
from engine.domain.models import Membership
from engine.domain.models import User
from engine.domain.models import UserRole


def scenario_world(session, given: dict) -> dict:
    """``given = {"people": {name: {"platform_role"?, "first_names"?, ...}},
    "accounts": {nit: {"name", "state"?, "administrators"?: [names]}}}`` ->
    ``{"people": {name: user id}, "accounts": {nit: account id}}``."""
    people: dict[str, int] = {}
    for number, (name, spec) in enumerate(given.get("people", {}).items(), 1):
        spec = dict(spec or {})
        role = spec.pop("platform_role", None)
        user = User(
            username=name, email=f"{name}@example.gov.co", password_hash="!", status=USER_ACTIVE,
            first_names=spec.pop("first_names", name.split(".")[0].title()),
            last_names=spec.pop("last_names", "Escenario"), document_type="Cédula de ciudadanía",
            document_number=str(1000000 + number), phone="3000000000",
            time_zone="(UTC-05:00) Bogotá, Lima, Quito", **spec,
        )  # fmt: skip
        session.add(user)
        session.flush()
        if role:
            session.add(UserRole(user_id=user.id, role=role))
        people[name] = user.id
    accounts: dict[str, int] = {}
    for nit, spec in given.get("accounts", {}).items():
        account = Account(
            nit=nit, nit_check_digit=rules.nit_check_digit(nit), name=spec["name"],
            short_name=spec.get("short_name", spec["name"]), state=spec.get("state", ACCOUNT_ACTIVE),
            business_area="Público", organization_type="Otras Entidades públicas",
            department_code="11", municipality_code="11001", order="Nacional", branch="Ejecutivo",
            sector="Planeación", entity_type="Ministerio", address="Calle 1", phone="6010000000",
            notification_email=f"notificaciones.{nit}@example.gov.co",
        )  # fmt: skip
        session.add(account)
        session.flush()
        for admin in spec.get("administrators", []):
            membership = Membership(user_id=people[admin], account_id=account.id, role=ROLE_ADMIN)
            membership.permissions = []
            session.add(membership)
        accounts[nit] = account.id
    return {"people": people, "accounts": accounts}

"""A person's own data outside any procedure (guide §9, "Configuraciones del usuario"):
"Mis datos de usuario" and "Accesos del usuario" write what registration collected, so they
are checked by registration's own form, ``forms/registrar_usuario-schema.json``. That form
is the one source of every rule on these fields: names, document types and numbers, email,
phone, time zones, username and password; no page keeps a copy of a pattern or a list.

Every write happens in the caller's transaction (on SQLite a ``BEGIN IMMEDIATE`` one, so
checks and writes are serialised) and ends with a flush: the case-insensitive unique
indexes (migration 0011) decide a race the checks could not see, and the loser gets the
form's Spanish message (``FormInvalid``), never a 500."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import forms
from engine.actors import Actor
from engine.config import EngineConfig
from engine.context import CheckContext
from engine.db import utcnow
from engine.domain import credentials
from engine.domain.models import User
from engine.errors import FormInvalid
from engine.formmodel import choices_of

REGISTRATION_FORM = "registrar_usuario-schema.json"
PROFILE_FIELDS = (
    "first_names",
    "last_names",
    "document_type",
    "document_number",
    "email",
    "phone",
    "time_zone",
)
# What "Mis datos de usuario" takes from the field's schema to draw it (the schema's
# "format": "email" and the phone's name decide the input type and autocomplete).
AUTOCOMPLETE = {
    "first_names": "given-name",
    "last_names": "family-name",
    "email": "email",
    "phone": "tel",
}
EMAIL_TAKEN = "Ya existe un usuario registrado con este correo electrónico."
LINK_SPENT = (
    "El enlace para confirmar el correo venció o ya fue usado: su correo no cambió. Cámbielo de nuevo en "
    "«Mis datos de usuario» si aún lo necesita."
)
# Keys of the registration form that only make sense inside the procedure: the checks that
# a username or email is free (here it is the person's own, so it is checked against the
# others below), option sources and defaults.
_PROCEDURE_ONLY = ("x-check", "x-options", "x-freeText", "default", "writeOnly")


def username_taken(username: str) -> str:
    return f"El nombre de usuario «{username}» ya está registrado. Elija otro."


@dataclass(frozen=True)
class Field:
    """One field of "Mis datos de usuario" as the registration form declares it."""

    name: str
    title: str
    kind: str  # text | email | tel | select
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    autocomplete: str | None = None


def registration_form(config: EngineConfig) -> dict:
    path = Path(config.forms_dir) / REGISTRATION_FORM
    return _read(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read(path: str, _mtime: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _mentioned(node) -> set[str]:
    """The property names a conditional clause reads or constrains."""
    names: set[str] = set()
    if isinstance(node, dict):
        names |= set(node.get("properties") or {})
        names |= {n for n in node.get("required") or [] if isinstance(n, str)}
        for value in node.values():
            names |= _mentioned(value)
    elif isinstance(node, list):
        for item in node:
            names |= _mentioned(item)
    return names


def schema_for(config: EngineConfig, names) -> dict:
    """The registration form cut down to ``names``: their properties, which of them it
    requires, and its conditional rules among them (the document number's pattern that
    depends on the document type)."""
    full = registration_form(config)
    names = tuple(names)
    props = full["properties"]
    schema = {
        "type": "object",
        "properties": {
            name: {k: v for k, v in props[name].items() if k not in _PROCEDURE_ONLY} for name in names
        },
        "required": [name for name in full.get("required", []) if name in names],
    }
    clauses = [c for c in full.get("allOf", []) if _mentioned(c) <= set(names)]
    if clauses:
        schema["allOf"] = clauses
    return _frozen(json.dumps(schema, sort_keys=True))


@lru_cache(maxsize=32)
def _frozen(text: str) -> dict:
    # One dict per distinct schema: engine.forms caches its validator by schema object.
    return json.loads(text)


def profile_fields(config: EngineConfig) -> list[Field]:
    schema = schema_for(config, PROFILE_FIELDS)
    fields = []
    for name in PROFILE_FIELDS:
        prop = schema["properties"][name]
        choices = tuple((str(value), label) for value, label in choices_of(prop))
        if choices:
            kind = "select"
        elif prop.get("format") == "email":
            kind = "email"
        elif name == "phone":
            kind = "tel"
        else:
            kind = "text"
        required = name in schema["required"]
        fields.append(Field(name, prop.get("title", name), kind, required, choices, AUTOCOMPLETE.get(name)))
    return fields


def check(config: EngineConfig, names, posted: dict) -> dict:
    """The posted values of ``names`` as registration would store them; ``FormInvalid`` with
    every field's Spanish messages otherwise (over-long text, control and bidi characters,
    values off the lists, patterns)."""
    context = CheckContext(None, Actor(), config)
    clean, errors = forms.validate(schema_for(config, names), dict(posted), context)
    if errors:
        raise FormInvalid(errors)
    return clean


def password_problem(config: EngineConfig, password: str) -> str | None:
    """Registration's password rule (§4), or None when ``password`` follows it."""
    try:
        check(config, ["password"], {"password": password})
    except FormInvalid as refused:
        return next(iter(refused.errors.get("password") or ["La contraseña no es válida."]))
    return None


def _valid_email(config: EngineConfig, posted: dict) -> str | None:
    try:
        return check(config, ["email"], {"email": posted.get("email", "")}).get("email")
    except FormInvalid:
        return None


def _others_with(session: Session, column, value: str, user_id: int):
    return session.scalar(select(User.id).where(func.lower(column) == value.lower(), User.id != user_id))


def _write(session: Session, field: str, message: str) -> None:
    """Flush inside a savepoint: a lost race on a unique index becomes the form's message."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise FormInvalid({field: [message]}) from None


PASSWORD_FOR_EMAIL = "Para cambiar el correo electrónico escriba su contraseña actual."


def update_profile(
    session: Session, config: EngineConfig, user_id: int, posted: dict, password_confirmed: bool = False
) -> str | None:
    """"Mis datos de usuario": check every field with registration's rules, then write all but
    a new email, which is returned: it takes effect only once its owner confirms it
    (confirm_email), so a typo or someone else's address never receives the recovery links."""
    errors: dict[str, list[str]] = {}
    try:
        clean = check(config, PROFILE_FIELDS, posted)
    except FormInvalid as refused:
        errors, clean = refused.errors, {}
    user = session.get(User, user_id, with_for_update=True)
    email = clean.get("email") if not errors else _valid_email(config, posted)
    if email and _others_with(session, User.email, email, user_id) is not None:
        errors = {**errors, "email": [EMAIL_TAKEN]}
    if email and email.lower() != user.email.lower() and not password_confirmed:
        # The email is where recovery links go: whoever holds a session (a borrowed or stolen
        # one) must not be able to move the account to an address of theirs.
        errors = {**errors, "contrasena_actual": [PASSWORD_FOR_EMAIL]}
    if errors:  # every problem at once, the email's included
        raise FormInvalid(errors)
    for name in PROFILE_FIELDS:
        if name != "email":
            setattr(user, name, clean.get(name))
    if clean["email"] == user.email:
        return None
    if clean["email"].lower() == user.email.lower():  # the same address, other letter case
        user.email = clean["email"]
        _write(session, "email", EMAIL_TAKEN)
        return None
    return clean["email"]



def confirm_email(
    session: Session, config: EngineConfig, user_id: int, previous: str, new_email: str
) -> User:
    """The owner of ``new_email`` opened the link: it replaces ``previous`` — unless the email
    changed since (the link was used, or another one was), then FormInvalid."""
    user = session.get(User, user_id, with_for_update=True)
    if user.email != previous:
        raise FormInvalid({"email": [LINK_SPENT]})
    if _others_with(session, User.email, new_email, user_id) is not None:
        raise FormInvalid({"email": [EMAIL_TAKEN]})
    user.email = new_email
    _write(session, "email", EMAIL_TAKEN)
    # Told to the previous address: if it was not its owner, they learn it at once.
    credentials.notify_credential_change(
        session, config, user, credentials.CHANGED_EMAIL, utcnow(), to=previous, new_value=user.email
    )
    return user


def change_username(session: Session, config: EngineConfig, user_id: int, posted: str) -> User:
    """"Accesos del usuario": a new username, by registration's rule, free in any letter case
    (the person's own in another case is fine: "ana" may become "Ana")."""
    clean = check(config, ["username"], {"username": posted})
    username = clean["username"]
    user = session.get(User, user_id, with_for_update=True)
    if _others_with(session, User.username, username, user_id) is not None:
        raise FormInvalid({"username": [username_taken(username)]})
    user.username = username
    _write(session, "username", username_taken(username))
    return user

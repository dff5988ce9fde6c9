"""Every ``flask --app webui`` command (``db`` comes from Flask-Migrate):

- ``init-demo``: schema (SQLite), diagrams, demo users and accounts (``make run``);
- ``create-user``, ``grant-role``, ``revoke-role``: people and platform roles;
- ``create-token``, ``revoke-token``: Bearer tokens for the JSON API;
- ``deploy-diagrams``: check and deploy workflows/ and forms/ where they changed (after
  ``db upgrade``), printing the diff; keeps versions made in the browser unless ``--force``;
- ``worker``: fire due timers and send the outbox (as ``python -m engine worker``).

Nothing runs at import time."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import stamp
from sqlalchemy import inspect
from sqlalchemy import select

from engine.config import outbox_lease_from_env
from engine.db import utcnow
from engine.domain import credentials
from engine.domain import models as m
from engine.domain import personal_data
from engine.domain import platform_roles
from engine.domain import rules
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import DomainError
from engine.errors import FormInvalid
from engine.outbox import LogTransport
from engine.scenarios import ScenariosFailed
from engine.worker import Worker
from webui.api import tokens
from webui.core import users
from webui.core.config import smtp_settings
from webui.core.extensions import db
from webui.core.identity import runner
from webui.core.policy import ROLE_NAMES

DEMO_ACCOUNTS = [
    # (nit, name, order, sector, department, municipality, Tipo de Entidad): values of the
    # registration form's lists (engine/domain/classification.py)
    (
        "900514813",
        "AGENCIA NACIONAL DE CONTRATACION PUBLICA - COLOMBIA COMPRA EFICIENTE",
        "Nacional",
        "Planeación",
        "11",
        "11001",
        "Superintendencia / Unidad Administrativa Especial con personería jurídica",
    ),
    (
        "899999090",
        "MINISTERIO DE HACIENDA Y CREDITO PUBLICO",
        "Nacional",
        "Hacienda y Crédito Público",
        "11",
        "11001",
        "Ministerio",
    ),
    (
        "890980040",
        "MUNICIPIO DE MEDELLIN",
        "Territorial",
        "Servicio Público",
        "05",
        "05001",
        "Municipio (Alcaldía)",
    ),
]


def _user(username, email, first, last, password, document_number):
    row = users.find_by_username(username)
    created = row is None
    if created:
        row = m.User(
            username=username,
            email=email,
            first_names=first,
            last_names=last,
            document_type="Cédula de ciudadanía",
            document_number=document_number,
            phone="6017456788",
            time_zone="(UTC-05:00) Bogotá, Lima, Quito",
            status=m.USER_ACTIVE,
            password_hash="",
        )
        db.session.add(row)
    if created or password:
        users.set_password(row, password or secrets.token_urlsafe(12))
    db.session.flush()
    return row, created


def _account(nit, name, order, sector, dept, muni, entity_type):
    row = db.session.scalar(select(m.Account).where(m.Account.nit == nit))
    if row is None:
        row = m.Account(
            nit=nit,
            nit_check_digit=rules.nit_check_digit(nit),
            name=name,
            short_name=name,
            state=m.ACCOUNT_ACTIVE,
            business_area="Público",
            organization_type="Entidad Estatal (De acuerdo con la definición del Decreto 1082 del 2015)",
            department_code=dept,
            municipality_code=muni,
            order=order,
            branch="Ejecutivo",
            sector=sector,
            entity_type=entity_type,
            address="Carrera 7 # 26 - 20",
            phone="6017956600",
            notification_email=f"notificaciones.{nit}@demo.secop.example",
        )
        db.session.add(row)
        db.session.flush()
    return row


@click.command("init-demo")
@with_appcontext
@click.option("--restablecer", is_flag=True, help="Asigna contraseñas nuevas a los usuarios de demostración.")
def init_demo(restablecer: bool):
    """Create the schema (SQLite), deploy workflows/ and forms/, and seed demo data."""
    runner = current_app.extensions["runner"]
    if db.engine.dialect.name == "sqlite":
        fresh = not inspect(db.engine).has_table("process_instance")
        runner.create_schema()
        if fresh:
            # Tables made from the models are the migrations' head: record it, so a later
            # `flask db upgrade` (after pulling a new release) starts from the right place.
            stamp()
    try:
        versions = runner.deploy()
    except DiagramInvalid as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(
            "Los diagramas tienen errores; corríjalos y vuelva a ejecutar init-demo."
        ) from None
    click.echo(f"Diagramas desplegados: {len(versions)} versión(es) vigente(s).")
    passwords = {}
    for username, email, first, last, doc in (
        ("mesa", "mesa@demo.secop.example", "Agente", "Mesa de Servicio", "1000000001"),
        ("admin.demo", "admin.demo@demo.secop.example", "Ana María", "Pérez Gómez", "1000000002"),
    ):
        existing = users.find_by_username(username)
        password = secrets.token_urlsafe(9) + "-1a" if existing is None or restablecer else None
        row, _ = _user(username, email, first, last, password, doc)
        passwords[username] = password
        if username == "mesa":
            users.grant(row, "mesa_servicio")
    accounts = [_account(*spec) for spec in DEMO_ACCOUNTS]
    admin = users.find_by_username("admin.demo")
    if (
        db.session.scalar(
            select(m.Membership).where(
                m.Membership.user_id == admin.id, m.Membership.account_id == accounts[0].id
            )
        )
        is None
    ):
        db.session.add(
            m.Membership(user_id=admin.id, account_id=accounts[0].id, role=m.ROLE_ADMIN, permissions=[])
        )
    db.session.commit()
    click.echo("Datos de demostración listos. Entre en /entrar con:")
    for username, password in passwords.items():
        shown = password or "(sin cambios; use --restablecer para asignar una nueva)"
        click.echo(f"  usuario {username!r} contraseña {shown}")
    click.echo("El correo de desarrollo (sin SMTP_HOST) está en /correo.")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.argument("email")
@click.option("--nombres", default="Usuario", show_default=True)
@click.option("--apellidos", default="SECOP", show_default=True)
@click.option("--documento", default="1000000000", show_default=True)
@click.password_option("--password", prompt="Contraseña")
def create_user(username, email, nombres, apellidos, documento, password):
    """Create an active user (for operators and agents)."""
    problem = users.password_problem(password)
    if problem:
        raise click.BadParameter(problem)
    typed = {"username": username, "email": email, "first_names": nombres, "last_names": apellidos,
             "document_number": documento}  # fmt: skip
    try:  # the registration form's rules, as for every other way of writing these fields
        personal_data.check(runner().config, list(typed), typed)
    except FormInvalid as refused:
        raise click.BadParameter(" ".join(m for ms in refused.errors.values() for m in ms)) from None
    _, created = _user(username, email, nombres, apellidos, password, documento)
    db.session.commit()
    click.echo(f"Usuario {username} {'creado' if created else 'actualizado'}.")


@click.command("grant-role")
@with_appcontext
@click.argument("username")
@click.argument("role", type=click.Choice(sorted(ROLE_NAMES)))
def grant_role(username, role):
    """Give a platform role to a user."""
    user = users.find_by_username(username)
    if user is None:
        raise click.ClickException(f"No existe el usuario {username}.")
    users.grant(user, role)
    db.session.commit()
    click.echo(f"{username} ahora tiene el rol {role}.")


@click.command("revoke-role")
@with_appcontext
@click.argument("username")
@click.argument("role", type=click.Choice(sorted(ROLE_NAMES)))
def revoke_role(username, role):
    """Take a platform role away from a user."""
    user = users.find_by_username(username)
    if user is None:
        raise click.ClickException(f"No existe el usuario {username}.")
    try:
        with runner().transaction() as session:
            done = platform_roles.revoke(session, user.id, role)
    except DomainError as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"{username} ya no tiene el rol {role}." if done else f"{username} no tenía el rol {role}.")


@click.command("create-token")
@with_appcontext
@click.argument("name")
@click.option("--usuario", help="Nombre de usuario dueño del token (sus roles aplican).")
@click.option("--sistema", is_flag=True, help="Token del sistema (solo para entregar mensajes).")
@click.option(
    "--dias",
    type=click.IntRange(1, tokens.MAX_DAYS),
    default=tokens.DEFAULT_DAYS,
    show_default=True,
    help="Días de validez; después el token deja de servir.",
)
def create_token(name, usuario, sistema, dias):
    """Create an API token valid for some days; it is printed once and stored hashed."""
    if bool(usuario) == bool(sistema):
        raise click.UsageError("Indique --usuario USUARIO o --sistema (uno de los dos).")
    user_id = None
    if usuario:
        user = users.find_by_username(usuario)
        if user is None:
            raise click.ClickException(f"No existe el usuario {usuario}.")
        user_id = user.id
    raw = tokens.issue(name, user_id, dias)
    click.echo(f"Token creado, válido por {dias} días. Guárdelo ahora: no se mostrará de nuevo.")
    click.echo(raw)


@click.command("revoke-token")
@with_appcontext
@click.argument("name")
def revoke_token(name):
    """Revoke every live token with this name."""
    revoked = credentials.revoke_api_tokens(db.session, utcnow(), name=name)
    db.session.commit()
    click.echo(f"Tokens revocados: {revoked}.")


@click.command("deploy-diagrams")
@with_appcontext
@click.option("--force", is_flag=True, help="replace versions made in the browser (recorded)")
@click.option("--comentario", default=None, help="why: recorded on every new version")
@click.option("--sin-diferencias", "quiet", is_flag=True, help="changed elements only, no file diffs")
def deploy_diagrams(force: bool, comentario: str | None, quiet: bool):
    """Check workflows/ and forms/ and deploy a new version only where they differ from the
    newest version, printing the diff; versions made in the browser are kept unless --force."""
    runner = current_app.extensions["runner"]
    try:
        planned = runner.plan_deploy()
        _echo_plan(planned, quiet)
        versions = runner.deploy(comment=comentario, force=force, planned=planned, scenarios=True)
    except DiagramInvalid as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException("Los diagramas tienen errores; no se desplegó nada.") from None
    except (Conflict, ScenariosFailed) as exc:
        raise click.ClickException(exc.message) from None
    if not versions:
        click.echo("Sin cambios: ninguna versión nueva.")
        return
    click.echo("Desplegado: " + ", ".join(f"{v.process_id} versión {v.number}" for v in versions) + ".")


def _echo_plan(planned, quiet: bool) -> None:
    for item in planned:
        newest = item.newest
        if newest is None:
            click.echo(f"{item.draft.process_id}: proceso nuevo.")
            continue
        process_id = item.draft.process_id
        click.echo(f"{process_id}: cambia respecto de la versión {newest.number} ({newest.origin}).")
        for line in item.changes.summary():
            click.echo(f"  {line}")
        if not quiet:
            for diff in item.changes.file_diffs.values():
                click.echo(diff, nl=not diff.endswith("\n"))


@click.command("worker")
@with_appcontext
@click.option("--poll", type=float, default=0.25, show_default=True, help="seconds between rounds")
def worker(poll: float):
    """Fire due timers and send the email outbox through SMTP, until SIGTERM."""
    backend = current_app.config["MAIL_BACKEND"]
    transport = LogTransport() if backend == "log" else None
    if backend == "dev":
        click.echo("Sin SMTP_HOST: los correos quedan en el buzón de desarrollo (/correo).", err=True)
    runner = current_app.extensions["runner"]
    settings = smtp_settings(current_app.config)
    loop = Worker(runner, settings, poll_seconds=poll, transport=transport, lease=outbox_lease_from_env())
    loop.run_forever()


COMMANDS = (
    init_demo,
    create_user,
    grant_role,
    revoke_role,
    create_token,
    revoke_token,
    deploy_diagrams,
    worker,
)


def init_app(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)

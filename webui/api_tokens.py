"""Bearer tokens for the JSON API: created by a CLI command, shown once, stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import click
from flask.cli import with_appcontext
from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.db import utcnow
from webui.extensions import db

PREFIX = "secop_"


class ApiToken(db.Model):
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


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(name: str, user_id: int | None) -> str:
    """Store a new token and return the raw value (the only time it exists in clear)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(token_hash=digest(raw), name=name, user_id=user_id))
    db.session.commit()
    return raw


def lookup(raw: str) -> ApiToken | None:
    """The live token with this value, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw or "")))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row


@click.command("create-token")
@with_appcontext
@click.argument("name")
@click.option("--usuario", help="Nombre de usuario dueño del token (sus roles aplican).")
@click.option("--sistema", is_flag=True, help="Token del sistema (solo para entregar mensajes).")
def create_token(name, usuario, sistema):
    """Create an API token; it is printed once and stored hashed."""
    from webui import users

    if bool(usuario) == bool(sistema):
        raise click.UsageError("Indique --usuario USUARIO o --sistema (uno de los dos).")
    user_id = None
    if usuario:
        user = users.find_by_username(usuario)
        if user is None:
            raise click.ClickException(f"No existe el usuario {usuario}.")
        user_id = user.id
    raw = issue(name, user_id)
    click.echo("Token creado. Guárdelo ahora: no se mostrará de nuevo.")
    click.echo(raw)


@click.command("revoke-token")
@with_appcontext
@click.argument("name")
def revoke_token(name):
    """Revoke every live token with this name."""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    db.session.commit()
    click.echo(f"Tokens revocados: {len(rows)}.")


def init_app(app) -> None:
    app.cli.add_command(create_token)
    app.cli.add_command(revoke_token)

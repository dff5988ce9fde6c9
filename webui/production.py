"""Production wiring, installed by ``create_app``: schema migrations (Flask-Migrate), the
refusal to run with a default ``SECRET_KEY``, the health endpoints, JSON logs with request
ids, and two commands for deployments:

- ``flask --app webui deploy-diagrams``: check and deploy workflows/ and forms/ (after
  ``flask --app webui db upgrade``);
- ``flask --app webui worker``: fire due timers and send the outbox through SMTP (the same
  loop as ``python -m engine worker``, configured from the app's settings).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask_migrate import Migrate

from webui.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Settings create_app does not read from the environment itself (limits, timeouts).
EXTRA_ENV_KEYS = ("LOGIN_LIMIT_PER_ADDRESS", "LOGIN_LIMIT_PER_USER", "RATELIMIT_STORAGE_URI", "SMTP_TIMEOUT")
# Values that appear in this repository or in tutorials: never acceptable in production.
DEFAULT_SECRETS = frozenset({"", "dev", "dev-only-secret", "test", "secret", "changeme", "change-me"})
MIN_SECRET_LENGTH = 16

migrate = Migrate()


class InsecureConfiguration(RuntimeError):
    """The app would start with settings that are unsafe in production."""


def _app_env(app) -> str:
    env = os.environ.get("APP_ENV") or os.environ.get("FLASK_ENV") or app.config.get("APP_ENV")
    return (env or "").lower()


def production_mode(app) -> bool:
    """``APP_ENV`` (or ``FLASK_ENV``) = production; gunicorn.conf.py sets it by default."""
    return _app_env(app) == "production"


def check_secret_key(app) -> None:
    """Refuse a default or short ``SECRET_KEY`` in production, and an unset one under gunicorn."""
    key = app.config.get("SECRET_KEY") or ""
    if production_mode(app):
        if key in DEFAULT_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise InsecureConfiguration(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters in production (APP_ENV=production); "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
    elif (
        key in DEFAULT_SECRETS
        and not (app.testing or app.debug or _app_env(app))
        and "gunicorn.arbiter" in sys.modules  # served by gunicorn, not by `flask run`
    ):
        raise InsecureConfiguration(
            "SECRET_KEY is not set: gunicorn serves production traffic, set SECRET_KEY "
            "(or APP_ENV=development for a local trial)"
        )


def init_app(app) -> None:
    """Called once by ``create_app`` after the extensions are bound."""
    from webui import health
    from webui import logging_setup

    check_secret_key(app)
    for key in EXTRA_ENV_KEYS:  # the environment wins, as for the keys create_app reads
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if production_mode(app):
        app.config.setdefault("ENV_NAME", "production")  # webui.security: Secure cookies, HSTS
    json_logs = production_mode(app) or os.environ.get("LOG_FORMAT", "").lower() == "json"
    logging_setup.init_app(app, json_logs=json_logs)
    # render_as_batch: SQLite can only ALTER a table by copying it, which alembic batches do.
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    app.register_blueprint(health.bp)
    app.cli.add_command(deploy_diagrams)
    app.cli.add_command(worker)


@functools.cache
def known_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(heads, every revision) of migrations/, read once per process."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    heads = frozenset(script.get_heads())
    return heads, frozenset(rev.revision for rev in script.walk_revisions())


@click.command("deploy-diagrams")
def deploy_diagrams():
    """Check and deploy workflows/ and forms/ (a new version only where a file changed)."""
    from engine.errors import DiagramInvalid

    try:
        versions = current_app.extensions["runner"].deploy()
    except DiagramInvalid as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException("Los diagramas tienen errores; no se desplegó nada.") from None
    click.echo(f"Diagramas desplegados: {len(versions)} versión(es) vigente(s).")


def smtp_settings(config):
    """The app's SMTP settings for the worker, or None with the development mailbox."""
    from engine.outbox import SmtpSettings

    if config["MAIL_BACKEND"] != "smtp" or not config["SMTP_HOST"]:
        return None
    return SmtpSettings(
        host=config["SMTP_HOST"],
        port=int(config["SMTP_PORT"]),
        user=config["SMTP_USER"] or None,
        password=config["SMTP_PASSWORD"] or None,
        starttls=bool(config["SMTP_STARTTLS"]),
        timeout=float(config.get("SMTP_TIMEOUT") or 30),
        mail_from=config["MAIL_FROM"],
    )


@click.command("worker")
@click.option("--poll", type=float, default=0.25, show_default=True, help="seconds between rounds")
def worker(poll: float):
    """Fire due timers and send the email outbox through SMTP, until SIGTERM."""
    from engine.config import outbox_lease_from_env
    from engine.worker import Worker

    settings = smtp_settings(current_app.config)
    if settings is None:
        click.echo("Sin SMTP_HOST: los correos quedan en el buzón de desarrollo (/correo).", err=True)
    runner = current_app.extensions["runner"]
    Worker(runner, settings, poll_seconds=poll, lease=outbox_lease_from_env()).run_forever()

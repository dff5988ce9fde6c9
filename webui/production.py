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
import math
import os
import zlib
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
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 96  # token_hex(16), 128 random bits, estimates at about 110
MAIL_BACKENDS = ("smtp", "log", "dev")
ZLIB_OVERHEAD = 11  # header, checksum and block header of zlib.compress's output

migrate = Migrate()


class InsecureConfiguration(RuntimeError):
    """The app would start with settings that are unsafe outside development."""


def _app_env(app) -> str:
    env = os.environ.get("APP_ENV") or os.environ.get("FLASK_ENV") or app.config.get("APP_ENV")
    return (env or "").lower()


def production_mode(app) -> bool:
    """``APP_ENV`` (or ``FLASK_ENV``) = production; gunicorn.conf.py sets it by default."""
    return _app_env(app) == "production"


def development_mode(app) -> bool:
    """Only an explicit ``APP_ENV=development`` (``make run``) or the test suite's
    ``TESTING`` may use development conveniences: a default key, the development mailbox.
    Anything else (unset, ``staging``, a typo) is treated as production."""
    return app.testing or _app_env(app) == "development"


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign sessions and emailed links, or None.

    Length alone is not entropy ("a" * 40, "abcd" * 12): the key must be long *and* varied,
    as a ``secrets.token_urlsafe(32)`` (43 characters, about 200 bits) is. Two estimates,
    the smaller wins: the key's length times the Shannon entropy of its characters (blind to
    repeated patterns) and its size once compressed (blind to a skewed alphabet)."""
    if key in DEFAULT_SECRETS or len(key) < MIN_SECRET_LENGTH:
        return f"must be a random value of at least {MIN_SECRET_LENGTH} characters"
    counts = [key.count(char) for char in set(key)]
    shannon = -sum(n * math.log2(n / len(key)) for n in counts)
    compressed = 8 * max(0, len(zlib.compress(key.encode(), 9)) - ZLIB_OVERHEAD)
    bits = min(shannon, compressed)
    if bits < MIN_SECRET_BITS:
        return f"is not random enough (about {bits:.0f} bits; at least {MIN_SECRET_BITS} are needed)"
    return None


def check_secret_key(app) -> None:
    """Refuse a default, short or repetitive ``SECRET_KEY`` unless explicitly in development."""
    if development_mode(app):
        return
    problem = secret_key_problem(app.config.get("SECRET_KEY") or "")
    if problem:
        raise InsecureConfiguration(
            f"SECRET_KEY {problem} (APP_ENV={_app_env(app) or 'unset'}: only APP_ENV=development "
            'allows a default key); generate one with: python -c "import secrets; '
            'print(secrets.token_urlsafe(32))"'
        )


def choose_mail_backend(app) -> str:
    """Where emails go: ``smtp`` (a relay), ``log`` (nowhere: the worker only logs who would
    have received what subject) or ``dev`` (the development mailbox at /correo, which shows
    every email, reset links included, to anyone who can reach the server).

    Outside development the mailbox would hand out account takeovers, so it is refused, and
    a deployment without ``SMTP_HOST`` must say ``MAIL_BACKEND=log`` to run without mail."""
    config = app.config
    backend = (config.get("MAIL_BACKEND") or "").strip().lower()
    if not backend:
        backend = "smtp" if config["SMTP_HOST"] else ("dev" if development_mode(app) else "")
    if backend not in MAIL_BACKENDS:
        raise InsecureConfiguration(
            "SMTP_HOST is not set: outside development (APP_ENV=development) the platform needs "
            "an SMTP relay for its emails. Set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, "
            "SMTP_STARTTLS), or MAIL_BACKEND=log to send nothing and only log each email's "
            "recipient and subject (docs/deploy.md)."
            + (f" MAIL_BACKEND={backend!r} is not one of smtp, log, dev." if backend else "")
        )
    if backend == "dev" and not development_mode(app):
        raise InsecureConfiguration(
            "MAIL_BACKEND=dev serves every email, password-reset links included, at /correo: it "
            "is only allowed with APP_ENV=development. Set SMTP_HOST, or MAIL_BACKEND=log."
        )
    if backend == "smtp" and not config["SMTP_HOST"]:
        raise InsecureConfiguration("MAIL_BACKEND=smtp needs SMTP_HOST (the relay's host name).")
    return backend


def init_app(app) -> None:
    """Called once by ``create_app`` after the extensions are bound."""
    from webui import health
    from webui import logging_setup

    check_secret_key(app)
    app.config["MAIL_BACKEND"] = choose_mail_backend(app)
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
    """The app's SMTP settings for the worker, or None without a relay (``log``, ``dev``)."""
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
    from engine.outbox import LogTransport
    from engine.worker import Worker

    backend = current_app.config["MAIL_BACKEND"]
    settings = smtp_settings(current_app.config)
    transport = LogTransport() if backend == "log" else None
    if backend == "dev":
        click.echo("Sin SMTP_HOST: los correos quedan en el buzón de desarrollo (/correo).", err=True)
    runner = current_app.extensions["runner"]
    loop = Worker(runner, settings, poll_seconds=poll, transport=transport, lease=outbox_lease_from_env())
    loop.run_forever()

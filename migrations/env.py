"""Alembic environment for every table on ``engine.db.Base``.

Runs three ways: under Flask-Migrate (``flask --app webui db upgrade``: the app's engine and
settings), with a connection handed over in ``config.attributes["connection"]`` (tests), or
as plain Alembic with ``DATABASE_URL`` (``alembic -c migrations/alembic.ini upgrade head``).
"""

import logging
import os
from logging.config import fileConfig

from alembic import context

import engine.domain.models  # noqa: F401  (registers the domain tables on Base.metadata)
import engine.models  # noqa: F401  (registers the engine tables on Base.metadata)
from engine.db import Base
from engine.db import make_engine

config = context.config
# Keep the caller's logging (JSON in production, pytest's capture in tests) when it has one.
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata
# Same options whichever way we run: SQLite alters tables by copying them (batch mode).
DEFAULT_ARGS = {"render_as_batch": True, "compare_type": True}


def _flask_migrate():
    """Flask-Migrate's extension when run by ``flask db``, else None."""
    try:
        from flask import current_app  # noqa: TID251  (migrations run under Flask-Migrate)
        from flask import has_app_context  # noqa: TID251
    except ImportError:  # pragma: no cover
        return None
    if not has_app_context():
        return None
    return current_app.extensions.get("migrate")


def _skip_empty_autogenerate(context_, revision, directives):
    """``db migrate`` with no model change writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _configure_args(extension) -> dict:
    args = dict(DEFAULT_ARGS)
    if extension is not None:
        args.update(extension.configure_args)
    args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    return args


def _url(extension) -> str:
    if extension is not None:
        return extension.db.engine.url.render_as_string(hide_password=False)
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL (or run through `flask --app webui db ...`)")
    return url


def run_migrations_offline() -> None:
    """``--sql``: print the DDL instead of running it."""
    extension = _flask_migrate()
    context.configure(
        url=_url(extension),
        target_metadata=target_metadata,
        literal_binds=True,
        **_configure_args(extension),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection, extension) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **_configure_args(extension))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    extension = _flask_migrate()
    if connection is not None:
        _run(connection, extension)
        return
    if extension is not None:
        engine = extension.db.engine
        owned = False
    else:
        engine = make_engine(_url(None))
        owned = True
    try:
        with engine.connect() as connection:
            _run(connection, extension)
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

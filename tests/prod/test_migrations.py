"""Schema migrations: from an empty database to the head, and from the previous head; the
migrated schema is exactly what the models declare (alembic's compare_metadata finds
nothing), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from engine.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"


def all_metadata():
    """Every table on engine.db.Base, as the running app sees it (webui declares some too)."""
    import webui
    from webui.core.extensions import db

    webui.create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "test"})
    return db.metadata


def alembic_config(connection) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.attributes["connection"] = connection
    return config


def migrate(url: str, *steps: tuple[str, str]) -> None:
    """Run ``("upgrade", "head")``, ``("downgrade", "-1")``, … each in its own transaction."""
    engine = make_engine(url)
    try:
        for action, target in steps:
            with engine.begin() as conn:
                getattr(command, action)(alembic_config(conn), target)
    finally:
        engine.dispose()


def differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLite cannot reflect the lower(...) indexes: alembic skips them, with a warning;
            # test_case_insensitive_indexes_after_upgrade checks what they do instead.
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, all_metadata())
    finally:
        engine.dispose()


def current_revisions(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def test_one_head_and_a_linear_history():
    scripts = script()
    assert len(scripts.get_heads()) == 1, "two migration heads: merge them (flask db merge)"
    assert len(scripts.get_bases()) == 1


def test_upgrade_from_an_empty_database_builds_the_models_schema(empty_database_url):
    assert differences(empty_database_url), "compare_metadata must see missing tables"
    migrate(empty_database_url, ("upgrade", "head"))
    assert current_revisions(empty_database_url) == set(script().get_heads())
    assert {t.name for t in all_metadata().sorted_tables} <= table_names(empty_database_url)
    assert differences(empty_database_url) == []


def test_upgrade_from_the_previous_head(empty_database_url):
    """Down one revision and up again: what a deploy of the newest migration does."""
    head = script().get_current_head()
    previous = script().get_revision(head).down_revision
    migrate(empty_database_url, ("upgrade", "head"), ("downgrade", "-1"))
    assert current_revisions(empty_database_url) == ({previous} if previous else set())
    migrate(empty_database_url, ("upgrade", "head"))
    assert current_revisions(empty_database_url) == {head}
    assert differences(empty_database_url) == []


def test_every_revision_steps_up_down_and_up(empty_database_url):
    """The stairway: each revision upgrades, downgrades cleanly and upgrades again."""
    revisions = list(reversed(list(script().walk_revisions())))
    for revision in revisions:
        migrate(
            empty_database_url,
            ("upgrade", revision.revision),
            ("downgrade", revision.down_revision or "base"),
            ("upgrade", revision.revision),
        )
    assert differences(empty_database_url) == []


def test_downgrade_to_base_leaves_no_table(empty_database_url):
    migrate(empty_database_url, ("upgrade", "head"), ("downgrade", "base"))
    assert table_names(empty_database_url) <= {"alembic_version"}


def test_flask_db_upgrade_on_deploy(tmp_path):
    """The deploy command itself: ``flask --app webui db upgrade``, then ``deploy-diagrams``."""
    url = f"sqlite:///{tmp_path / 'deploy.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "MAIL_BACKEND": "log",
        "APP_ENV": "production",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "BASE_URL": "https://secop.example",
    }
    env.pop("FLASK_ENV", None)
    flask = [sys.executable, "-m", "flask", "--app", "webui"]
    for args in (["db", "upgrade"], ["deploy-diagrams"], ["db", "current"]):
        result = subprocess.run(
            [*flask, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    assert script().get_current_head() in result.stdout
    assert current_revisions(url) == set(script().get_heads())
    assert differences(url) == []


def test_offline_sql_renders_for_postgresql(capsys):
    """``flask db upgrade --sql`` gives a DBA the DDL to review before a deploy."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://u@localhost/db")
    command.upgrade(config, "head", sql=True)
    out = capsys.readouterr().out
    assert "CREATE TABLE process_instance" in out and "CREATE TABLE alembic_version" in out


def test_case_insensitive_indexes_after_upgrade(empty_database_url):
    """Migration 0011: "Ana" and "ana" (and two emails differing in case) cannot both exist."""
    migrate(empty_database_url, ("upgrade", "head"))
    insert = text(
        "INSERT INTO app_user (username, email, password_hash, first_names, last_names, document_type,"
        " document_number, phone, time_zone, status, session_epoch, activation_links_sent, created_at)"
        " VALUES (:username, :email, 'x', 'A', 'B', 'Pasaporte', 'AB1234', '3001234567', 'z', 'Activo',"
        " 0, 0, CURRENT_TIMESTAMP)"
    )
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert, {"username": "Ana", "email": "ana@example.gov.co"})
        for duplicate in ({"username": "ana", "email": "otra@example.gov.co"},
                          {"username": "otra", "email": "ANA@example.gov.co"}):  # fmt: skip
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(insert, duplicate)
    finally:
        engine.dispose()

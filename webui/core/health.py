"""Health endpoints for the proxy and the orchestrator (JSON, no login, no CSRF).

- ``/healthz`` liveness: the process answers. Touches no database, so a database outage
  does not make every web process get restarted at once.
- ``/readyz`` readiness: the database answers ``SELECT 1``, its schema is at the migration
  head this code expects, and diagrams are deployed; 503 otherwise, so the proxy sends
  traffic elsewhere until it is.
"""

from __future__ import annotations

import functools

from alembic.script import ScriptDirectory
from flask import current_app
from flask import jsonify
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from engine.models import ProcessVersion
from webui.core.config import production_mode
from webui.core.extensions import MIGRATIONS_DIR
from webui.core.extensions import db


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def healthz():
    """Liveness: this process serves requests. Anyone may ask, so it tells nothing about the
    host (no host name, no process id)."""
    return _no_store(jsonify(status="ok"))


def readyz():
    """Readiness: database reachable, schema migrated, diagrams deployed."""
    checks: dict[str, str] = {}
    processes: list[str] = []
    stage = "database"
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            stage = "schema"
            checks["schema"] = _schema_state(conn)
            stage = "diagrams"
            processes = sorted(conn.scalars(select(ProcessVersion.process_id).distinct()))
            count = conn.scalar(select(func.count()).select_from(ProcessVersion))
        checks["diagrams"] = "ok" if count else "none deployed"
    except Exception as exc:  # any failure means "not ready"; the class name is enough to act on
        current_app.logger.warning(
            "readiness check failed", extra={"check": stage, "error": type(exc).__name__}
        )
        checks[stage] = f"error: {type(exc).__name__}"
    ready = "diagrams" in checks and all(value in ("ok", "unversioned", "newer") for value in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks, "processes": processes}
    return _no_store(jsonify(body)), (200 if ready else 503)


@functools.cache
def known_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(heads, every revision) of migrations/, read once per process."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    heads = frozenset(script.get_heads())
    return heads, frozenset(rev.revision for rev in script.walk_revisions())


def _schema_state(conn) -> str:
    """``ok`` at the head; ``behind`` needs ``flask db upgrade``; ``newer`` means a later
    release migrated already (expand-only migrations keep this code working);
    ``unversioned``: tables made by ``create_all`` (tests, ``make run``), not in production."""
    heads, known = known_revisions()
    try:
        current = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception:
        conn.rollback()
        return "not migrated" if production_mode(current_app) else "unversioned"
    if current == heads:
        return "ok"
    if current and not current <= known:
        return "newer"
    return "behind"

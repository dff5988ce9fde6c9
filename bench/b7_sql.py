"""7. Database work per click: statements (and writes) issued by one task completion."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import event

from bench.common import postgres_url
from bench.common import sqlite_url
from bench.diagrams import write_linear_set
from engine import EngineConfig
from engine import Runner
from engine.db import Base
from engine.domain import secop_domain

WRITES = ("INSERT", "UPDATE", "DELETE")


def count(url: str) -> dict:
    workdir = write_linear_set(Path(tempfile.mkdtemp()) / "workflows", 10)
    runner = Runner.from_url(
        url, EngineConfig(workflows_dir=workdir, forms_dir=workdir / "forms"), domain=secop_domain()
    )
    with runner.transaction() as session:
        Base.metadata.create_all(session.get_bind())
    runner.deploy()
    actor = runner.actor_for_user(1)
    task = runner.start("linear10", actor).next_tasks[0]
    task = runner.complete_task(actor, task.id, {"valor": "x"}).next_tasks[0]
    statements: list[str] = []
    bind = runner.session_factory.kw["bind"]

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(bind, "before_cursor_execute", record)
    runner.complete_task(actor, task.id, {"valor": "y"})
    event.remove(bind, "before_cursor_execute", record)
    runner.close()
    statements = [s for s in statements if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
    return {
        "statements": len(statements),
        "writes": sum(s in WRITES for s in statements),
        "kinds": statements,
    }


def run(quick: bool = False) -> dict:
    results = {"sqlite": count(sqlite_url("sql.db"))}
    pg = postgres_url("secop_bench_sql")
    if pg:
        results["postgresql"] = count(pg)
    print("\n7. Database work per click — statements issued by one task completion")
    for name, values in results.items():
        kinds = " ".join(values["kinds"])
        print(f"  {name:<12} {values['statements']:3d} statements, {values['writes']} writes  ({kinds})")
    print("  target: <= 10 statements, <= 5 writes (best-known Flask + SpiffWorkflow server: ~79 / 19)")
    return {"sql_per_click": results}

"""3. Scale of data: inbox, instance list and instance page with 1k, 10k, 100k instances.

Instances are generated directly in the database (copies of one real instance's state, with
their own index rows), so generating 100k takes seconds, not hours.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import insert
from sqlalchemy import select

from bench.common import header
from bench.common import postgres_url
from bench.common import row
from bench.common import sqlite_url
from bench.common import summary
from bench.common import timed
from engine import Actor
from engine import EngineConfig
from engine import Runner
from engine.config import PROJECT_ROOT
from engine.db import Base
from engine.domain import secop_domain
from engine.models import HumanTask
from engine.models import ProcessInstance

DEMO = PROJECT_ROOT / "tests" / "data" / "engine_demo"
SIZES = (1_000, 10_000, 100_000)
CHUNK = 5_000


def _runner(url: str) -> Runner:
    defaults = {"review_ttl": "P3D", "nombre": "Ana"}
    runner = Runner.from_url(
        url,
        EngineConfig(workflows_dir=DEMO, forms_dir=DEMO / "forms", process_defaults=defaults),
        domain=secop_domain(),
    )
    with runner.transaction() as session:
        Base.metadata.create_all(session.get_bind())
    runner.deploy()
    return runner


def _template(runner: Runner) -> ProcessInstance:
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    runner.complete_task(
        user, started.next_tasks[0].id, {"monto": 5000, "codigo": "BEN001", "correo": "a@b.co"}
    )
    with runner.transaction() as session:
        return session.get(ProcessInstance, started.instance_id)


def _grow(runner: Runner, template: ProcessInstance, target: int, rng: random.Random) -> None:
    with runner.transaction() as session:
        have = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()).limit(1)) or 0
    start = dt.datetime(2025, 1, 1)
    next_id = have + 1
    while next_id <= target:
        instances, tasks = [], []
        for instance_id in range(next_id, min(target, next_id + CHUNK - 1) + 1):
            created = start + dt.timedelta(minutes=instance_id)
            running = rng.random() < 0.7
            account = rng.randint(1, 500)
            instances.append({
                "id": instance_id, "process_id": "demo_solicitud", "version_id": template.version_id,
                "status": "running" if running else "completed", "state": template.state,
                "serializer_version": template.serializer_version, "lock_version": 2,
                "owner_user_id": rng.randint(1, 10_000), "account_id": account,
                "created_at": created, "updated_at": created,
            })  # fmt: skip
            if running:
                kind = rng.random()
                lane = (
                    {"lane_kind": "platform", "role": "mesa_servicio", "lane": "Mesa de Servicio"}
                    if kind < 0.3
                    else {
                        "lane_kind": "account",
                        "role": "Administrador",
                        "account_id": account,
                        "lane": "Admin",
                    }
                    if kind < 0.5
                    else {"lane_kind": "owner", "owner_user_id": rng.randint(1, 10_000), "lane": "Usuario"}
                )
                tasks.append({
                    "id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": instance_id,
                    "process_id": "demo_solicitud", "name": "revisar", "title": "Revisar", "status": "ready",
                    "created_at": created, "form_schema": "demo_revisar-schema.json", "role": None,
                    "account_id": None, "owner_user_id": None, **lane,
                })  # fmt: skip
        with runner.transaction() as session:
            session.execute(insert(ProcessInstance), instances)
            if tasks:
                session.execute(insert(HumanTask), tasks)
        next_id += CHUNK
    if runner.session_factory.kw["bind"].dialect.name == "postgresql":
        with runner.transaction() as session:
            session.execute(select(1))
            session.connection().exec_driver_sql("ANALYZE")


def measure(url: str, label: str, quick: bool) -> dict:
    runner = _runner(url)
    template = _template(runner)
    rng = random.Random(42)
    mesa = Actor(user_id=1, platform_roles=frozenset({"mesa_servicio"}))
    admin = Actor(user_id=2, account_roles={7: "Administrador", 8: "Administrador"})
    results = {}
    runs = 20 if quick else 60
    for size in SIZES[:2] if quick else SIZES:
        _grow(runner, template, size, rng)
        some_id = size // 2
        results[size] = {
            "inbox_mesa_ms": summary(timed(lambda: runner.inbox(mesa), runs)),
            "inbox_admin_ms": summary(timed(lambda: runner.inbox(admin), runs)),
            "instance_list_ms": summary(timed(lambda: runner.list_instances(per_page=50), runs)),
            "instance_list_filtered_ms": summary(
                timed(lambda: runner.list_instances(status="running", waiting_role="mesa_servicio"), runs)
            ),
            "instance_page_ms": summary(
                timed(
                    lambda some_id=some_id: (runner.instance(some_id), runner.element_states(some_id)), runs
                )
            ),
        }
    runner.close()
    print(header(f"3. Scale of data — {label} (engine calls; HTTP adds the web layer)"))
    for size, values in results.items():
        for name, stats in values.items():
            print(row(f"{size:>7,} instances: {name.removesuffix('_ms').replace('_', ' ')}", stats))
    return results


def run(quick: bool = False) -> dict:
    results = {"sqlite": measure(sqlite_url("scale.db"), "SQLite", quick)}
    pg = postgres_url("secop_bench_scale")
    if pg:
        results["postgresql"] = measure(pg, "PostgreSQL", quick)
    return {"scale": results}

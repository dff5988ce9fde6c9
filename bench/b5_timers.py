"""5. Timers: with a worker process running, the lag between a timer's due time and its
firing, for 1,000 timers due within the same minute (spread evenly across it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import func
from sqlalchemy import select

from bench.common import ROOT
from bench.common import postgres_url
from bench.common import sqlite_url
from bench.common import summary
from engine import Actor
from engine import EngineConfig
from engine import Runner
from engine.db import Base
from engine.domain import secop_domain
from engine.models import InstanceEvent
from engine.models import ProcessInstance

DEMO = ROOT / "tests" / "data" / "engine_demo"


def measure(url: str, count: int) -> dict:
    runner = Runner.from_url(url, EngineConfig(workflows_dir=DEMO, forms_dir=DEMO / "forms",
                                               process_defaults={"nombre": "Ana"}),
                             domain=secop_domain())  # fmt: skip
    with runner.transaction() as session:
        Base.metadata.create_all(session.get_bind())
    runner.deploy()
    # The timers fall due across one minute that starts ``lead`` seconds from now (after
    # they are all created), so the worker meets them the way a real minute brings them.
    lead = 25 + count // 40
    minute_starts = time.time() + lead
    for number in range(count):
        remaining = max(1.0, minute_starts + 60.0 * number / count - time.time())
        started = runner.start("demo_solicitud", Actor.anonymous(), {"review_ttl": f"PT{remaining:.3f}S"})
        user = Actor.anonymous(started.anonymous_token)
        code = f"TMR{number % 1000:03d}"
        runner.complete_task(
            user, started.next_tasks[0].id, {"monto": 5000, "codigo": code, "correo": "a@b.co"}
        )
    with runner.transaction() as session:
        due = dict(session.execute(select(ProcessInstance.id, ProcessInstance.next_timer_at)).all())
    worker = subprocess.Popen(
        [sys.executable, "-m", "engine", "worker", "--poll", "0.2"],
        # The worker refuses to start without an SMTP relay outside development; the demo
        # diagram sends no email, so log what would be sent.
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "WORKFLOWS_DIR": str(DEMO),
             "MAIL_BACKEND": "log"},  # fmt: skip
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + lead + 180
        while time.time() < deadline:
            with runner.transaction() as session:
                fired = session.scalar(select(func.count()).where(InstanceEvent.kind == "timer_fired"))
            if fired >= count:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    with runner.transaction() as session:
        fired_at = dict(
            session.execute(
                select(InstanceEvent.instance_id, InstanceEvent.at).where(InstanceEvent.kind == "timer_fired")
            ).all()
        )
    runner.close()
    lags = [(fired_at[i] - due[i]).total_seconds() * 1000 for i in due if i in fired_at]
    return {"timers": count, "fired": len(lags), "lag_ms": summary(lags) if lags else None}


def run(quick: bool = False) -> dict:
    count = 200 if quick else 1000
    results = {"sqlite": measure(sqlite_url("timers.db"), count)}
    pg = postgres_url("secop_bench_timers")
    if pg:
        results["postgresql"] = measure(pg, count)
    print(f"\n5. Timers — {count} timers due within one minute, one worker (poll 0.2 s)")
    for name, values in results.items():
        lag = values["lag_ms"]
        print(f"  {name:<12} fired {values['fired']}/{values['timers']}; lag median {lag['median']:.0f} ms, "
              f"p95 {lag['p95']:.0f} ms, p99 {lag['p99']:.0f} ms (target p99 <= 1000 ms)")  # fmt: skip
    return {"timers": results}

"""2. Flat with history: a completion at round 1, 50, 200, 1000 of one looping instance."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import header
from bench.common import sqlite_url
from bench.diagrams import write_loop_set
from engine import Actor
from engine import EngineConfig
from engine import Runner
from engine.domain import secop_domain
from engine.models import ProcessInstance

MARKS = (1, 50, 200, 1000)


def run(quick: bool = False) -> dict:
    workdir = write_loop_set(Path(tempfile.mkdtemp()) / "workflows")
    runner = Runner.from_url(
        sqlite_url("history.db"),
        EngineConfig(workflows_dir=workdir, forms_dir=workdir / "forms"),
        domain=secop_domain(),
    )
    runner.create_schema()
    runner.deploy()
    actor = Actor(user_id=1)
    # Warm the caches on a throwaway instance so round 1 is not a cold start.
    warm = runner.start("bucle", actor).next_tasks[0]
    for _ in range(20):
        warm = runner.complete_task(actor, warm.id, {"seguir": True}).next_tasks[0]
    started = runner.start("bucle", actor)
    task = started.next_tasks[0]
    times: list[float] = []
    marks = {}
    for round_number in range(1, max(MARKS) + 6):
        begin = time.perf_counter()
        task = runner.complete_task(
            actor, task.id, {"seguir": True, "nota": f"ronda {round_number}"}
        ).next_tasks[0]
        times.append((time.perf_counter() - begin) * 1000)
        if round_number - 5 in MARKS:
            mark = round_number - 5
            with runner.transaction() as session:
                size = len(session.get(ProcessInstance, started.instance_id).state)
            marks[mark] = {"median_ms": statistics.median(times[mark - 1 : mark + 5]), "state_bytes": size}
    runner.close()
    ratio = marks[1000]["median_ms"] / marks[1]["median_ms"]
    print(header("2. Flat with history — one instance looping through a user task"))
    for mark, values in marks.items():
        print(f"  {'completion at round ' + str(mark):<52} {values['median_ms']:9.2f} {'':>9}   ms  "
              f"state {values['state_bytes'] / 1024:.1f} KB")  # fmt: skip
    print(f"  round 1000 / round 1: {ratio:.2f}x (target <= 1.5x)")
    return {"history": {"rounds": marks, "ratio_1000_to_1": ratio}}

"""1. Floor vs stack: one 10-user-task diagram, raw SpiffWorkflow vs our runner (+ HTTP)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from bench.common import header
from bench.common import row
from bench.common import sqlite_url
from bench.common import summary
from bench.common import timed
from bench.diagrams import write_linear_set
from engine import Actor
from engine import EngineConfig
from engine import Runner
from engine.domain import secop_domain

TASKS = 10


def _raw(spec) -> None:
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    for step in range(TASKS):
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.set_data(valor=f"paso {step}")
        task.run()
        workflow.do_engine_steps()


def _persisted(runner: Runner, actor: Actor, completions: list[float]) -> None:
    import time

    task = runner.start("linear10", actor).next_tasks[0]
    for step in range(TASKS):
        begin = time.perf_counter()
        result = runner.complete_task(actor, task.id, {"valor": f"paso {step}"})
        completions.append((time.perf_counter() - begin) * 1000)
        task = result.next_tasks[0] if result.next_tasks else None


def run(quick: bool = False) -> dict:
    instances = 40 if quick else 200
    workdir = write_linear_set(Path(tempfile.mkdtemp()) / "workflows", TASKS)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(workdir / "linear10.bpmn"))
    spec = parser.get_spec("linear10")
    raw = summary(timed(lambda: _raw(spec), instances, warmup=20))

    runner = Runner.from_url(
        sqlite_url("floor.db"),
        EngineConfig(workflows_dir=workdir, forms_dir=workdir / "forms"),
        domain=secop_domain(),
    )
    runner.create_schema()
    runner.deploy()
    actor = Actor(user_id=1)
    completions: list[float] = []
    per_instance = summary(timed(lambda: _persisted(runner, actor, completions), instances, warmup=20))
    completion = summary(completions[-instances * TASKS :])
    runner.close()
    result = {
        "raw_instance_ms": raw,
        "raw_task_ms": {k: (v / TASKS if k != "n" else v) for k, v in raw.items()},
        "runner_sqlite_instance_ms": per_instance,
        "runner_sqlite_completion_ms": completion,
        "ratio_instance_runner_to_raw": per_instance["median"] / raw["median"],
    }
    print(header("1. Floor vs stack — 10-user-task diagram"))
    print(row("(a) raw SpiffWorkflow in memory, per instance", raw))
    print(row("(a) raw SpiffWorkflow in memory, per task", result["raw_task_ms"]))
    print(row("(b) runner + SQLite, per instance (11 transactions)", per_instance,
              extra=f"{result['ratio_instance_runner_to_raw']:.1f}x (a)"))  # fmt: skip
    print(row("(b) runner + SQLite, per task completion", completion))
    return {"floor": result}

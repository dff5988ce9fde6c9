"""Per-instance cost of the same 10-user-task diagram: (a) raw SpiffWorkflow in memory,
(b) our Runner persisting every step to SQLite (one transaction per step, reload per step).

Run: ``make bench`` or ``.venv/bin/python bench/engine.py [--instances N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser import VALIDATOR  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from bench.diagrams import write_linear_set  # noqa: E402
from engine import Actor  # noqa: E402
from engine import EngineConfig  # noqa: E402
from engine import Runner  # noqa: E402

TASKS = 10


def raw_instance(spec, subprocess_specs) -> None:
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.do_engine_steps()
    for step in range(TASKS):
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.set_data(valor=f"paso {step}")
        task.run()
        workflow.do_engine_steps()
    assert workflow.is_completed()


def runner_instance(runner: Runner, actor: Actor) -> None:
    started = runner.start("linear10", actor)
    task = started.next_tasks[0]
    for step in range(TASKS):
        result = runner.complete_task(actor, task.id, {"valor": f"paso {step}"})
        task = result.next_tasks[0] if result.next_tasks else None
    assert result.status == "completed"


def measure(fn, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = write_linear_set(Path(tmp) / "workflows", TASKS)
        spiff_parser = SpiffBpmnParser(validator=VALIDATOR)
        spiff_parser.add_bpmn_file(str(workdir / "linear10.bpmn"))
        spec = spiff_parser.get_spec("linear10")
        raw = measure(lambda: raw_instance(spec, {}), args.instances, 20)

        config = EngineConfig(workflows_dir=workdir, forms_dir=workdir / "forms", process_defaults={})
        runner = Runner.from_url(f"sqlite:///{tmp}/bench.db", config)
        runner.create_schema()
        runner.deploy()
        actor = Actor(user_id=1)
        persisted = measure(lambda: runner_instance(runner, actor), args.instances, 20)
        runner.close()

    raw_median, raw_p95 = summary(raw)
    run_median, run_p95 = summary(persisted)
    print(f"10-user-task diagram, {args.instances} instances after warm-up (ms per instance)")
    print(f"{'':38} {'median':>8} {'p95':>8} {'per task':>9}")
    print(
        f"{'(a) raw SpiffWorkflow, in memory':38} {raw_median:8.2f} {raw_p95:8.2f} {raw_median / TASKS:9.3f}"
    )
    label = "(b) Runner + SQLite, 11 transactions"
    print(f"{label:38} {run_median:8.2f} {run_p95:8.2f} {run_median / (TASKS + 1):9.3f}")
    print(f"ratio (b)/(a): {run_median / raw_median:.1f}x")


if __name__ == "__main__":
    main()

"""A loop run hundreds of times: the instance keeps working (SpiffWorkflow alone loses
track of tasks deeper than 1000 levels and reports the workflow completed at the 501st
round of a two-element loop) and its stored state stays small."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from engine import Actor
from engine.models import ElementVisit
from engine.models import ProcessInstance

LOOP = Path(__file__).resolve().parent.parent / "data" / "bucle"
ROUNDS = 600


def test_six_hundred_rounds_of_a_loop(make_runner):
    runner = make_runner(LOOP, LOOP / "forms", process_defaults={})
    actor = Actor(user_id=1)
    started = runner.start("bucle", actor)
    task = started.next_tasks[0]
    runner.complete_task(actor, task.id, {"seguir": True, "nota": "primera ronda"})
    task = runner.inbox(actor)[0]
    sizes = []
    for round_number in range(2, ROUNDS + 1):
        result = runner.complete_task(actor, task.id, {"seguir": round_number < ROUNDS})
        if round_number < ROUNDS:
            assert result.status == "running", round_number
            assert len(result.next_tasks) == 1, round_number
            task = result.next_tasks[0]
            with runner.transaction() as session:
                sizes.append(len(session.get(ProcessInstance, started.instance_id).state))
    assert result.status == "completed"
    assert result.data["nota"] == "primera ronda"  # data from the first round survived compaction
    assert max(sizes) < 40_000 and max(sizes[-100:]) <= max(sizes[:100]) * 1.2
    with runner.transaction() as session:
        visits = select(func.count()).where(ElementVisit.instance_id == started.instance_id)
        passes = session.scalar(visits.where(ElementVisit.element_id == "u"))
    assert passes == ROUNDS

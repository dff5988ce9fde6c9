"""Issue 2 acceptance: the demo diagram set (two lanes, gateway, JSON Schema form, message,
timer boundary, DMN) driven through the Runner on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine import Actor
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import FormRejected
from engine.errors import MessageNotExpected
from engine.errors import NotFound
from engine.errors import StepFailed
from engine.errors import TaskNotReady
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import ProcessInstance

DEMO = Path(__file__).resolve().parent.parent / "data" / "engine_demo"
MESA = Actor(user_id=900, platform_roles=frozenset({"mesa_servicio"}))
STRANGER = Actor(user_id=901)
DEFAULTS = {"review_ttl": "PT1S", "nombre": "Ana"}


@pytest.fixture
def demo(make_runner):
    """A factory of *fresh* runners (new engine, empty caches) on the same database."""
    first = make_runner(DEMO, DEMO / "forms", process_defaults=DEFAULTS)

    def fresh():
        return make_runner(DEMO, DEMO / "forms", deploy=False, process_defaults=DEFAULTS)

    return first, fresh


def _row(runner, instance_id) -> ProcessInstance:
    with runner.transaction() as session:
        return session.get(ProcessInstance, instance_id)


def _count(runner, model, **filters) -> int:
    with runner.transaction() as session:
        query = select(func.count()).select_from(model)
        for key, value in filters.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def test_walks_start_to_end_reloading_between_every_step(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    assert [t.title for t in started.next_tasks] == ["Pedir"]

    view = fresh().task(user, started.next_tasks[0].id)
    assert view.instructions == "<p>Escriba el monto, Ana.</p>"
    assert set(view.schema["properties"]) == {"monto", "codigo", "correo"}

    result = fresh().complete_task(
        user, started.next_tasks[0].id, {"monto": "5000", "codigo": "ABC123", "correo": "ana@ejemplo.gov.co"}
    )
    assert result.status == "running"
    assert result.next_tasks == []  # the next task is in the Mesa de Servicio lane
    assert fresh().inbox(user) == []

    review = fresh().inbox(MESA)
    assert [(t.title, t.lane, t.role) for t in review] == [("Revisar", "Mesa de Servicio", "mesa_servicio")]
    assert review[0].due_at is not None
    assert fresh().inbox(STRANGER) == []

    fresh().complete_task(MESA, review[0].id, {"aprobado": "on"})
    with pytest.raises(MessageNotExpected):
        fresh().deliver_message("demo_confirmacion", "XXX000")
    assert fresh().deliver_message("demo_confirmacion", "ABC123") == started.instance_id

    row = _row(runner, started.instance_id)
    assert row.status == "completed"
    view = fresh().instance(started.instance_id)
    assert view.data["riesgo"] == "alto"  # decided by the DMN table
    assert view.data["aprobado"] is True
    kinds = [e["kind"] for e in view.events]
    assert kinds == ["started", "task_completed", "task_completed", "message_delivered"]


def test_low_risk_skips_the_review_lane(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    fresh().complete_task(
        user, started.next_tasks[0].id, {"monto": "10", "codigo": "LOW001", "correo": "a@b.co"}
    )
    assert fresh().inbox(MESA) == []
    fresh().deliver_message("demo_confirmacion", "LOW001")
    assert _row(runner, started.instance_id).status == "completed"
    assert fresh().instance(started.instance_id).data["riesgo"] == "bajo"


def test_timer_boundary_fires_once_when_due(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    fresh().complete_task(
        user, started.next_tasks[0].id, {"monto": "5000", "codigo": "TMR001", "correo": "a@b.co"}
    )
    assert _row(runner, started.instance_id).next_timer_at is not None
    assert fresh().fire_due_timers() == 0  # not due yet
    time.sleep(1.1)

    results = []
    barrier = threading.Barrier(2)

    def fire():
        barrier.wait()
        results.append(fresh().fire_due_timers())

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert _row(runner, started.instance_id).status == "completed"
    assert _count(runner, InstanceEvent, instance_id=started.instance_id, kind="timer_fired") == 1
    assert fresh().inbox(MESA) == []
    assert _count(runner, HumanTask, instance_id=started.instance_id, status="cancelled") == 1


def test_invalid_form_reports_every_field_and_changes_nothing(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    before = _row(runner, started.instance_id)
    events_before = _count(runner, InstanceEvent)

    with pytest.raises(FormInvalid) as caught:
        fresh().complete_task(user, started.next_tasks[0].id, {"monto": "0", "codigo": "abc", "correo": "x@"})
    assert caught.value.errors == {
        "monto": ["El monto debe ser positivo."],
        "codigo": ["El código son tres letras mayúsculas y tres dígitos."],
        "correo": ["Escriba un correo electrónico válido, por ejemplo nombre@dominio.gov.co."],
    }
    with pytest.raises(FormInvalid) as caught:
        fresh().complete_task(user, started.next_tasks[0].id, {})
    assert caught.value.errors == {
        "monto": ["Escriba el monto."],
        "codigo": ["Este campo es obligatorio."],
        "correo": ["Este campo es obligatorio."],
    }

    after = _row(runner, started.instance_id)
    assert (after.state, after.lock_version, after.updated_at) == (
        before.state,
        before.lock_version,
        before.updated_at,
    )
    assert _count(runner, InstanceEvent) == events_before
    assert [t.id for t in fresh().inbox(user)] == [started.next_tasks[0].id]


def test_reserved_and_undeclared_keys_never_reach_task_data(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    task_id = started.next_tasks[0].id
    with pytest.raises(FormInvalid) as caught:
        fresh().complete_task(user, task_id, {"monto": 5, "codigo": {"typename": "X"}, "correo": "a@b.co"})
    assert caught.value.errors == {"": ["El formulario contiene un campo reservado (typename)."]}
    fresh().complete_task(user, task_id, {"monto": 5, "codigo": "ABC123", "correo": "a@b.co", "riesgo": "x"})
    assert fresh().instance(started.instance_id).data["riesgo"] == "bajo"  # the post could not set it


def test_tasks_of_others_are_not_found(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    task_id = started.next_tasks[0].id
    for outsider in (Actor.anonymous("otro-token"), STRANGER, MESA):
        with pytest.raises(NotFound):
            fresh().task(outsider, task_id)
        with pytest.raises(NotFound):
            fresh().complete_task(outsider, task_id, {"monto": 5, "codigo": "ABC123", "correo": "a@b.co"})
    with pytest.raises(NotFound):
        fresh().task(MESA, "not-a-uuid")


def test_concurrent_completions_one_wins_one_conflicts(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    task_id = started.next_tasks[0].id
    outcomes = []
    barrier = threading.Barrier(2)

    def complete(code):
        other = fresh()
        barrier.wait()
        try:
            other.complete_task(user, task_id, {"monto": 5, "codigo": code, "correo": "a@b.co"})
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=complete, args=(code,)) for code in ("AAA111", "BBB222")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["TaskNotReady", "ok"]
    assert _count(runner, InstanceEvent, instance_id=started.instance_id, kind="task_completed") == 1
    assert _count(runner, HumanTask, instance_id=started.instance_id, status="completed") == 1
    assert _row(runner, started.instance_id).lock_version == 3  # created, first step, one completion


def test_claim_release_and_cancel(demo):
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    fresh().complete_task(
        user, started.next_tasks[0].id, {"monto": 5000, "codigo": "CLM001", "correo": "a@b.co"}
    )
    other_agent = Actor(user_id=902, platform_roles=frozenset({"mesa_servicio"}))
    task = fresh().inbox(MESA)[0]
    fresh().claim(MESA, task.id)
    assert fresh().inbox(other_agent)[0].claimed_by == MESA.user_id
    with pytest.raises(Conflict):
        fresh().claim(other_agent, task.id)
    with pytest.raises(Conflict):
        fresh().complete_task(other_agent, task.id, {"aprobado": True})
    fresh().release(MESA, task.id)
    fresh().claim(other_agent, task.id)

    with pytest.raises(FormInvalid):
        fresh().cancel(MESA, started.instance_id, "  ")
    fresh().cancel(MESA, started.instance_id, "Solicitud duplicada")
    assert _row(runner, started.instance_id).status == "cancelled"
    assert fresh().inbox(MESA) == []
    with pytest.raises(TaskNotReady):
        fresh().complete_task(other_agent, task.id, {"aprobado": True})
    events = fresh().instance(started.instance_id).events
    assert events[-1]["kind"] == "cancelled" and events[-1]["data"] == {"reason": "Solicitud duplicada"}


def test_redeploying_unchanged_files_creates_no_version(demo):
    runner, _ = demo
    assert runner.deploy() == []
    assert [(v.process_id, v.number) for v in runner.latest_versions()] == [("demo_solicitud", 1)]


def test_a_failing_step_changes_nothing_and_is_recorded(make_runner):
    runner = make_runner(DEMO, DEMO / "forms", process_defaults={**DEFAULTS, "review_ttl": "nunca"})
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    before = _row(runner, started.instance_id)
    with pytest.raises(StepFailed) as caught:
        runner.complete_task(
            user, started.next_tasks[0].id, {"monto": 5000, "codigo": "ERR001", "correo": "a@b.co"}
        )
    assert caught.value.message == "No fue posible continuar el trámite por un error interno."
    after = _row(runner, started.instance_id)
    assert after.state == before.state  # the user task was not consumed
    assert (after.status, after.error_message) == ("error", "Invalid duration")
    assert [t.id for t in runner.inbox(user)] == [started.next_tasks[0].id]
    assert runner.instance(started.instance_id).events[-1]["kind"] == "step_failed"


def test_a_browser_post_is_read_by_the_form_and_refused_with_its_page(demo):
    """The raw fields of a browser post (a multi-dict of strings) are read by the task's form
    in the step itself; a refusal carries the page to draw again."""
    runner, fresh = demo
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    task_id = started.next_tasks[0].id
    posted = MultiDict([("monto", " 12 "), ("codigo", "abc"), ("correo", "ana@example.gov.co"), ("x", "y")])
    with pytest.raises(FormRejected) as caught:
        fresh().complete_task(user, task_id, posted)
    page = caught.value.view
    assert caught.value.errors == page.errors == {
        "codigo": ["El código son tres letras mayúsculas y tres dígitos."]
    }
    assert page.data == {"monto": 12, "codigo": "abc", "correo": "ana@example.gov.co"}
    assert page.summary.id == task_id and [f.name for f in page.form.fields] == ["monto", "codigo", "correo"]

    result = fresh().complete_task(user, task_id, MultiDict([("monto", "12"), ("codigo", "ABC123"),
                                                             ("correo", "ana@example.gov.co")]))  # fmt: skip
    assert result.completed.id == task_id and result.completed.status == "completed"
    completed = [e for e in fresh().instance(started.instance_id).events if e["kind"] == "task_completed"]
    assert completed[-1]["data"] == {"monto": 12, "codigo": "ABC123", "correo": "ana@example.gov.co"}

"""Issue 18.5: who holds a task, and supervisors — reassign, delegate, unclaim, the queue of
tasks nobody can work, and the escalation of overdue tasks by the worker through a real SMTP
server (aiosmtpd on loopback). Every change is authorised by the engine and audited."""

from __future__ import annotations

import datetime as dt
from email.header import decode_header
from email.header import make_header

import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from engine.db import utcnow
from engine.domain.models import Membership
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import NotFound
from engine.errors import TaskClaimed
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.outbox import SmtpTransport
from engine.worker import Worker
from tests.engine.onboarding import MESA
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import support_form


@pytest.fixture
def desk(runner):
    """An account's activation request waiting at the Mesa de Servicio, two agents, a queue
    supervisor, and someone with no role at all."""
    flow = Onboarding(runner)
    admin = flow.make_user("admin.entidad")
    account = flow.make_active_account(admin)
    admin = flow.actor(admin.user_id)  # now its Administrador
    started = runner.start("activacion_cuenta", admin, {"account_id": account, "account_name": "A"})
    flow.complete(admin, "solicitar_activacion", support_form(), started.instance_id)
    people = {
        "a1": flow.make_user("agente.uno", MESA),
        "a2": flow.make_user("agente.dos", MESA),
        "sup": flow.make_user("supervisora", "supervisor"),
        "nadie": flow.make_user("sin.rol"),
        "admin": admin,
    }
    task = runner.inbox(people["a1"], instance_id=started.instance_id)[0]
    return runner, flow, people, task, account


def _access_request(runner, flow, admin):
    """Someone asks for access to the account; its Administrador's review waits."""
    requester = flow.make_user("solicitante")
    started = runner.start("solicitud_acceso", requester)
    flow.complete(requester, "buscar_cuenta", {"entity_name": "800197268"}, started.instance_id)
    flow.complete(requester, "solicitar_acceso", {}, started.instance_id)
    return started, flow.task(admin, "revisar_solicitud_acceso", started.instance_id)


def _events(runner, task_id, kind):
    with runner.transaction() as session:
        rows = session.scalars(
            select(InstanceEvent).where(InstanceEvent.task_id == task_id, InstanceEvent.kind == kind)
        )
        return [(row.actor, row.data) for row in rows]


def _row(runner, task_id) -> HumanTask:
    with runner.transaction() as session:
        return session.get(HumanTask, task_id)


def test_supervisor_reassigns_a_claimed_task(desk):
    runner, flow, p, task, _ = desk
    runner.claim(p["a1"], task.id)
    with pytest.raises(FormInvalid) as refused:
        runner.reassign(p["sup"], task.id, p["a2"].user_id)
    assert refused.value.errors == {"reason": ["Indique el motivo."]}
    with pytest.raises(FormInvalid) as refused:  # may not work it, and somebody can
        runner.reassign(p["sup"], task.id, p["nadie"].user_id, "Vacaciones")
    assert "no puede atender esta tarea" in refused.value.errors["user"][0]
    with pytest.raises(Conflict):  # a colleague takes nothing from another
        runner.reassign(p["a2"], task.id, p["a2"].user_id, "La hago yo")
    with pytest.raises(NotFound):  # who neither works nor supervises the queue sees nothing
        runner.reassign(p["nadie"], task.id, p["a2"].user_id, "x")

    moved = runner.reassign(p["sup"], task.id, p["a2"].user_id, "Agente uno de vacaciones")
    assert (moved.claimed_by, moved.assigned_by) == (p["a2"].user_id, None)  # a2 holds the role
    assert _events(runner, task.id, "task_reassigned") == [
        (f"usuario:{p['sup'].user_id}",
         {"from": p["a1"].user_id, "to": p["a2"].user_id, "reason": "Agente uno de vacaciones"}),
    ]  # fmt: skip
    with pytest.raises(TaskClaimed):  # a1 no longer holds it: still pending, not theirs
        runner.complete_task(p["a1"], task.id, {"decision": "activar"})
    runner.complete_task(p["a2"], task.id, {"decision": "activar"})
    assert _row(runner, task.id).status == "completed"


def test_supervisor_unclaims_and_the_queue_takes_it_again(desk):
    runner, _, p, task, _ = desk
    runner.claim(p["a1"], task.id)
    assert _row(runner, task.id).claimed_at is not None
    with pytest.raises(NotFound):  # an agent is no supervisor
        runner.unclaim(p["a2"], task.id, "La necesito")
    with pytest.raises(FormInvalid):
        runner.unclaim(p["sup"], task.id, "  ")
    runner.unclaim(p["sup"], task.id, "Lleva tres días sin atenderla")
    row = _row(runner, task.id)
    assert (row.claimed_by, row.claimed_at) == (None, None)
    assert _events(runner, task.id, "task_unclaimed") == [
        (f"usuario:{p['sup'].user_id}", {"from": p["a1"].user_id, "reason": "Lleva tres días sin atenderla"})
    ]
    with pytest.raises(Conflict):  # nobody holds it now
        runner.unclaim(p["sup"], task.id, "otra vez")
    runner.claim(p["a2"], task.id)
    assert _row(runner, task.id).claimed_by == p["a2"].user_id


def test_holder_delegates_to_a_colleague_only(desk):
    runner, _, p, task, _ = desk
    runner.claim(p["a1"], task.id)
    with pytest.raises(FormInvalid):  # delegating never lends a role
        runner.reassign(p["a1"], task.id, p["nadie"].user_id)
    runner.reassign(p["a1"], task.id, p["a2"].user_id)
    assert _row(runner, task.id).claimed_by == p["a2"].user_id
    assert _events(runner, task.id, "task_delegated") == [
        (f"usuario:{p['a1'].user_id}", {"from": p["a1"].user_id, "to": p["a2"].user_id, "reason": None})
    ]
    # The supervisor's views: who holds it; the candidates to hand it to are the agents.
    [seen] = [t for t in runner.supervised_tasks(p["sup"]) if t.id == task.id]
    assert seen.claimed_by == p["a2"].user_id
    assert {c.username for c in runner.task_candidates(p["sup"], task.id)} == {"agente.uno"}
    assert runner.supervised_tasks(p["a1"]) == []


def test_account_administrators_supervise_their_account_lanes_only(desk):
    runner, flow, p, task, account = desk
    second = flow.make_user("admin.dos")
    with runner.transaction() as session:
        session.add(Membership(user_id=second.user_id, account_id=account, role="Administrador",
                               permissions=[]))  # fmt: skip
    second = flow.actor(second.user_id)
    started, review = _access_request(runner, flow, p["admin"])
    runner.claim(p["admin"], review.id)
    runner.unclaim(second, review.id, "Lo reviso yo hoy")  # an Administrador of the same account
    assert _row(runner, review.id).claimed_by is None
    with pytest.raises(NotFound):  # but not the Mesa de Servicio's queue
        runner.unclaim(second, task.id, "x")
    assert [t.id for t in runner.supervised_tasks(second)] == [review.id]


def test_a_task_nobody_can_work_is_assigned_by_a_platform_supervisor(desk):
    runner, flow, p, _, account = desk
    started, review = _access_request(runner, flow, p["admin"])
    with runner.transaction() as session:  # the account loses its only Administrador
        session.execute(delete(Membership).where(Membership.account_id == account))
    assert runner.inbox(flow.actor(p["admin"].user_id), instance_id=started.instance_id) == []
    assert [t.id for t in runner.unworkable_tasks(p["sup"])] == [review.id]
    assert runner.unworkable_tasks(p["a1"]) == []  # platform supervisors only

    with pytest.raises(FormInvalid):
        runner.reassign(p["sup"], review.id, p["nadie"].user_id)  # a reason is required
    named = runner.reassign(p["sup"], review.id, p["nadie"].user_id, "Nuevo Administrador designado")
    assert (named.claimed_by, named.assigned_by) == (p["nadie"].user_id, p["sup"].user_id)
    assert _events(runner, review.id, "task_reassigned")[0][1]["without_role"] is True
    assert runner.unworkable_tasks(p["sup"]) == []
    assert [t.id for t in runner.inbox(p["nadie"])] == [review.id]  # named: may work this one task
    runner.complete_task(p["nadie"], review.id, {"decision": "rechazar", "reason": "No es funcionario."})
    assert _row(runner, review.id).completed_by == p["nadie"].user_id


def test_only_for_a_task_nobody_can_work_is_a_role_lent(desk):
    runner, _, p, task, _ = desk
    with pytest.raises(FormInvalid):  # the agents can work it: nobody else may be named
        runner.reassign(p["sup"], task.id, p["nadie"].user_id, "Urgente")
    assert runner.inbox(p["nadie"]) == []


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _overdue(runner, task_id, days=1):
    with runner.transaction() as session:
        session.execute(
            update(HumanTask).where(HumanTask.id == task_id).values(due_at=utcnow() - dt.timedelta(days=days))
        )


def test_due_date_filters_and_order(desk):
    runner, flow, p, task, _ = desk
    # another account's request: a second one for the same account joins its open case (13.14)
    other_admin = flow.make_user("admin.otra")
    other = flow.make_active_account(other_admin, nit="899999172", name="OTRA ENTIDAD DE PRUEBA")
    other_admin = flow.actor(other_admin.user_id)
    second = runner.start("activacion_cuenta", other_admin, {"account_id": other, "account_name": "B"})
    flow.complete(other_admin, "solicitar_activacion", support_form(), second.instance_id)
    later = runner.inbox(p["a1"], instance_id=second.instance_id)[0]
    _overdue(runner, later.id, days=2)
    assert [t.id for t in runner.inbox(p["a1"], due="vencidas")] == [later.id]
    assert [t.id for t in runner.inbox(p["a1"], due="proximas")] == [task.id]  # due in 3 days
    assert runner.inbox(p["a1"], due="sin_fecha") == []
    assert [t.id for t in runner.inbox(p["a1"])] == [task.id, later.id]  # oldest first
    assert [t.id for t in runner.inbox(p["a1"], order="vence")] == [later.id, task.id]


def test_the_worker_emails_overdue_tasks_to_the_queue_supervisors_once(desk, smtp):
    inbox, settings = smtp
    runner, flow, p, task, _ = desk
    second_supervisor = flow.make_user("supervisor.dos", "supervisor")
    runner.claim(p["a1"], task.id)
    assert runner.escalate_overdue() == 0  # due in 3 days
    _overdue(runner, task.id)
    worker = Worker(runner, settings, transport=SmtpTransport(settings))
    fired, sent = worker.run_once()
    assert sent == 2
    assert sorted(m["To"] for m in inbox.messages) == [
        "supervisor.dos@example.gov.co", "supervisora@example.gov.co"
    ]
    message = inbox.messages[0]
    expected = f"SECOP II – Tarea vencida: Validar documentos y solicitud (trámite {task.instance_id})"
    assert _subject(message) == expected
    body = message.get_payload(decode=True).decode()
    assert f"http://127.0.0.1:5000/tareas/{task.id}" in body and "Mesa de Servicio" in body
    assert _events(runner, task.id, "task_escalated")[0][1]["to"] == [
        "supervisora@example.gov.co", "supervisor.dos@example.gov.co"
    ]
    assert worker.run_once() == (0, 0) and len(inbox.messages) == 2  # once per task
    assert second_supervisor.user_id


def test_an_account_task_is_escalated_to_its_administrators(desk, smtp):
    inbox, settings = smtp
    runner, flow, p, _, _ = desk
    started, review = _access_request(runner, flow, p["admin"])
    _overdue(runner, review.id)
    Worker(runner, settings, transport=SmtpTransport(settings)).run_once()
    overdue = [m["To"] for m in inbox.messages if "Tarea vencida" in _subject(m)]
    assert overdue == ["admin.entidad@example.gov.co"]

"""Races a real service desk sees, on SQLite and PostgreSQL: the same NIT registered twice
at once, two administrators deciding one access request at once, and a double click on
"Finalizar". Each ends with exactly one outcome and a clear answer for the other party."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select

from engine.domain.models import AccessRequest
from engine.domain.models import Account
from engine.domain.models import Membership
from engine.errors import EngineError
from engine.models import InstanceEvent
from engine.models import ProcessInstance
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info

NIT = "899999172"
SLOTS = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]


@pytest.fixture
def walk(runner) -> Onboarding:
    return Onboarding(runner)


def _at_once(*calls) -> list[str]:
    """Run the calls in threads released together; 'ok' or the engine error's class name."""
    outcomes: list[str] = [""] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        barrier.wait()
        try:
            call()
            outcomes[index] = "ok"
        except EngineError as exc:
            outcomes[index] = f"{type(exc).__name__}: {exc.message}"

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _count(runner, *where) -> int:
    with runner.transaction() as session:
        return session.scalar(select(func.count()).where(*where))


def _ready_to_finish(walk: Onboarding, username: str):
    """A user of ``registro_entidad`` standing at "Anexar documentos" for NIT, files staged."""
    user = walk.make_user(username)
    started = walk.runner.start("registro_entidad", user)
    instance = started.instance_id
    walk.complete(
        user, "validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": NIT}, instance
    )
    walk.complete(user, "registrar_entidad", {}, instance)
    walk.complete(user, "registrar_primera_parte", first_part(), instance)
    walk.complete(user, "informacion_general", general_info(), instance)
    documents = walk.upload(user, "anexar_documentos", SLOTS, instance)
    task = walk.task(user, "anexar_documentos", instance)
    return user, task, documents


def test_same_nit_registered_twice_at_once_makes_one_account(walk, runner):
    first = _ready_to_finish(walk, "registra.uno")
    second = _ready_to_finish(walk, "registra.dos")
    calls = [
        lambda u=user, t=task, d=docs: runner.complete_task(u, t.id, d)
        for user, task, docs in (first, second)
    ]
    outcomes = _at_once(*calls)
    assert sorted(o.split(":")[0] for o in outcomes) == ["DomainError", "ok"]
    loser = next(o for o in outcomes if o != "ok")
    assert loser == (
        f"DomainError: Ya existe una cuenta registrada con el NIT {NIT}. "
        "No registre otra: solicite acceso a la cuenta existente."
    )
    assert _count(runner, Account.nit == NIT) == 1
    assert _count(runner, Membership.role == "Administrador") == 1
    # The losing user's form is still there (nothing half-done): they can go the access-request way.
    losing_user, losing_task, _ = first if outcomes[0] != "ok" else second
    assert losing_task.id in [t.id for t in runner.inbox(losing_user)]


def test_double_click_on_finalizar_submits_once(walk, runner):
    user, task, documents = _ready_to_finish(walk, "doble.clic")
    outcomes = _at_once(
        lambda: runner.complete_task(user, task.id, documents),
        lambda: runner.complete_task(user, task.id, documents),
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["TaskNotReady", "ok"]
    assert _count(runner, Account.nit == NIT) == 1
    completions = _count(
        runner, InstanceEvent.kind == "task_completed", InstanceEvent.element_id == "anexar_documentos"
    )
    assert completions == 1


def test_two_administrators_decide_the_same_request_at_once(walk, runner):
    first_admin = walk.make_user("admin.uno")
    account_id = walk.make_active_account(first_admin)
    second_admin = walk.make_user("admin.dos")
    with runner.transaction() as session:
        session.add(Membership(user_id=second_admin.user_id, account_id=account_id, role="Administrador"))
    first_admin, second_admin = walk.actor(first_admin.user_id), walk.actor(second_admin.user_id)
    requester = walk.make_user("solicitante")
    started = runner.start("solicitud_acceso", requester)
    walk.complete(requester, "buscar_cuenta", {"entity_name": "800197268"}, started.instance_id)
    walk.complete(requester, "solicitar_acceso", {}, started.instance_id)
    review = walk.task(first_admin, "revisar_solicitud_acceso")
    assert review.id == walk.task(second_admin, "revisar_solicitud_acceso").id  # one shared task

    outcomes = _at_once(
        lambda: runner.complete_task(first_admin, review.id, {"decision": "aceptar", "role": "Comprador"}),
        lambda: runner.complete_task(
            second_admin, review.id, {"decision": "rechazar", "reason": "No aplica"}
        ),
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["TaskNotReady", "ok"]
    with runner.transaction() as session:
        request = session.scalars(select(AccessRequest)).one()
        member = session.scalar(
            select(func.count()).where(
                Membership.user_id == requester.user_id, Membership.account_id == account_id
            )
        )
    winner_accepted = outcomes[0] == "ok"
    assert request.state == ("Aceptado" if winner_accepted else "Rechazado")
    assert member == (1 if winner_accepted else 0)
    assert request.decided_by == (first_admin if winner_accepted else second_admin).user_id


def test_two_starts_at_once_by_one_person_leave_one_registration(walk, runner):
    """Issue 13.9 at once (a double click on "Iniciar", two tabs): the person's starts are
    serialised, so the second finds the first's registration and is taken back to its task."""
    user = walk.make_user("inicia.dos.veces")
    started = []
    outcomes = _at_once(*[lambda: started.append(runner.start_by_hand("registro_entidad", user))] * 2)
    assert outcomes == ["ok", "ok"]
    assert sorted(s.resumed for s in started) == [False, True]
    assert started[0].instance_id == started[1].instance_id
    assert started[0].next_tasks[0].id == started[1].next_tasks[0].id
    running = (ProcessInstance.process_id == "registro_entidad", ProcessInstance.status == "running")
    assert _count(runner, *running, ProcessInstance.owner_user_id == user.user_id) == 1
    assert [t.id for t in runner.inbox(user)] == [started[0].next_tasks[0].id]

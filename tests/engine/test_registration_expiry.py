"""Issue 13.8: an unfinished Entidad registration expires after ``registration_ttl`` on one
step (a boundary timer "Sin terminar" in registro_entidad.bpmn, duration from the
configuration) and leaves nothing behind (§6: no drafts): no pending task, no staged
document, no account. The worker's timer round fires it; here the clock is moved forward."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlalchemy import select

from engine.config import EngineConfig
from engine.db import utcnow
from engine.domain.models import Account
from engine.domain.models import Document
from engine.models import ProcessInstance
from engine.scenarios import shifted_clock
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info

LATER = dt.timedelta(days=7, minutes=1)  # past the default registration_ttl, P7D


def _count(runner, model) -> int:
    with runner.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def _fire_later(runner, delta=LATER) -> int:
    with shifted_clock(delta):
        return runner.fire_due_timers(now=utcnow() + delta)


def test_a_registration_left_at_anexar_documentos_expires_and_leaves_nothing(runner):
    walk = Onboarding(runner)
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": "899999172"})
    walk.complete(user, "registrar_entidad", {}, instance_id)
    walk.complete(user, "registrar_primera_parte", first_part(), instance_id)
    walk.complete(user, "informacion_general", general_info(), instance_id)
    walk.upload(user, "anexar_documentos", ["acto_estructura", "rut"], instance_id)  # never sent
    assert _count(runner, Document) == 2
    assert _fire_later(runner, dt.timedelta(days=6)) == 0  # not yet
    assert [t.name for t in runner.inbox(user)] == ["anexar_documentos"]

    assert _fire_later(runner) == 1
    with runner.transaction() as session:
        assert session.get(ProcessInstance, instance_id).status == "completed"
    states = runner.element_states(instance_id)
    assert states["fin_vencido"] == "completed" and states.get("registrar_cuenta") != "completed"
    assert runner.inbox(user) == []  # the start page lists nothing
    assert _count(runner, Document) == 0 and _count(runner, Account) == 0


def test_an_access_request_never_sent_expires_too(runner):
    walk = Onboarding(runner)
    owner = walk.make_user("admin.existente")
    walk.make_active_account(owner, nit="899999172", name="ALCALDIA MUNICIPAL DE CHIA")
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")
    walk.complete(user, "validar_entidad", {"entity_name": "Chía", "nit": "899999172"}, instance_id)
    walk.complete(user, "entidad_registrada", {"next_step": "solicitar"}, instance_id)
    assert [t.name for t in runner.inbox(user)] == ["esperando_aprobacion"]  # "Finalizar" never clicked
    assert _fire_later(runner) == 1
    assert runner.element_states(instance_id)["fin_vencido_solicitud"] == "completed"
    assert runner.inbox(user) == [] and walk.emails("solicitud_acceso_recibida") == []


def test_the_time_to_expire_comes_from_the_configuration(make_runner):
    runner = make_runner(process_defaults={**EngineConfig().process_defaults, "registration_ttl": "PT2H"})
    walk = Onboarding(runner)
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")
    assert _fire_later(runner, dt.timedelta(hours=1)) == 0
    assert _fire_later(runner, dt.timedelta(hours=2, minutes=1)) == 1
    assert runner.element_states(instance_id)["fin_vencido"] == "completed" and runner.inbox(user) == []

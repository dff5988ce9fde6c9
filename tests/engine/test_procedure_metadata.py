"""Issue 12 point 1: what each diagram declares about its procedure (engine/procedures.py),
read through the Runner from the deployed versions, and starting by hand as it declares."""

from __future__ import annotations

import pytest

from engine import Actor
from engine.domain.models import Account
from engine.errors import FormInvalid
from engine.errors import NotAuthorized
from engine.errors import NotFound
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import support_form

PERSON = Actor(user_id=101)
ADMIN = Actor(user_id=102, account_roles={7: "Administrador"})
BUYER = Actor(user_id=103, account_roles={7: "Comprador"})


def test_names_and_starters_come_from_the_diagrams(runner):
    procedures = {p.process_id: p for p in runner.procedures()}
    assert {pid: p.name for pid, p in procedures.items()} == {
        "activacion_cuenta": "Solicitud de activación de la cuenta de la Entidad Estatal",
        "perfil_mixto": "Habilitación del Perfil Mixto",
        "registro_entidad": "Registro de la cuenta de la Entidad Estatal",
        "registro_usuario": "Registro de usuario",
        "solicitud_acceso": "Solicitud de acceso a una cuenta de Entidad Estatal",
        "solicitud_telefonica": "Solicitud de activación por teléfono",
    }
    assert {pid: p.startable_by for pid, p in procedures.items()} == {
        "activacion_cuenta": None,
        "perfil_mixto": "account:Administrador",
        "registro_entidad": "user",
        "registro_usuario": "anonymous",
        "solicitud_acceso": "user",
        "solicitud_telefonica": "platform:mesa_servicio",
    }
    assert {pid: p.start_on for pid, p in procedures.items() if p.start_on} == {
        "solicitud_acceso": ("mis_registros",)
    }
    mixto = procedures["perfil_mixto"]
    assert mixto.hidden_when_account == "mixed_profile"
    assert mixto.offered_for(Account(mixed_profile=False))
    assert not mixto.offered_for(Account(mixed_profile=True))
    assert procedures["solicitud_acceso"].offered_for(Account(mixed_profile=True))
    assert procedures["registro_entidad"].documents["rut"] == "Registro Único Tributario (RUT) de la Entidad"
    assert runner.document_labels()["acto_delegacion"] == "Acto de delegación"
    assert runner.waiting_roles() == {"Administrador": "Administrador de la Entidad",
                                      "mesa_servicio": "Mesa de Servicio"}  # fmt: skip


def test_who_sees_what_to_start(runner):
    def labels(actor, account_id=None):
        return [p.start_label for p in runner.startable(actor, account_id)]

    assert labels(Actor.anonymous()) == ["Registro"]
    assert labels(PERSON) == ["Registrar cuenta de Entidad Estatal", "Solicitud de acceso"]
    assert labels(ADMIN, 7) == [
        "Registrar cuenta de Entidad Estatal", "Solicitar Perfil Mixto", "Solicitud de acceso"
    ]  # fmt: skip
    assert labels(BUYER, 7) == ["Registrar cuenta de Entidad Estatal", "Solicitud de acceso"]
    assert labels(Actor.system()) == []
    mesa = Actor(user_id=104, platform_roles=frozenset({"mesa_servicio"}))
    assert "Registrar solicitud telefónica" in labels(mesa)
    assert "Registrar solicitud telefónica" not in labels(PERSON)


def test_starting_by_hand_follows_startable_by(runner):
    assert runner.start_by_hand("solicitud_acceso", PERSON).next_tasks[0].name == "buscar_cuenta"
    assert runner.start_by_hand("registro_usuario", Actor.anonymous()).anonymous_token
    for process_id, actor in [("registro_usuario", PERSON), ("registro_entidad", Actor.anonymous()),
                              ("activacion_cuenta", PERSON), ("no_existe", PERSON),
                              ("solicitud_telefonica", ADMIN)]:  # fmt: skip
        with pytest.raises(NotFound):
            runner.start_by_hand(process_id, actor)
    with pytest.raises(FormInvalid) as missing:
        runner.start_by_hand("perfil_mixto", ADMIN)
    assert missing.value.errors == {"account_id": ["Indique la cuenta."]}
    with pytest.raises(NotAuthorized):
        runner.start_by_hand("perfil_mixto", BUYER, 7)
    with pytest.raises(NotAuthorized):
        runner.start_by_hand("perfil_mixto", ADMIN, 8)
    started = runner.start_by_hand("perfil_mixto", ADMIN, 7)
    assert [(t.name, t.account_id) for t in started.next_tasks] == [("solicitar_perfil_mixto", 7)]


def test_messages_and_inbox_subjects_come_from_the_diagrams(runner):
    walk = Onboarding(runner)
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")
    account_id = walk.register_entity(user, instance_id)
    with runner.transaction() as session:
        account_name = session.get(Account, account_id).name
    admin = walk.actor(user.user_id)
    asked = walk.complete(admin, "solicitar_activacion", support_form(), instance_id)
    number = asked.data["support_case"]["number"]
    assert asked.message == f"Su solicitud fue enviada a la Mesa de Servicio. Número de caso: {number}."
    mesa = walk.mesa()
    task = walk.task(mesa, "validar_documentos", instance_id)
    assert task.subject == f"{account_name} — caso {number}"  # the Mesa's inbox names the entity
    decided = walk.complete(mesa, "validar_documentos", {"decision": "activar"}, instance_id)
    assert decided.message == f"La decisión quedó registrada en el caso {number}."

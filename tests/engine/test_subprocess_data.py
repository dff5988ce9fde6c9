"""Values a call activity sets reach the caller's CompletionResult at once (e.g. the new
account's id after "Finalizar" inside registro_entidad, called from registro_usuario)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from engine.models import ElementVisit
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info


def test_completion_result_shows_data_set_inside_a_call_activity(runner):
    walk = Onboarding(runner)
    _registration, user = walk.register_user("ana.datos")
    instance_id = walk.start(user, "registro_entidad")
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía Municipal de Chía", "nit": "899999172"})
    walk.complete(user, "registrar_entidad", {})
    walk.complete(user, "registrar_primera_parte", first_part())
    walk.complete(user, "informacion_general", general_info())
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    result = walk.complete(user, "anexar_documentos", walk.upload(user, "anexar_documentos", slots))
    assert result.data["account_id"] == walk.account_id("899999172")
    assert runner.instance(instance_id).data["account_id"] == walk.account_id("899999172")


def test_elements_of_a_call_activity_are_visited_once(runner):
    """The subprocess's tasks were walked twice (in the caller's tree and again on their own),
    so each element of a call activity was counted twice in element_visit."""
    walk = Onboarding(runner)
    _registration, user = walk.register_user("ana.visitas")
    walk.register_entity(user, instance_id := walk.start(user, "registro_entidad"))
    with runner.transaction() as session:
        visits = session.execute(
            select(ElementVisit.process_id, ElementVisit.element_id, func.count())
            .where(ElementVisit.instance_id == instance_id)
            .group_by(ElementVisit.process_id, ElementVisit.element_id)
        ).all()
    called = {process_id for process_id, _element, _count in visits} - {"registro_entidad"}
    assert called, visits  # the walk went through a call activity
    assert [row for row in visits if row[2] != 1] == []

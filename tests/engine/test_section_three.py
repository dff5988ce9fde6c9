"""Issue 13.9 (W3): section 3 left registro_usuario, whose registration now ends with the
activated user. A registration of the older version, waiting at its radio task "Crear o
solicitar acceso a una Entidad" when the new version was deployed, still finishes on its
own version: the choice, then the called "Registrar cuenta de Entidad Estatal" to "Validar".

The older version's files (registro_usuario.bpmn and its two forms, as they were before
the change) are kept in tests/engine/data/registro_usuario_v_seccion3/."""

from __future__ import annotations

from pathlib import Path

from engine import Actor
from engine.diagrams import DiagramSet
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import user_form

ROOT = Path(__file__).resolve().parents[2]
OLD = Path(__file__).resolve().parent / "data" / "registro_usuario_v_seccion3"


def old_set() -> DiagramSet:
    return DiagramSet.from_dirs(ROOT / "workflows", ROOT / "forms").with_files(
        workflows={"registro_usuario.bpmn": (OLD / "registro_usuario.bpmn").read_bytes()},
        forms={p.name: p.read_bytes() for p in OLD.glob("*.json")},
    )


def test_a_registration_waiting_at_the_old_radio_task_finishes_on_its_version(runner):
    walk = Onboarding(runner)
    [old_version] = [v for v in runner.deploy(old_set()) if v.process_id == "registro_usuario"]
    started = runner.start("registro_usuario", Actor.anonymous())
    anonymous = Actor.anonymous(started.anonymous_token)
    result = walk.complete(anonymous, "registrar_usuario", user_form("antes.del.cambio"), started.instance_id)
    runner.deliver_message("activacion_usuario", walk.activation_hash())
    user = walk.actor(result.data["user_id"])
    assert [t.name for t in runner.inbox(user)] == ["crear_o_solicitar_acceso"]

    [new_version] = [v for v in runner.deploy() if v.process_id == "registro_usuario"]
    assert new_version.id != old_version.id
    assert runner.instance(started.instance_id).version_id == old_version.id

    walk.complete(user, "crear_o_solicitar_acceso", {"registration_path": "registrar"}, started.instance_id)
    account_id = walk.register_entity(user, started.instance_id)
    assert account_id is not None
    assert runner.instance(started.instance_id).version_id == old_version.id  # on its own version

    # a registration started now ends with the activated user: section 3 is the start page
    fresh = runner.start("registro_usuario", Actor.anonymous())
    visitor = Actor.anonymous(fresh.anonymous_token)
    walk.complete(visitor, "registrar_usuario", user_form("despues.del.cambio"), fresh.instance_id)
    runner.deliver_message("activacion_usuario", walk.activation_hash())
    assert runner.instance(fresh.instance_id).status == "completed"
    assert runner.instance(fresh.instance_id).version_id == new_version.id

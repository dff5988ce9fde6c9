"""A task page reads its task's spec and data straight from the saved state
(engine.serialization.ready_task_data) instead of restoring the workflow. Walked along the
guide's paths, every ready task it can read that way must hold exactly the data the restored
workflow gives that task — on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from engine import instances
from engine.models import HumanTask
from engine.models import ProcessInstance
from engine.serialization import ready_task_data
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import support_form


class ComparingWalk(Onboarding):
    """After every step, compares the fast read of every ready task with the restored one."""

    def __init__(self, runner):
        super().__init__(runner)
        self.compared: set[str] = set()

    def complete(self, *args, **kwargs):
        result = super().complete(*args, **kwargs)
        self.compare_every_ready_task()
        return result

    def start(self, *args, **kwargs):
        instance_id = super().start(*args, **kwargs)
        self.compare_every_ready_task()
        return instance_id

    def compare_every_ready_task(self):
        steps = self.runner.steps
        with self.runner.transaction() as session:
            for row in session.scalars(select(HumanTask)):
                instance = session.get(ProcessInstance, row.instance_id)
                version = steps.versions.get(session, instance.version_id)
                fast = ready_task_data(instance.state, instance.serializer_version, version.spec, row.id)
                if fast is None:  # not ready, or in a subprocess: the page restores the workflow
                    continue
                task = instances.ready_task(instances.load(instance, version, steps.script_engine), row.id)
                assert fast[0] is task.task_spec, row.name
                assert fast[1] == task.data, row.name
                self.compared.add(row.name)


def test_the_fast_read_matches_the_workflow_along_registration_correction_and_access(runner):
    walk = ComparingWalk(runner)
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")
    walk.register_entity(user, instance_id)
    admin = walk.actor(user.user_id)
    walk.complete(admin, "solicitar_activacion", support_form(), instance_id)
    mesa = walk.mesa()
    walk.complete(mesa, "validar_documentos", {"decision": "corregir", "reason": "El RUT no es legible."})
    documents = walk.upload(admin, "corregir_documentos", ["rut"], instance_id)
    corrected = {"correction_notes": "RUT legible.", **documents}
    walk.complete(admin, "corregir_documentos", corrected, instance_id)
    walk.complete(mesa, "validar_documentos", {"decision": "activar"}, instance_id)

    _second, other = walk.register_user("carlos.ruiz")
    request_id = walk.start(other, "registro_entidad")
    walk.complete(other, "validar_entidad", {"entity_name": "Otro nombre", "nit": "899999172"}, request_id)
    walk.complete(other, "entidad_registrada", {"next_step": "solicitar"}, request_id)
    walk.complete(other, "esperando_aprobacion", {}, request_id)
    reject = {"decision": "rechazar", "reason": "No trabaja en la Entidad."}
    walk.complete(walk.actor(user.user_id), "revisar_solicitud_acceso", reject)

    # §8 from Mis registros (R2), accepted; the Perfil Mixto and a request by phone (§7)
    _third, third = walk.register_user("maria.gomez")
    access_id = walk.start(third, "solicitud_acceso")
    walk.complete(third, "buscar_cuenta", {"entity_name": "899999172"}, access_id)
    walk.complete(third, "solicitar_acceso", {}, access_id)
    accept = {"decision": "aceptar", "role": "Comprador", "permissions": ["Procesos de Contratación"]}
    walk.complete(walk.actor(user.user_id), "revisar_solicitud_acceso", accept, access_id)
    admin = walk.actor(user.user_id)
    account_id = walk.account_id("899999172")
    started = runner.start("perfil_mixto", admin, {"account_id": account_id, "account_name": "CHIA"})
    mixed = started.instance_id
    walk.compare_every_ready_task()
    request = {"request_type": "Solicitud", "description": "Provee servicios de impresión a otras entidades."}
    walk.complete(admin, "solicitar_perfil_mixto", request, mixed)
    walk.complete(mesa, "validar_perfil_mixto", {"decision": "habilitar", "reason": "Con soporte"}, mixed)

    # the walk met the pages people see most: a vacuous pass would compare nothing
    assert {"validar_entidad", "registrar_entidad", "registrar_primera_parte", "informacion_general",
            "anexar_documentos", "entidad_registrada", "esperando_aprobacion", "buscar_cuenta",
            "solicitar_acceso", "revisar_solicitud_acceso", "solicitar_perfil_mixto",
            "validar_perfil_mixto"} <= walk.compared  # fmt: skip

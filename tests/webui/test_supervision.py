"""Issue 18.5 through the pages: who has a task, no form for colleagues, a supervisor's
"Quitar" and "Reasignar", "Delegar", the due-date filters and the queue of tasks nobody can
work."""

from __future__ import annotations

import re

from sqlalchemy import delete
from sqlalchemy import select

from engine.domain.models import Membership
from engine.models import HumanTask
from engine.models import InstanceEvent

TASK = re.compile(r'href="(/tareas/[0-9a-f-]{36})"')


def _waiting_at_the_mesa(actions, world):
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    actions.request_activation(actions.register_entity())
    actions.logout()
    for name in ("agente1", "agente2"):
        world.user(name, roles=("mesa_servicio",))
    world.user("jefa", roles=("supervisor",))
    actions.login("agente1")
    task = TASK.findall(actions.client.get("/tareas/").get_data(as_text=True))[0]
    return task


def _holder(app, task):
    with app.app_context():
        from webui.core.extensions import db

        return db.session.get(HumanTask, task.rsplit("/", 1)[1]).claimed_by


def test_a_colleague_sees_who_has_the_task_and_no_form(actions, client, world, deployed):
    task = _waiting_at_the_mesa(actions, world)
    assert client.post(task + "/tomar").status_code == 302
    actions.logout()

    actions.login("agente2")
    page = client.get(task).get_data(as_text=True)
    assert "La tarea la tiene <strong>Nombre Apellido" in page and "(agente1)" in page
    assert 'name="decision"' not in page and f'action="{task}"' not in page  # no form to send
    inbox = client.get("/tareas/").get_data(as_text=True)
    assert "La tiene Nombre Apellido" in inbox and "(agente1)" in inbox
    response = client.post(task, data={"decision": "activar"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Otra persona tiene esta tarea" in body and "ya no está pendiente" not in body
    # a colleague takes nothing away: only the holder or a supervisor passes it on
    assert client.post(task + "/reasignar", data={"usuario": "agente2"}).status_code == 409
    assert client.post(task + "/quitar", data={"motivo": "La hago yo"}).status_code == 404
    assert _holder(deployed, task) is not None


def test_a_supervisor_takes_a_task_back_and_reassigns_it(actions, client, world, deployed):
    task = _waiting_at_the_mesa(actions, world)
    client.post(task + "/tomar")
    actions.logout()

    actions.login("jefa")
    inbox = client.get("/tareas/?vista=supervision").get_data(as_text=True)
    assert "Validar documentos y solicitud" in inbox and "(agente1)" in inbox
    assert "Reasignar o quitar" in inbox
    assert "Validar documentos" not in client.get("/tareas/").get_data(as_text=True)  # not hers to work
    page = client.get(task).get_data(as_text=True)
    assert "Quitar la tarea a Nombre Apellido" in page and 'name="decision"' not in page
    assert '<option value="agente2">' in page  # who may work it, offered

    response = client.post(task + "/quitar", data={"motivo": ""}, follow_redirects=True)
    assert "Indique el motivo." in response.get_data(as_text=True)
    client.post(task + "/quitar", data={"motivo": "Sin avance en tres días"})
    assert _holder(deployed, task) is None
    response = client.post(task + "/reasignar", data={"usuario": "nadie.existe", "motivo": "x"},
                           follow_redirects=True)  # fmt: skip
    assert "No hay una persona activa con ese usuario." in response.get_data(as_text=True)
    client.post(task + "/reasignar", data={"usuario": "agente2", "motivo": "Conoce el caso"})
    with deployed.app_context():
        from webui.core.extensions import db

        query = select(InstanceEvent).where(InstanceEvent.task_id == task.rsplit("/", 1)[1])
        kinds = [(e.kind, e.data) for e in db.session.scalars(query)]
    assert [k for k, _ in kinds] == ["task_claimed", "task_unclaimed", "task_reassigned"]
    assert kinds[1][1]["reason"] == "Sin avance en tres días" and kinds[2][1]["reason"] == "Conoce el caso"
    actions.logout()

    actions.login("agente2")
    page = client.get(task).get_data(as_text=True)
    assert "Tarea tomada por usted" in page and 'name="decision"' in page


def test_the_holder_delegates_to_a_colleague(actions, client, world, deployed):
    task = _waiting_at_the_mesa(actions, world)
    client.post(task + "/tomar")
    page = client.get(task).get_data(as_text=True)
    assert "Delegar a" in page and "Motivo (opcional)" in page
    response = client.post(task + "/reasignar", data={"usuario": "jefa"}, follow_redirects=True)
    assert "no puede atender esta tarea" in response.get_data(as_text=True)  # no Mesa de Servicio role
    client.post(task + "/reasignar", data={"usuario": "AGENTE2"})
    with deployed.app_context():
        from engine.domain.models import User
        from webui.core.extensions import db

        agente2 = db.session.scalar(select(User.id).where(User.username == "agente2"))
    assert _holder(deployed, task) == agente2


def test_due_date_filter_and_order_in_the_inbox(actions, client, world):
    task = _waiting_at_the_mesa(actions, world)
    assert task in client.get("/tareas/?vencimiento=proximas&orden=vence").get_data(as_text=True)
    assert task not in client.get("/tareas/?vencimiento=vencidas").get_data(as_text=True)
    assert "con estos filtros" in client.get("/tareas/?vencimiento=sin_fecha").get_data(as_text=True)
    assert client.get("/tareas/?vencimiento=%00&orden=zzz").status_code == 200


def test_a_task_of_an_account_without_administrador_reaches_the_platform_supervisors(
    actions, client, world, deployed
):
    admin = world.user("admin.unico")
    account = world.account(admin=admin)
    runner = deployed.extensions["runner"]
    requester = runner.actor_for_user(world.user("solicitante"))
    started = runner.start("solicitud_acceso", requester)
    with deployed.app_context():
        from engine.domain.models import Account
        from webui.core.extensions import db

        nit = db.session.get(Account, account).nit
    runner.complete_task(requester, runner.inbox(requester, instance_id=started.instance_id)[0].id,
                         {"entity_name": nit})  # fmt: skip
    runner.complete_task(requester, runner.inbox(requester, instance_id=started.instance_id)[0].id, {})
    with runner.transaction() as session:
        session.execute(delete(Membership).where(Membership.account_id == account))
    world.user("jefa", roles=("supervisor",))
    world.user("nuevo.admin")
    actions.login("jefa")
    page = client.get("/tareas/?vista=sin_responsable").get_data(as_text=True)
    [task] = set(TASK.findall(page))
    assert "Revisar solicitud de acceso" in page and ">Asignar" in page
    client.post(task + "/reasignar", data={"usuario": "nuevo.admin", "motivo": "Administrador designado"})
    assert TASK.findall(client.get("/tareas/?vista=sin_responsable").get_data(as_text=True)) == []
    actions.logout()
    actions.login("nuevo.admin")
    assert "Revisar solicitud de acceso" in client.get(task).get_data(as_text=True)

"""The inbox: queues of my roles, claim/release, filters; expired activation links."""

from __future__ import annotations

import re
import time


def test_queue_claim_release_and_filters(actions, client, world):
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    actions.request_activation(actions.register_entity())
    actions.logout()
    world.user("agente1", roles=("mesa_servicio",))
    world.user("agente2", roles=("mesa_servicio",))
    actions.login("agente1")
    inbox = client.get("/tareas/?vista=cola").get_data(as_text=True)
    task = re.findall(r'href="(/tareas/[0-9a-f-]{36})"', inbox)[0]
    assert "Validar documentos y solicitud" in inbox and ">Tomar" in inbox
    narrowed = client.get("/tareas/?proceso=solicitud_acceso").get_data(as_text=True)
    assert "Validar documentos" not in narrowed
    # The "Trámite" filter offers the processes of the whole inbox, narrowed or not.
    def offered(page):
        select = page.split('id="filtro-proceso"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="([a-z_]+)"', select)

    assert offered(client.get("/tareas/").get_data(as_text=True)) == offered(narrowed) == ["registro_entidad"]
    assert "Validar documentos" not in client.get("/tareas/?q=zzz").get_data(as_text=True)
    response = client.post(task + "/tomar")
    assert response.status_code == 302
    assert "Tomada por usted" in client.get("/tareas/?vista=mias").get_data(as_text=True)
    actions.logout()

    actions.login("agente2")
    assert client.post(task, data={"decision": "activar"}).status_code == 409  # claimed by agente1
    assert client.post(task + "/liberar").status_code == 409
    actions.logout()

    actions.login("agente1")
    assert client.post(task + "/liberar").status_code == 302
    assert ">Tomar" in client.get("/tareas/").get_data(as_text=True)


def test_expired_link_can_be_resent(actions, deployed, client):
    runner = deployed.extensions["runner"]
    runner.config.process_defaults["activation_link_ttl"] = "PT1S"
    location = client.post("/registro").headers["Location"]
    form = {
        "first_names": "Ana", "last_names": "Pérez", "document_type": "Cédula de ciudadanía",
        "document_number": "1234567", "email": "tarde@example.gov.co", "phone": "3001234567",
        "username": "tarde", "password": "Clave-123", "password_confirmation": "Clave-123",
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito", "entity_name": "X Y Z", "accept_terms": "true",
    }  # fmt: skip
    actions.post(location, form)
    body = client.get("/correo/1").get_data(as_text=True)
    link = re.findall(r'href="http://localhost(/activar/[^"]+)"', body)[0]
    time.sleep(1.5)
    assert runner.fire_due_timers() == 1
    expired = client.get(link)
    assert expired.status_code == 410 and "Reenviar enlace" in expired.get_data(as_text=True)
    response = client.post(link + "/reenviar")
    assert response.headers["Location"] == "/registro/confirmar"
    mailbox = client.get("/correo/").get_data(as_text=True)
    newest = re.findall(r"/correo/(\d+)", mailbox)[0]
    new_link = re.findall(
        r'href="http://localhost(/activar/[^"]+)"', client.get(f"/correo/{newest}").get_data(as_text=True)
    )[0]
    assert new_link != link
    assert "/entrar?usuario=tarde" in client.get(new_link).headers["Location"]


def test_own_tasks_have_no_claim_button(actions, client, world):
    """Issue 13.13: "Tomar" is for queues; the account's only Administrador reviews at once."""
    world.user("agente1", roles=("mesa_servicio",))
    actions.correction_requested("agente1")

    actions.login("ana.perez")  # "Corregir documentos": the account's Administrador lane
    inbox = client.get("/tareas/").get_data(as_text=True)
    own = re.findall(r'href="(/tareas/[0-9a-f-]{36})"', inbox)[0]
    assert "Corregir documentos" in inbox and ">Tomar" not in inbox
    page = client.get(own).get_data(as_text=True)
    assert "Corregir documentos" in page and "Tomar tarea" not in page
    assert "Corregir documentos" in client.get("/tareas/?vista=mias").get_data(as_text=True)
    assert "Corregir documentos" not in client.get("/tareas/?vista=cola").get_data(as_text=True)

    # a second Administrador makes it a queue of the account
    from engine.domain import models as m
    from webui.core.extensions import db

    second = world.user("admin2")
    with actions.app.app_context():
        account_id = db.session.scalar(db.select(m.Account.id))
        db.session.add(m.Membership(user_id=second, account_id=account_id, role=m.ROLE_ADMIN, permissions=[]))
        db.session.commit()
    assert ">Tomar" in client.get("/tareas/").get_data(as_text=True)
    assert "Tomar tarea" in client.get(own).get_data(as_text=True)

"""Issue 13 point 15 (D2): an email tells the user when their username or password changed
(from "Accesos del usuario" or a recovery link), delivered through the outbox to a real SMTP
server; a new password that breaks the rule AND does not match its confirmation is told
both at once."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import errors_in
from tests.webui.helpers import login


def _notices(app) -> list[tuple[str, str, str]]:
    from engine.models import OutboxEmail
    from webui.core.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(OutboxEmail.to_addr, OutboxEmail.subject, OutboxEmail.body)
            .where(OutboxEmail.template == "credenciales_cambiadas").order_by(OutboxEmail.id)
        ).all()  # fmt: skip
        return [tuple(row) for row in rows]


def test_a_weak_and_mismatched_password_is_told_both_at_once(app, world):
    world.user("ana")
    client = app.test_client()
    login(client, "ana")
    response = client.post(
        "/usuario/accesos",
        data={"formulario": "contrasena", "contrasena_actual": "no-es", "contrasena_nueva": "corta",
              "confirmacion": "otra"},
    )  # fmt: skip
    assert response.status_code == 422
    shown = errors_in(response.get_data(as_text=True))
    assert shown == [
        "Contraseña actual: La contraseña actual no es correcta.",
        "Nueva contraseña: La contraseña debe tener por lo menos ocho (8) caracteres e incluir letras, "
        "números y caracteres especiales.",
        "Confirmar contraseña: La confirmación no coincide con la contraseña.",
    ]
    assert _notices(app) == []  # nothing changed, nothing told


def test_username_and_password_changes_are_emailed(app, world, smtp_server):
    from engine.outbox import SmtpSettings
    from engine.outbox import SmtpTransport
    from engine.outbox import send_due

    world.user("ana")
    client = app.test_client()
    login(client, "ana")
    client.post("/usuario/accesos", data={"formulario": "usuario", "nuevo_usuario": "ana.maria"})
    new = "Otra-clave-3"
    client.post(
        "/usuario/accesos",
        data={"formulario": "contrasena", "contrasena_actual": PASSWORD, "contrasena_nueva": new,
              "confirmacion": new},
    )  # fmt: skip
    notices = _notices(app)
    assert [(to, subject) for to, subject, _ in notices] == [
        ("ana@example.gov.co", "SECOP II – Cambió el nombre de usuario de su registro"),
        ("ana@example.gov.co", "SECOP II – Cambió la contraseña de su registro"),
    ]
    assert "Ahora es: ana.maria" in notices[0][2]
    assert new not in notices[1][2] and "Si no fue usted, recupere su contraseña" in notices[1][2]
    assert re.search(r"El \d\d/\d\d/\d{4} a las \d\d:\d\d cambió la contraseña de su registro", notices[1][2])

    settings = SmtpSettings(host=smtp_server.hostname, port=smtp_server.port)
    runner = app.extensions["runner"]
    send_due(runner.session_factory, SmtpTransport(settings), settings)
    delivered = [(m["To"], m["Subject"]) for m in smtp_server.messages]
    assert ("ana@example.gov.co", "SECOP II – Cambió la contraseña de su registro") in delivered


def test_a_password_set_from_a_recovery_link_is_emailed(app, world):
    from engine.models import OutboxEmail
    from webui.core.extensions import db

    world.user("ana")
    client = app.test_client()
    client.post("/recuperar", data={"correo": "ana@example.gov.co"})
    with app.app_context():
        body = db.session.scalar(
            select(OutboxEmail.body).where(OutboxEmail.template == "recuperar_contrasena")
        )
    link = re.findall(r"http://localhost(/recuperar/\S+)", body)[0]
    client.post(link, data={"contrasena": "Nueva-clave-9!", "confirmacion": "Nueva-clave-9!"})
    assert [subject for _, subject, _ in _notices(app)] == ["SECOP II – Cambió la contraseña de su registro"]

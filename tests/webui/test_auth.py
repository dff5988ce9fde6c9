"""Entrar, Salir, login history, password recovery."""

from __future__ import annotations

import re

import pytest

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import change_password
from tests.webui.helpers import login


def test_login_logout_and_history(app, client, world):
    world.user("ana")
    response = login(client, "ana")
    assert response.status_code == 302 and response.headers["Location"] == "/cuenta/despues-de-entrar"
    assert client.get("/cuenta/despues-de-entrar").headers["Location"] == "/cuenta/"  # no account yet
    client.post("/salir")
    assert client.get("/cuenta/").status_code == 302  # back to Entrar
    login(client, "ana")
    html = client.get("/usuario/accesos").get_data(as_text=True)
    assert html.count("Inicio de sesión") == 2 and html.count("Cierre de sesión") == 1


def test_bad_password_and_unknown_user_same_answer(client, world):
    world.user("ana")
    a = login(client, "ana", "otra-clave-1")
    b = login(client, "nadie", PASSWORD)
    assert a.status_code == b.status_code == 401
    assert "no son correctos" in a.get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("ana", "otra-clave-1"),
        ("nadie", PASSWORD),
        ("", PASSWORD),
        ("  ", ""),
        ("pendiente", PASSWORD),
        ("ana", ""),
    ],
)
def test_every_failed_login_costs_one_password_verification(app, world, monkeypatch, username, password):
    """Issue 17 point 14: an unknown username was answered without hashing (~10 ms against
    ~600 ms), which told which usernames exist. Now every answer verifies one argon2 hash."""
    from engine.domain.models import USER_PENDING
    from webui.core import users

    world.user("ana")
    world.user("pendiente", status=USER_PENDING)
    verified = []
    real_verify = type(users._hasher).verify  # a spy: every call still verifies for real
    monkeypatch.setattr(type(users._hasher), "verify", lambda *a: verified.append(1) or real_verify(*a))
    response = login(app.test_client(), username, password)
    assert response.status_code == 401
    assert len(verified) == 1
    verified.clear()
    assert login(app.test_client(), "ana").status_code == 302
    assert len(verified) == 1


def test_pending_user_cannot_enter(client, world):
    from engine.domain.models import USER_PENDING

    world.user("pendiente", status=USER_PENDING)
    assert login(client, "pendiente").status_code == 401


def test_open_redirect_is_ignored(client, world):
    world.user("ana")
    response = client.post("/entrar?next=//evil.example/x", data={"usuario": "ana", "contrasena": PASSWORD})
    assert response.headers["Location"] == "/cuenta/despues-de-entrar"


def test_password_recovery_single_use(app, client, world):
    world.user("ana")
    response = client.post("/recuperar", data={"correo": "ana@example.gov.co"})
    assert response.status_code == 302
    client.post("/recuperar", data={"correo": "nadie@example.gov.co"})  # same answer, no email
    mailbox = client.get("/correo/").get_data(as_text=True)
    assert mailbox.count("Recuperar contraseña") == 1
    body = client.get("/correo/" + re.findall(r"/correo/(\d+)", mailbox)[0]).get_data(as_text=True)
    assert "Su nombre de usuario es: ana" in body
    link = re.findall(r'href="http://localhost(/recuperar/[^"]+)"', body)[0]
    weak = client.post(link, data={"contrasena": "corta", "confirmacion": "corta"})
    assert weak.status_code == 422 and "ocho (8)" in weak.get_data(as_text=True)
    ok = client.post(link, data={"contrasena": "Nueva-clave-2", "confirmacion": "Nueva-clave-2"})
    assert ok.status_code == 302
    assert login(client, "ana", "Nueva-clave-2").status_code == 302
    client.post("/salir")
    assert client.get(link).status_code == 302  # used: back to /recuperar
    assert client.get("/recuperar/basura").headers["Location"].endswith("/recuperar")


def test_password_change_ends_other_sessions(app, world):
    world.user("ana")
    first, second = app.test_client(), app.test_client()
    login(first, "ana")
    login(second, "ana")
    response = change_password(second, PASSWORD, "Otra-clave-3")
    assert response.status_code == 302
    assert second.get("/usuario/").status_code == 200
    assert first.get("/usuario/").status_code == 302  # logged out by the new epoch


def test_activation_link_unknown_offers_resend(client):
    response = client.get("/activar/no-existe")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "Reenviar enlace" in html
    response = client.post("/activar/no-existe/reenviar")
    assert response.status_code == 302 and response.headers["Location"] == "/"

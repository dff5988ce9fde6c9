"""Issue 17 point 12: a ``next`` address never sends the browser to another site and never
breaks the response. Every place that follows ``next`` goes through
``webui.core.redirects.safe_next``; the corpus below is the usual bag of open-redirect tricks."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.webui.helpers import PASSWORD
from tests.webui.helpers import login
from webui.core.redirects import safe_next

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\t/evil.example",  # tab: browsers drop it and read //evil.example
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",  # the same, encoded once more
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",  # encoded twice
    "https://evil.example",
    "http:/evil.example",
    "http:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "evil.example",
    "@evil.example",
    "/%0d%0aSet-Cookie:%20pwned=1",
    "/\r\nSet-Cookie: pwned=1",
    "/x\r\nLocation: https://evil.example",
    "/\u3002evil.example",  # ideographic full stop
    "/\uff0f\uff0fevil.example",  # fullwidth solidus
    "/\u2215\u2215evil.example",  # division slash
    "/\u202eelpmaxe.live//",  # right-to-left override
    "/" + "a" * 5000,
    "",
]
SAFE = ["/tareas/", "/cuenta/elegir", "/tareas/?vista=cola&q=a%2Fb", "/usuario/accesos#historial"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", SAFE)
def test_paths_of_this_site_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_leaves_the_site(app, world, target):
    world.user("ana")
    client = app.test_client()
    response = client.post(
        "/entrar?next=" + quote(target, safe=""), data={"usuario": "ana", "contrasena": PASSWORD}
    )
    assert response.status_code == 302  # never a 500 (a CRLF in a header was one)
    assert response.headers["Location"] == "/cuenta/despues-de-entrar"
    assert "pwned" not in str(response.headers)


def test_login_follows_a_path_of_this_site(app, world):
    world.user("ana")
    client = app.test_client()
    response = client.post(
        "/entrar?next=%2Ftareas%2F%3Fvista%3Dcola", data={"usuario": "ana", "contrasena": PASSWORD}
    )
    assert response.headers["Location"] == "/tareas/?vista=cola"


def test_a_page_that_needs_login_comes_back_after_entrar(app, world):
    world.user("ana")
    client = app.test_client()
    to_login = client.get("/usuario/accesos").headers["Location"]
    assert to_login.startswith("/entrar?next=")
    response = client.post(to_login, data={"usuario": "ana", "contrasena": PASSWORD})
    assert response.headers["Location"] == "/usuario/accesos"


def test_taking_a_task_never_leaves_the_site(actions, client, world):
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    actions.request_activation(actions.register_entity())
    actions.logout()
    world.user("agente1", roles=("mesa_servicio",))
    actions.login("agente1")
    inbox = client.get("/tareas/?vista=cola").get_data(as_text=True)
    task = re.findall(r'href="(/tareas/[0-9a-f-]{36})"', inbox)[0]
    response = client.post(task + "/tomar", data={"next": "/\t/evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == task
    response = client.post(task + "/liberar")
    response = client.post(task + "/tomar", data={"next": "/tareas/?vista=mias"})
    assert response.headers["Location"] == "/tareas/?vista=mias"


def test_login_keeps_nothing_but_the_form(app, world):
    """A login posts its username in the form; one in the query string is ignored."""
    world.user("ana")
    client = app.test_client()
    response = login(client, "ana")
    assert response.status_code == 302
    other = app.test_client().post("/entrar?usuario=ana", data={"usuario": "nadie", "contrasena": PASSWORD})
    assert other.status_code == 401

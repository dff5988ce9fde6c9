"""Issue 7, input: hostile form posts through the real pages never cause a 5xx, and hostile
text that is valid (a description, a name) is stored and later shown escaped, never as markup."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.engine.onboarding import support_form
from tests.engine.test_form_fuzz import HOSTILE
from tests.webui.helpers import PASSWORD
from tests.webui.helpers import World

LONG_RUN = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
SCRIPT = "<script>alert('secop')</script>"
REGISTRATION_FIELDS = [
    "first_names", "last_names", "document_type", "document_number", "email", "phone", "username",
    "password", "password_confirmation", "time_zone", "entity_name", "accept_terms", "typename", "csrf_token",
]  # fmt: skip


@pytest.fixture
def app(deployed):
    """The shared web app (tests/webui/conftest.py) with the project's diagrams deployed."""
    return deployed


def _text(value) -> str:
    return "" if value is None else str(value)


def test_hostile_registration_posts_never_break_the_page(app):
    client = app.test_client()
    task_url = client.post("/registro").headers["Location"]

    @settings(max_examples=300 if LONG_RUN else 25, deadline=None, derandomize=not LONG_RUN,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.dictionaries(st.sampled_from(REGISTRATION_FIELDS), HOSTILE.map(_text), max_size=8))
    def post(data):
        response = client.post(task_url, data=data)
        assert response.status_code < 500, response.status_code
        html = response.get_data(as_text=True)
        assert SCRIPT not in html and "<script>alert(" not in html
        assert not re.search(r"<img src=x onerror", html)

    post()


def test_valid_hostile_text_is_stored_and_shown_escaped(app):
    """A support request whose description carries markup: the Mesa de Servicio's case page
    shows the text, escaped."""
    world = World(app)
    runner = app.extensions["runner"]
    admin_id = world.user("admin.hostil")
    mesa_id = world.user("mesa.hostil", roles=["mesa_servicio"])
    account = world.account(admin=admin_id)
    admin = runner.actor_for_user(admin_id)
    started = runner.start("activacion_cuenta", admin, {"account_id": account, "account_name": "A"})
    hostile = f'Activen la cuenta {SCRIPT} "><img src=x onerror=alert(1)>'
    task = runner.inbox(admin, instance_id=started.instance_id)[0]
    runner.complete_task(admin, task.id, support_form(description=hostile))

    client = app.test_client()
    client.post("/entrar", data={"usuario": "mesa.hostil", "contrasena": PASSWORD})
    pages = [client.get("/mesa/").get_data(as_text=True)]
    case_links = re.findall(r'href="(/mesa/casos/\d+)"', pages[0])
    assert case_links, "the case must be listed for the Mesa de Servicio"
    pages.append(client.get(case_links[0]).get_data(as_text=True))
    mesa_task = runner.inbox(runner.actor_for_user(mesa_id), instance_id=started.instance_id)[0]
    pages.append(client.get(f"/tareas/{mesa_task.id}").get_data(as_text=True))
    shown = [page for page in pages if "Activen la cuenta" in page]
    assert shown, "the description must be shown somewhere to the agent"
    for page in pages:
        assert SCRIPT not in page
        assert "<img src=x onerror" not in page
    assert any("&lt;script&gt;" in page for page in shown)

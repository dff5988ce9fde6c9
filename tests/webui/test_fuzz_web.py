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


PROFILE_FIELDS = [
    "first_names", "last_names", "document_type", "document_number", "email", "phone", "time_zone",
    "typename", "csrf_token",
]  # fmt: skip
CREDENTIAL_FIELDS = [
    "formulario", "nuevo_usuario", "contrasena_actual", "contrasena_nueva", "confirmacion", "typename",
]  # fmt: skip


def _stored_person(app, user_id):
    from engine.domain.models import User
    from webui.core.extensions import db

    with app.app_context():
        row = db.session.get(User, user_id)
        db.session.expunge_all()
        return {name: getattr(row, name) for name in ("username", *PROFILE_FIELDS[:7])}


def test_hostile_profile_and_credential_posts_never_break_the_pages(app):
    """Issue 17: "Mis datos de usuario" and "Accesos del usuario" under hostile posts: never
    a 5xx, markup never echoed raw, and whatever is stored passes the registration form's
    rules (before: 5,000-character names, NUL, ESC and RLO were stored or a 500)."""
    from engine.domain import personal_data

    world = World(app)
    user_id = world.user("perfil.fuzz")
    client = app.test_client()
    client.post("/entrar", data={"usuario": "perfil.fuzz", "contrasena": PASSWORD})
    config = app.extensions["runner"].config

    def assert_safe(response):
        assert response.status_code < 500, response.status_code
        html = response.get_data(as_text=True)
        assert SCRIPT not in html and "<script>alert(" not in html
        assert not re.search(r"<img src=x onerror", html)

    def assert_stored_is_valid():
        stored = _stored_person(app, user_id)
        personal_data.check(config, ["username"], {"username": stored["username"]})
        if stored["document_type"] != "Cédula de ciudadanía" or stored["first_names"] != "Nombre":
            personal_data.check(config, personal_data.PROFILE_FIELDS, stored)  # changed: all valid

    examples = 300 if LONG_RUN else 20

    @settings(max_examples=examples, deadline=None, derandomize=not LONG_RUN,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.dictionaries(st.sampled_from(PROFILE_FIELDS), HOSTILE.map(_text), max_size=7))
    def profile(data):
        assert_safe(client.post("/usuario/datos", data=data))
        assert_stored_is_valid()

    @settings(max_examples=examples, deadline=None, derandomize=not LONG_RUN,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(
        st.sampled_from(["usuario", "contrasena"]),
        st.dictionaries(st.sampled_from(CREDENTIAL_FIELDS[1:]), HOSTILE.map(_text), max_size=4),
    )
    def credentials(form, data):
        response = client.post("/usuario/accesos", data={**data, "formulario": form})
        assert_safe(response)
        if response.status_code == 302 and "/entrar" in response.headers.get("Location", ""):
            client.post("/entrar", data={"usuario": _stored_person(app, user_id)["username"],
                                         "contrasena": PASSWORD})  # fmt: skip
        assert_stored_is_valid()

    profile()
    credentials()

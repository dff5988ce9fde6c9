"""Fixtures for the analyst/operator pages and the JSON API: the app on a fresh SQLite file
with the project's diagrams deployed, people with platform roles, and instances to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.webui.helpers import World
from tests.webui.helpers import login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def workflows_without_scenarios(tmp_path_factory):
    """workflows/ without its scenario tests: these pages deploy changed diagrams (a new task
    before "Crear usuario") that the committed scenarios rightly refuse. The scenario gate has
    its own tests (tests/analyst/test_scenario_gate.py, tests/engine/test_scenarios.py)."""
    folder = tmp_path_factory.mktemp("workflows")
    skip = shutil.ignore_patterns("scenarios")
    shutil.copytree(ROOT / "workflows", folder, dirs_exist_ok=True, ignore=skip)
    return folder


@pytest.fixture
def make_app(tmp_path, workflows_without_scenarios):
    """Factory: the app with its schema and the project's diagrams deployed."""
    import webui

    def factory(**config):
        app = webui.create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                "UPLOAD_DIR": str(tmp_path / "uploads"),
                "BASE_URL": "http://localhost",
                "WTF_CSRF_ENABLED": False,
                "WORKFLOWS_DIR": str(workflows_without_scenarios),
                **config,
            }
        )
        app.extensions["runner"].create_schema()
        app.extensions["runner"].deploy()
        return app

    return factory


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def runner(app):
    return app.extensions["runner"]


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def people(app, world):
    """usernames by role: analyst, operator, admin, plain (no platform role)."""
    from tests.webui.helpers import username_of

    ids = {
        "analyst": world.user(roles=("analista",)),
        "operator": world.user(roles=("operador",)),
        "admin": world.user(roles=("admin",)),
        "plain": world.user(),
    }
    return {key: username_of(app, user_id) for key, user_id in ids.items()} | {"ids": ids}


@pytest.fixture
def as_user(app):
    """``as_user(username)`` -> a logged-in test client."""

    def factory(username):
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302
        return client

    return factory

"""Web fixtures in flaskr's shape: ``app`` on a fresh SQLite file, ``client``, ``cli``,
``deployed`` (the project's diagrams), ``world`` and ``actions`` (see helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.webui.helpers import Actions
from tests.webui.helpers import World

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def make_app(database_url, tmp_path):
    """Factory: the app on this test's empty database, with ``config`` on top of the test
    settings (e.g. another WORKFLOWS_DIR)."""
    import webui

    made = []

    def factory(**config):
        app = webui.create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DATABASE_URL": database_url,
                "UPLOAD_DIR": str(tmp_path / "uploads"),
                "BASE_URL": "http://localhost",
                "WTF_CSRF_ENABLED": False,
                **config,
            }
        )
        made.append(app)
        return app

    yield factory
    for app in made:  # give pooled connections back: a long PostgreSQL run runs out of them
        app.extensions["runner"].close()
        with app.app_context():
            for engine in app.extensions["sqlalchemy"].engines.values():
                engine.dispose()


@pytest.fixture
def app(make_app):
    """The app on an empty database: every web test runs on SQLite and on PostgreSQL."""
    yield make_app()


@pytest.fixture
def deployed(app):
    """The app with the project's diagrams deployed."""
    app.extensions["runner"].deploy()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def actions(deployed, client):
    return Actions(deployed, client)

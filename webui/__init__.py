"""SECOP II onboarding web UI: the application factory.

One package per audience, each a blueprint whose ``__init__`` is its URL map:
``public`` (home, registration, login, password recovery), ``people`` (Configuraciones del
usuario), ``tasks`` (inbox and task forms), ``accounts`` (Escritorio, Directorio, Mis
registros, documents), ``desk`` (Mesa de Servicio), ``staff`` (models, instances, roles),
``api`` (option lists and the JSON API v1), ``dev`` (the development mailbox) and ``core``
(what they all share, and the health endpoints). Commands live in ``cli``.
"""

from __future__ import annotations

from flask import Flask

from webui import accounts
from webui import api
from webui import cli
from webui import core
from webui import desk
from webui import dev
from webui import people
from webui import public
from webui import staff
from webui import tasks
from webui.core import config
from webui.core import errors
from webui.core import filters
from webui.core import identity
from webui.core import inputs
from webui.core import logs
from webui.core import metrics
from webui.core import navigation
from webui.core import policy
from webui.core import runtime
from webui.core import security
from webui.core.extensions import MIGRATIONS_DIR
from webui.core.extensions import csrf
from webui.core.extensions import db
from webui.core.extensions import login_manager
from webui.core.extensions import migrate
from webui.core.sessions import SlidingCookieSessions

BLUEPRINTS = (core.bp, public.bp, people.bp, tasks.bp, accounts.bp, desk.bp, staff.bp, api.bp)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config (defaults < instance/config.py < environment < test_config)."""
    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = SlidingCookieSessions()
    config.load(app, test_config)  # refuses unsafe settings outside development
    inputs.init_app(app)  # before any route is added: bounded ids, strict JSON
    logs.init_app(app, json_logs=config.json_logs(app))
    metrics.init_app(app)  # first: every request is timed, whatever answers it
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    # render_as_batch: SQLite can only ALTER a table by copying it, which alembic batches do.
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    runtime.init_app(app)
    identity.init_app(app)
    policy.init_app(app)
    navigation.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    if app.config["MAIL_BACKEND"] == "dev":  # never outside development (webui.core.config)
        app.register_blueprint(dev.bp)
    # Bearer tokens cannot be forged cross-site; the API checks CSRF itself for cookie sessions.
    csrf.exempt(api.v1_bp)
    security.init_app(app)  # last: it wraps the WSGI app when TRUSTED_PROXIES is set
    return app

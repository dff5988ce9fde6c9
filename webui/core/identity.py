"""Who is asking: the logged-in user (Flask-Login), the engine Actor, the chosen account."""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import session
from flask_login import UserMixin
from flask_login import current_user

from engine.actors import Actor
from engine.db import utcnow
from engine.domain import sessions as user_sessions
from engine.domain.actors import load_actor
from engine.domain.actors import load_user_and_actor
from engine.domain.models import USER_ACTIVE
from engine.domain.models import Account
from engine.domain.models import User
from webui.core.extensions import db
from webui.core.extensions import login_manager
from webui.core.sessions import DEFAULT_REFRESH_AFTER

ANON_TOKENS = "anon_tokens"
ACCOUNT = "account_id"


class SessionUser(UserMixin):
    """The logged-in user as Flask-Login sees it: who it is and which session it holds, not
    the ORM row (most requests never need the row; pages that edit the user read ``row``)."""

    def __init__(self, row, session_key: str):  # a ``User`` or a result row with those columns
        self.id = row.id
        self.username = row.username
        self.display_name = f"{row.first_names} {row.last_names}".strip() or row.username
        # "Zona horaria": every date is shown in it (filters.py); a row without it reads Bogotá.
        self.time_zone = getattr(row, "time_zone", None)
        self.session_key = session_key

    def get_id(self) -> str:
        # The key of a user_session row: "Salir" or a password change ends the row, and with
        # it every copy of this cookie.
        return f"{self.id}:{self.session_key}"

    @property
    def row(self):
        """The ``User`` row, in the request's session (to show or change it)."""
        return db.session.get(User, self.id)


def runner():
    """The engine Runner of this app."""
    return current_app.extensions["runner"]


def identity_connection():
    """A connection for reading who is asking, outside any transaction.

    Every request reads its user and roles; in autocommit that costs no BEGIN and no
    ROLLBACK round trip, and PostgreSQL keeps its prepared statements (psycopg forgets
    them on every ROLLBACK)."""
    return current_app.extensions["identity_engine"].connect()


def init_app(app) -> None:
    with app.app_context():
        app.extensions["identity_engine"] = db.engine.execution_options(isolation_level="AUTOCOMMIT")

    # The user, its roles and its session, in one round trip: a session that ended (or is not
    # this user's) reads as NULL.
    who = (
        User.id,
        User.username,
        User.first_names,
        User.last_names,
        User.status,
        User.time_zone,
        user_sessions.seen_column(),
    )

    @login_manager.user_loader
    def load_user(user_id: str):
        raw_id, _, key = user_id.partition(":")
        if not raw_id.isdigit() or not key:
            return None
        with identity_connection() as connection:
            row, actor = load_user_and_actor(
                connection,
                int(raw_id),
                who,
                anonymous_tokens(),
                {"session_key_hash": user_sessions.key_hash(key)},
            )
            if row is None or not user_can_login(row) or row.session_seen_at is None:
                return None
            now = utcnow()
            idle = now - row.session_seen_at
            if idle >= app.permanent_session_lifetime:
                return None  # expired on the server too, whatever the cookie says
            if idle >= app.config.get("SESSION_REFRESH_AFTER", DEFAULT_REFRESH_AFTER):
                user_sessions.touch(connection, key, now)  # at most once a minute, as the cookie
        g.setdefault("actor", actor)  # an API token's actor, set first, wins
        return SessionUser(row, key)

    @app.context_processor
    def inject_identity():
        return {
            "current_account": current_account,
            "mailbox_enabled": app.config["MAIL_BACKEND"] == "dev",
        }


def user_can_login(row) -> bool:
    """Only users who confirmed their registration (§4 sección 2) may enter."""
    return row.status == USER_ACTIVE


def anonymous_tokens() -> tuple[str, ...]:
    return tuple(session.get(ANON_TOKENS, []))


def remember_anonymous_token(token: str) -> None:
    tokens = [*session.get(ANON_TOKENS, []), token][-5:]
    session[ANON_TOKENS] = tokens


def current_actor() -> Actor:
    """The engine Actor for this request (cached on ``g``; loading the user reads it)."""
    if "actor" in g:  # a page asks several times: skip the current_user proxy
        return g.actor
    if current_user.is_authenticated:
        if "actor" not in g:
            with identity_connection() as connection:
                g.actor = load_actor(connection, current_user.id, anonymous_tokens())
    elif "actor" not in g:
        g.actor = Actor.anonymous(*anonymous_tokens())
    return g.actor


def current_account():
    """The account chosen after "Entrar" (only one the user really holds a role in)."""
    if not current_user.is_authenticated:
        return None
    account_id = session.get(ACCOUNT)
    if account_id is None or account_id not in current_actor().account_roles:
        return None
    g.current_account = db.session.get(Account, account_id)  # the header names it (navigation.py)
    return g.current_account

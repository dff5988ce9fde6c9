"""Who is asking: the logged-in user (Flask-Login), the engine Actor, the chosen account."""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import session
from flask_login import UserMixin
from flask_login import current_user

from engine.actors import Actor
from engine.actors import load_actor
from webui.extensions import db
from webui.extensions import login_manager

ANON_TOKENS = "anon_tokens"
ACCOUNT = "account_id"


class SessionUser(UserMixin):
    """The domain ``User`` row seen through Flask-Login."""

    def __init__(self, row):
        self.row = row
        self.id = row.id

    def get_id(self) -> str:
        # The epoch changes with the password: older sessions stop working.
        return f"{self.row.id}:{self.row.session_epoch or 0}"

    @property
    def username(self) -> str:
        return self.row.username

    @property
    def display_name(self) -> str:
        return self.row.full_name.strip() or self.row.username


def runner():
    """The engine Runner of this app."""
    return current_app.extensions["runner"]


def init_identity(app) -> None:
    @login_manager.user_loader
    def load_user(user_id: str):
        from engine.domain.models import User

        raw_id, _, epoch = user_id.partition(":")
        try:
            row = db.session.get(User, int(raw_id))
        except (TypeError, ValueError):
            return None
        if row is None or not user_can_login(row) or str(row.session_epoch or 0) != epoch:
            return None
        return SessionUser(row)

    @app.context_processor
    def inject_identity():
        return {
            "current_account": current_account,
            "mailbox_enabled": app.config["MAIL_BACKEND"] == "dev",
            "is_mesa": is_mesa,
            "sees_directory": sees_directory,
        }


def user_can_login(row) -> bool:
    """Only users who confirmed their registration (§4 sección 2) may enter."""
    from engine.domain.models import USER_ACTIVE

    return row.status == USER_ACTIVE


def anonymous_tokens() -> tuple[str, ...]:
    return tuple(session.get(ANON_TOKENS, []))


def remember_anonymous_token(token: str) -> None:
    tokens = [*session.get(ANON_TOKENS, []), token][-5:]
    session[ANON_TOKENS] = tokens


def current_actor() -> Actor:
    """The engine Actor for this request (cached on ``g``)."""
    if "actor" not in g:
        if current_user.is_authenticated:
            # Read through the request's own session: no separate transaction per request.
            g.actor = load_actor(db.session, current_user.id, anonymous_tokens())
        else:
            g.actor = Actor.anonymous(*anonymous_tokens())
    return g.actor


def is_mesa() -> bool:
    from webui import policy

    return policy.is_mesa()


def sees_directory() -> bool:
    from webui import policy

    return policy.sees_directory()


def current_account():
    """The account chosen after "Entrar" (only one the user really holds a role in)."""
    if not current_user.is_authenticated:
        return None
    account_id = session.get(ACCOUNT)
    if account_id is None or account_id not in current_actor().account_roles:
        return None
    from engine.domain.models import Account

    return db.session.get(Account, account_id)

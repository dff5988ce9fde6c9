"""What the header and footer of every page (base.html) show: their links and the menu of
the person asking, computed once per page in Python instead of a dozen template calls.

Measured on the task page (thread CPU in process): ``url_for`` costs 7-10 µs and the header
had 12 of them; for a person acting for an account, the header loaded the ``Account`` ORM
row (~460 µs with the session it opens) and asked the database again whether that person
holds a role in an active account (~620 µs) just to show the "Directorio" link.

- The links depend only on the URL map and the request's script root (a proxy's prefix),
  so each script root's set is built once per process.
- The chosen account's name and state are read through the identity connection (one plain
  SELECT in autocommit, ~150 µs), unless the view loaded the row already.
- A chosen account that is active answers "sees the Directorio" by itself: the person holds
  a role in it (``current_account`` checks), which is what ``has_active_access`` asks.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from flask import g
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from engine.domain.models import ACCOUNT_ACTIVE
from engine.domain.models import Account
from webui.core import policy
from webui.core.identity import ACCOUNT
from webui.core.identity import current_actor
from webui.core.identity import identity_connection

# Every endpoint base.html links to; those of blueprints not registered (dev) are left out.
LINKED = (
    "public.home",
    "public.login",
    "public.logout",
    "public.support",
    "accounts.home",
    "accounts.choose",
    "accounts.directory",
    "tasks.inbox",
    "desk.cases",
    "staff.models.index",
    "staff.instances.index",
    "staff.admin.roles",
    "people.index",
    "dev.index",
)
SCRIPT = "js/app.js"
_PLAIN_ID = re.compile(r"[0-9A-Za-z-]{1,64}")  # what a URL carries unquoted
_MARK = "TaskIdGoesHere"  # a plain id, unquoted: marks the id's place in a task URL
MAX_ROOTS = 8  # script roots come from the server or a trusted proxy: a handful at most


class AccountHeading(NamedTuple):
    """The chosen account as the header names it."""

    id: int
    name: str
    state: str


class Menu(NamedTuple):
    """The links of the header that depend on who asks (a logged-in person)."""

    account: AccountHeading | None
    desk: bool  # the chosen account is active: its home is the Escritorio
    directory: bool
    mesa: bool
    analyst: bool
    operator: bool
    admin: bool


def init_app(app) -> None:
    by_root: dict[str, dict] = {}

    def links() -> dict:
        """endpoint -> URL of every link in base.html (and ``SCRIPT``: the page's script)."""
        root = request.script_root
        found = by_root.get(root)
        if found is None:
            found = {endpoint: url_for(endpoint) for endpoint in LINKED if endpoint in app.view_functions}
            found[SCRIPT] = url_for("static", filename=SCRIPT)
            if len(by_root) >= MAX_ROOTS:
                by_root.clear()
            by_root[root] = found
        return found

    def task_url(endpoint: str, task_id) -> str:
        """``url_for(endpoint, task_id=task_id)`` for a task of a list (the inbox, the
        Escritorio, the desk): a task id is a UUID, which needs no quoting, so each row
        joins it to its endpoint's URL instead of building it (7-10 µs a row); any other
        id goes through ``url_for``."""
        if not (isinstance(task_id, str) and _PLAIN_ID.fullmatch(task_id)):
            return url_for(endpoint, task_id=task_id)
        found = links()
        key = ("task_id", endpoint)
        parts = found.get(key)
        if parts is None:
            url = url_for(endpoint, task_id=_MARK)
            parts = found[key] = url.partition(_MARK) if url.count(_MARK) == 1 else ()
        if not parts:
            return url_for(endpoint, task_id=task_id)
        return parts[0] + task_id + parts[2]

    app.jinja_env.globals.update(links=links, menu=menu, task_url=task_url)


def menu() -> Menu | None:
    """The logged-in person's header links; None for anonymous visitors."""
    if not current_user.is_authenticated:
        return None
    actor = current_actor()
    account = account_heading()
    active = account is not None and account.state == ACCOUNT_ACTIVE
    return Menu(
        account=account,
        desk=active,
        directory=active or policy.sees_directory(),
        mesa=actor.has_platform_role(policy.MESA),
        analyst=actor.has_platform_role(policy.ANALYST),
        operator=actor.has_platform_role(policy.OPERATOR),
        admin=actor.has_platform_role(policy.ADMIN),
    )


def account_heading() -> AccountHeading | None:
    """The account chosen after "Entrar" (only one the person really holds a role in), as
    ``identity.current_account`` finds it, without loading its ORM row for the header."""
    account_id = session.get(ACCOUNT)
    if account_id is None or account_id not in current_actor().account_roles:
        return None
    loaded = g.get("current_account")
    if loaded is not None and loaded.id == account_id:
        return AccountHeading(loaded.id, loaded.name, loaded.state)
    with identity_connection() as connection:
        row = connection.execute(
            select(Account.id, Account.name, Account.state).where(Account.id == account_id)
        ).first()
    return AccountHeading(row.id, row.name, row.state) if row is not None else None

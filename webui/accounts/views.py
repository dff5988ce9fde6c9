"""§8–§9 after "Entrar": choose the account, the start page (Escritorio or the two R5
choices), the Directorio of active accounts."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import login_required
from sqlalchemy import or_
from sqlalchemy import select

from engine.domain import models as m
from engine.procedures import HOME
from webui.core import policy
from webui.core.extensions import db
from webui.core.identity import ACCOUNT
from webui.core.identity import current_account
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.policy import sees_directory


def my_accounts():
    """Accounts the user holds a role in, with that role."""
    roles = current_actor().account_roles
    if not roles:
        return []
    rows = db.session.scalars(select(m.Account).where(m.Account.id.in_(roles)).order_by(m.Account.name)).all()
    return [(row, roles[row.id]) for row in rows]


# Where platform staff without an account of their own start: their own pages, never the
# entity user's "Su usuario aún no hace parte de una cuenta" (first role held wins).
STAFF_HOMES = (
    (policy.MESA, "desk.cases"),
    (policy.ANALYST, "staff.models.index"),
    (policy.OPERATOR, "staff.instances.index"),
    (policy.ADMIN, "staff.admin.roles"),
)


def staff_home() -> str | None:
    """The start page of a staff member who holds no role in any account, else None."""
    actor = current_actor()
    if actor.account_roles:
        return None
    return next((url_for(endpoint) for role, endpoint in STAFF_HOMES if actor.has_platform_role(role)), None)


@login_required
def after_login():
    """With access to several accounts, choose one (§8: "la plataforma le habilitará la
    selección de la cuenta"; "como usuario puede tener acceso a más de una cuenta"); with
    one, act for it at once; staff go to their own pages; otherwise the R5 start page."""
    accounts = my_accounts()
    if len(accounts) > 1:
        return redirect(url_for("accounts.choose"))
    if accounts:
        session[ACCOUNT] = accounts[0][0].id
    return redirect(staff_home() or url_for("accounts.home"))


@login_required
def choose():
    """Choose the account to act for."""
    accounts = my_accounts()
    if request.method == "POST":
        chosen = request.form.get("cuenta", type=int)
        if chosen not in {acct.id for acct, _ in accounts}:
            abort(404)
        session[ACCOUNT] = chosen
        flash("Ahora actúa a nombre de la cuenta seleccionada.", "success")
        return redirect(url_for("accounts.home"))
    return render_template("accounts/choose.html", accounts=accounts, title="Seleccione la cuenta")


@login_required
def home():
    """Escritorio of the chosen active account; otherwise the R5 page with pending tasks
    (staff without an account land on their own pages, e.g. the Mesa de Servicio's desk)."""
    landing = staff_home()
    if landing:
        return redirect(landing)
    accounts = my_accounts()
    account = current_account()
    if account is None and len(accounts) == 1:
        session[ACCOUNT] = accounts[0][0].id
        account = accounts[0][0]
    elif account is None and len(accounts) > 1:
        return redirect(url_for("accounts.choose"))
    tasks = runner().inbox(current_actor())
    role = current_actor().account_roles.get(account.id) if account is not None else None
    cases = support_cases_of(account.id) if role == m.ROLE_ADMIN else []
    if account is not None and account.state == m.ACCOUNT_ACTIVE:
        members = members_of(account.id) if role == m.ROLE_ADMIN else []
        return render_template(
            "accounts/desk.html", account=account, role=role, tasks=tasks, members=members,
            documents=attached_documents(account.id), cases=cases, title="Escritorio",
            startable=runner().startable(current_actor(), account.id),
        )  # fmt: skip
    startable = runner().startable(current_actor())
    section_three = [p for p in startable if p.offered_on(HOME) and not p.for_account]
    return render_template(
        "accounts/start.html", account=account, tasks=tasks, cases=cases, title="Inicio",
        startable=section_three,
    )  # fmt: skip


def support_cases_of(account_id: int):
    """The account's cases with the Mesa de Servicio, newest first: the number given once in
    a message is found here again, with its state (§7)."""
    return db.session.scalars(
        select(m.SupportCase).where(m.SupportCase.account_id == account_id).order_by(m.SupportCase.id.desc())
    ).all()


def members_of(account_id: int):
    return db.session.execute(
        select(m.User, m.Membership).join(m.Membership, m.Membership.user_id == m.User.id)
        .where(m.Membership.account_id == account_id).order_by(m.User.last_names)
    ).all()  # fmt: skip


@login_required
def directory():
    """Directorio: active accounts, visible only to users with access to an account (A3)."""
    if not sees_directory():
        abort(403)
    q = (request.args.get("q") or "").strip()
    query = select(m.Account).where(m.Account.state == m.ACCOUNT_ACTIVE).order_by(m.Account.name)
    if q:
        query = query.where(or_(m.Account.name.ilike(f"%{q}%"), m.Account.nit == q))
    return render_template(
        "accounts/directory.html",
        accounts=db.session.scalars(query.limit(200)).all(),
        q=q,
        title="Directorio",
    )


@login_required
def directory_entry(account_id: int):
    """One active account of the Directorio with its registration documents."""
    if not sees_directory():
        abort(403)
    account = db.session.get(m.Account, account_id)
    if not policy.may_see_directory_entry(account):
        abort(404)
    return render_template(
        "accounts/directory_entry.html", account=account, documents=attached_documents(account_id),
        title=account.name,
    )  # fmt: skip


def attached_documents(account_id: int):
    """The account's registration documents in force (replaced ones are the Mesa's history)."""
    return db.session.scalars(
        select(m.Document).where(m.Document.account_id == account_id, m.Document.state == "attached")
        .order_by(m.Document.slot)
    ).all()  # fmt: skip

"""Administrador de la plataforma: grant and revoke platform roles (Analista, Operador, Mesa
de Servicio, Administrador). The CLI does the same with ``grant-role`` / ``revoke-role``."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import func
from sqlalchemy import select

from engine.domain import models as m
from engine.domain import platform_roles
from engine.errors import DomainError
from webui.core import users
from webui.core.extensions import db
from webui.core.identity import runner
from webui.core.policy import ADMIN
from webui.core.policy import ROLE_NAMES
from webui.core.policy import guard


def admins_only():
    return guard(ADMIN)


def roles():
    """Users holding platform roles, and a search to give roles to anybody."""
    query = (request.args.get("q") or "").strip()
    holders = db.session.execute(
        select(m.User, m.UserRole.role).join(m.UserRole, m.UserRole.user_id == m.User.id)
        .order_by(m.User.username, m.UserRole.role)
    ).all()  # fmt: skip
    by_user: dict[int, tuple] = {}
    for user, role in holders:
        by_user.setdefault(user.id, (user, []))[1].append(role)
    found = []
    if query:
        pattern = f"%{query.lower()}%"
        found = db.session.scalars(
            select(m.User).where(
                func.lower(m.User.username).like(pattern) | func.lower(m.User.email).like(pattern)
            ).order_by(m.User.username).limit(20)
        ).all()  # fmt: skip
    return render_template(
        "staff/admin/roles.html",
        holders=list(by_user.values()),
        found=found,
        query=query,
        roles=ROLE_NAMES,
        title="Roles de la plataforma",
    )


def change_role():
    """Grant or revoke one role of one user."""
    username = (request.form.get("usuario") or "").strip()
    role = request.form.get("rol", "")
    user = users.find_by_username(username) if username else None
    if user is None or role not in ROLE_NAMES:
        flash("Indique un usuario existente y un rol válido.", "error")
        return redirect(url_for("staff.admin.roles"))
    try:
        with runner().transaction() as session:
            if request.form.get("accion") == "quitar":
                done = platform_roles.revoke(session, user.id, role)
                message = f"Se quitó el rol {ROLE_NAMES[role]} a {user.username}."
                message = message if done else "No tenía ese rol."
            else:
                platform_roles.grant(session, user.id, role)
                message = f"{user.username} ahora tiene el rol {ROLE_NAMES[role]}."
    except DomainError as refused:
        flash(refused.message, "error")
        return redirect(url_for("staff.admin.roles"))
    flash(message, "success")
    return redirect(url_for("staff.admin.roles"))

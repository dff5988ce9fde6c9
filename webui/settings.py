"""§8–§9 "Configuraciones del usuario": Mis datos de usuario (Editar), Accesos del usuario
(username, password, login history) and Mis registros (access requests, cancel)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from sqlalchemy import select

from engine.errors import DomainError
from engine.errors import MessageNotExpected
from webui import policy
from webui import users
from webui.extensions import db
from webui.identity import SessionUser
from webui.identity import current_actor
from webui.identity import runner
from webui.profile import PROFILE_FIELDS
from webui.profile import validate_profile

bp = Blueprint("settings", __name__)


@bp.before_request
@login_required
def require_login():
    """Every page here is about the logged-in user."""


@bp.get("/")
def index():
    """Configuraciones del usuario."""
    return render_template("settings/index.html", title="Configuraciones del usuario")


@bp.route("/datos", methods=["GET", "POST"])
def profile():
    """Mis datos de usuario; ?editar=1 or a POST is "Editar" (D1)."""
    user = current_user.row
    editing = request.method == "POST" or request.args.get("editar") == "1"
    values = {name: getattr(user, name) or "" for name, *_ in PROFILE_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name, *_ in PROFILE_FIELDS}
        errors = validate_profile(values, user)
        if not errors:
            for name, value in values.items():
                setattr(user, name, value)
            db.session.commit()
            flash("Sus datos fueron actualizados.", "success")
            return redirect(url_for("settings.profile"))
    return render_template(
        "settings/profile.html",
        fields=PROFILE_FIELDS,
        labels={f[0]: f[1] for f in PROFILE_FIELDS},
        values=values,
        errors=errors,
        editing=editing,
        title="Mis datos de usuario",
    ), (422 if errors else 200)


@bp.route("/accesos", methods=["GET", "POST"])
def access():
    """Accesos del usuario: change username or password; history of logins and logouts (D2)."""
    user = current_user.row
    errors: dict[str, str] = {}
    form = request.form.get("formulario")
    if request.method == "POST" and form == "usuario":
        new = request.form.get("nuevo_usuario", "").strip()
        other = users.find_by_username(new) if new else None
        if not new or len(new) < 4 or " " in new:
            errors["nuevo_usuario"] = "Escriba un nombre de usuario de al menos 4 caracteres, sin espacios."
        elif other is not None and other.id != user.id:
            errors["nuevo_usuario"] = f"El nombre de usuario «{new}» ya está registrado. Elija otro."
        else:
            user.username = new
            db.session.commit()
            flash("Su nombre de usuario fue actualizado.", "success")
            return redirect(url_for("settings.access"))
    elif request.method == "POST" and form == "contrasena":
        password = request.form.get("contrasena_nueva", "")
        if not users.check_password(user, request.form.get("contrasena_actual", "")):
            errors["contrasena_actual"] = "La contraseña actual no es correcta."
        errors.update(
            users.new_password_errors(password, request.form.get("confirmacion", ""), "contrasena_nueva")
        )
        if not errors:
            users.set_password(user, password)
            db.session.commit()
            login_user(SessionUser(user))  # other sessions end: the epoch changed
            flash("Su contraseña fue actualizada.", "success")
            return redirect(url_for("settings.access"))
    history = users.login_history(user.id)
    return render_template(
        "settings/access.html", errors=errors, history=history, form=form, title="Accesos del usuario"
    ), (422 if errors else 200)


@bp.get("/registros")
def requests():
    """Mis registros: every access request with its state (R4)."""
    from engine.domain.models import AccessRequest
    from engine.domain.models import Account

    rows = db.session.execute(
        select(AccessRequest, Account).join(Account, Account.id == AccessRequest.account_id)
        .where(AccessRequest.user_id == current_user.id).order_by(AccessRequest.created_at.desc())
    ).all()  # fmt: skip
    return render_template("settings/requests.html", rows=rows, title="Mis registros")


@bp.post("/registros/<int:request_id>/cancelar")
def cancel_request(request_id: int):
    """Cancel one of my pending access requests."""
    from engine.domain.models import REQUEST_PENDING
    from engine.domain.models import AccessRequest

    row = db.session.get(AccessRequest, request_id)
    if not policy.may_cancel_request(row):
        abort(404)
    if row.state != REQUEST_PENDING:
        flash(f"La solicitud ya no está pendiente (estado: {row.state}).", "error")
        return redirect(url_for("settings.requests"))
    try:
        runner().deliver_message("cancelar_solicitud", str(request_id), actor=current_actor())
    except (MessageNotExpected, DomainError) as exc:
        flash(exc.message or "No fue posible cancelar la solicitud.", "error")
    else:
        flash("La solicitud quedó cancelada.", "success")
    return redirect(url_for("settings.requests"))

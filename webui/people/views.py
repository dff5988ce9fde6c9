"""§9 "Configuraciones del usuario": Mis datos de usuario (Editar) and Accesos del usuario
(username, password, login history)."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from webui.core import users
from webui.core.extensions import db
from webui.people import sessions
from webui.people.profile import PROFILE_FIELDS
from webui.people.profile import document_types
from webui.people.profile import validate_profile


@login_required
def require_login():
    """Every page here is about the logged-in user."""


def index():
    """Configuraciones del usuario."""
    return render_template("people/index.html", title="Configuraciones del usuario")


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
            return redirect(url_for("people.profile"))
    return render_template(
        "people/profile.html",
        fields=PROFILE_FIELDS,
        labels={f[0]: f[1] for f in PROFILE_FIELDS},
        values=values,
        errors=errors,
        editing=editing,
        document_types=document_types(),
        title="Mis datos de usuario",
    ), (422 if errors else 200)


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
            return redirect(url_for("people.access"))
    elif request.method == "POST" and form == "contrasena":
        password = request.form.get("contrasena_nueva", "")
        if not users.check_password(user, request.form.get("contrasena_actual", "")):
            errors["contrasena_actual"] = "La contraseña actual no es correcta."
        errors.update(
            users.new_password_errors(password, request.form.get("confirmacion", ""), "contrasena_nueva")
        )
        if not errors:
            users.set_password(user, password, keep_session=current_user.session_key)  # others end
            db.session.commit()
            flash("Su contraseña fue actualizada.", "success")
            return redirect(url_for("people.access"))
    history = users.login_history(user.id)
    return render_template(
        "people/access.html",
        errors=errors,
        history=history,
        sessions=sessions.listing(user.id),
        form=form,
        title="Accesos del usuario",
    ), (422 if errors else 200)

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

from engine.db import utcnow
from engine.domain import credentials
from engine.domain import personal_data
from engine.errors import FormInvalid
from webui.core import users
from webui.core.extensions import db
from webui.core.identity import runner
from webui.people import email_change
from webui.people import sessions


@login_required
def require_login():
    """Every page here is about the logged-in user."""


def index():
    """Configuraciones del usuario."""
    return render_template("people/index.html", title="Configuraciones del usuario")


def profile():
    """Mis datos de usuario; ?editar=1 or a POST is "Editar" (D1). Checked by the
    registration form's own rules (engine/domain/personal_data.py); what was typed stays."""
    user = current_user.row
    fields = personal_data.profile_fields(runner().config)
    editing = request.method == "POST" or request.args.get("editar") == "1"
    values = {f.name: getattr(user, f.name) or "" for f in fields}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {f.name: request.form.get(f.name, "") for f in fields}
        typed = request.form.get("contrasena_actual", "")
        confirmed = bool(typed) and users.check_password(user, typed)  # argon2 only when typed
        try:
            with runner().transaction() as session:
                new_email = personal_data.update_profile(session, runner().config, user.id, values, confirmed)
                if new_email:
                    email_change.ask_confirmation(session, user, new_email)
        except FormInvalid as refused:
            errors = _first_messages(refused)
        else:
            flash("Sus datos fueron actualizados.", "success")
            if new_email:
                flash(
                    f"Le enviamos un enlace a {new_email}: su correo cambiará cuando lo abra (vence en "
                    f"{email_change.LINK_HOURS} horas). Hasta entonces sigue siendo {user.email}.",
                    "info",
                )
            return redirect(url_for("people.profile"))
    return render_template(
        "people/profile.html",
        fields=fields,
        labels={**{f.name: f.title for f in fields}, "contrasena_actual": "Contraseña actual"},
        values=values,
        errors=errors,
        editing=editing,
        title="Mis datos de usuario",
    ), (422 if errors else 200)


def _first_messages(refused: FormInvalid) -> dict[str, str]:
    return {name: messages[0] for name, messages in refused.errors.items() if messages}


def access():
    """Accesos del usuario: change username or password; history of logins and logouts (D2)."""
    user = current_user.row
    errors: dict[str, str] = {}
    form = request.form.get("formulario")
    if request.method == "POST" and form == "usuario":
        try:
            with runner().transaction() as session:
                changed = personal_data.change_username(
                    session, runner().config, user.id, request.form.get("nuevo_usuario", "")
                )
                credentials.notify_credential_change(
                    session, runner().config, changed, credentials.CHANGED_USERNAME, utcnow(),
                    new_value=changed.username,
                )  # fmt: skip
        except FormInvalid as refused:
            errors["nuevo_usuario"] = _first_messages(refused).get("username", refused.message)
        else:
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
            credentials.notify_credential_change(
                db.session, runner().config, user, credentials.CHANGED_PASSWORD, utcnow()
            )
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

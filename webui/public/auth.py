"""Entrar, Salir, password recovery by email, and the activation link of a new user."""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from engine.db import utcnow
from engine.domain import credentials
from engine.domain import sessions as user_sessions
from engine.errors import MessageNotExpected
from engine.instructions import render_message
from webui.core import users
from webui.core.extensions import db
from webui.core.identity import SessionUser
from webui.core.identity import runner
from webui.core.redirects import safe_next
from webui.core.throttle import client_address
from webui.core.throttle import throttle
from webui.core.throttle import too_many

TOO_MANY_LOGINS = "Demasiados intentos de ingreso. Espere unos minutos e intente de nuevo."
TOO_MANY_RECOVERIES = (
    "Demasiadas solicitudes de recuperación desde su conexión. Espere unos minutos e intente de nuevo."
)
BAD_LOGIN = "El nombre de usuario o la contraseña no son correctos, o el usuario aún no está activado."


def login():
    """ "Entrar" with username and password; then choose the account (§8 R5)."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    if request.method != "POST":
        return render_template("public/login.html", username=request.args.get("usuario", ""), title="Entrar")
    # The form's fields only: what is checked is what the limits count (never the query string).
    username = request.form.get("usuario", "")
    attempt = throttle().take(
        ("LOGIN_LIMIT_PER_ADDRESS", client_address()), ("LOGIN_LIMIT_PER_USER", users.username_key(username))
    )
    if attempt is None:
        return too_many(TOO_MANY_LOGINS)
    user = users.authenticate(username, request.form.get("contrasena", ""))
    if user is None:
        flash(BAD_LOGIN, "error")
        return render_template("public/login.html", username=username, title="Entrar"), 401
    attempt.give_back()  # only failed logins count
    tokens = session.get("anon_tokens", [])
    session.clear()
    session["anon_tokens"] = tokens
    key = user_sessions.open_session(
        db.session, user.id, request.remote_addr, request.headers.get("User-Agent"), utcnow()
    )
    users.record_login_event(user.id, "login", request.remote_addr, request.headers.get("User-Agent"))
    login_user(SessionUser(user, key))
    session.permanent = True
    return redirect(safe_next(request.args.get("next")) or url_for("accounts.after_login"))


def logout():
    """ "Salir": end the session and record it in the access history."""
    if current_user.is_authenticated:
        # The session's record ends: a copy of this cookie taken before "Salir" is worthless.
        user_sessions.end_session(
            db.session, current_user.session_key, user_sessions.ENDED_BY_LOGOUT, utcnow()
        )
        users.record_login_event(
            current_user.id, "logout", request.remote_addr, request.headers.get("User-Agent")
        )
    logout_user()
    session.clear()
    flash("Cerró su sesión.", "success")
    return redirect(url_for("public.home"))


def recover():
    """U5: ask for a password-reset link by email (same answer whether the email exists or not)."""
    if request.method == "POST":
        email = request.form.get("correo", "").strip()
        if throttle().take(("RECOVERY_LIMIT_PER_ADDRESS", client_address())) is None:
            return too_many(TOO_MANY_RECOVERIES)
        # Past one email's limit the answer is the same and nothing is sent: nobody can flood
        # an inbox, and the page still tells nothing about which emails are registered.
        spent = bool(email) and throttle().take(("RECOVERY_LIMIT_PER_EMAIL", email.lower())) is None
        if email and not spent:
            ttl = dt.timedelta(seconds=current_app.config["PASSWORD_RESET_TTL"])
            credentials.request_password_reset(db.session, email, runner().config, ttl, utcnow())
            db.session.commit()
        flash(
            "Si el correo está registrado, le enviamos un enlace para crear una nueva contraseña.", "success"
        )
        return redirect(url_for("public.login"))
    return render_template("public/recover.html", title="Recuperar contraseña")


def reset(token: str):
    """Set a new password from an emailed, expiring, single-use link."""
    if credentials.reset_link_user(db.session, token, utcnow()) is None:
        return _link_spent()
    errors = {}
    if request.method == "POST":
        password = request.form.get("contrasena", "")
        errors = users.new_password_errors(password, request.form.get("confirmacion", ""), "contrasena")
        if not errors:
            password_hash = users.hash_password(password)  # slow: before the transaction
            # One UPDATE decides: of many posts of this link at once, exactly one sets a password.
            user = credentials.reset_password(db.session, token, password_hash, utcnow())
            if user is None:
                db.session.rollback()
                return _link_spent()
            credentials.notify_credential_change(
                db.session, runner().config, user, credentials.CHANGED_PASSWORD, utcnow()
            )
            db.session.commit()
            flash("Su contraseña fue actualizada. Ya puede entrar.", "success")
            return redirect(url_for("public.login", usuario=user.username))
    return render_template("public/reset.html", errors=errors, title="Nueva contraseña"), (
        422 if errors else 200
    )


def _link_spent():
    flash("El enlace para recuperar la contraseña venció o ya fue usado. Solicite uno nuevo.", "error")
    return redirect(url_for("public.recover"))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def activate(token: str):
    """U2/U3: the emailed link confirms the registration, then leads to "Entrar"."""
    try:
        instance_id = runner().deliver_message("activacion_usuario", _hash(token))
    except MessageNotExpected:
        return render_template("public/activation_failed.html", token=token, title="Enlace no válido"), 410
    instance = runner().instance(instance_id)
    username = instance.data.get("username", "")
    said = None
    if instance.status == "completed":  # what the diagram tells the person (its endMessage)
        said = render_message(runner().procedure(instance.process_id).end_message, instance.data)
    said = said or "Su usuario quedó activado. Ingrese su usuario y contraseña y haga clic en “Entrar”."
    flash(said, "success")
    return redirect(url_for("public.login", usuario=username))


def resend(token: str):
    """An expired link: ask the waiting registration to send a new one."""
    try:
        runner().deliver_message("reenvio_enlace", _hash(token))
    except MessageNotExpected:
        flash(
            "No encontramos un registro pendiente para este enlace. "
            "Haga clic en “Registro” para registrarse de nuevo.",
            "error",
        )
        return redirect(url_for("public.home"))
    return redirect(url_for("public.registration_sent"))

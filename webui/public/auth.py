"""Entrar, Salir, password recovery by email, and the activation link of a new user."""

from __future__ import annotations

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
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from engine.domain import models as m
from engine.errors import MessageNotExpected
from engine.models import OutboxEmail
from webui.core import users
from webui.core.extensions import db
from webui.core.identity import SessionUser
from webui.core.identity import runner
from webui.core.redirects import safe_next

BAD_LOGIN = "El nombre de usuario o la contraseña no son correctos, o el usuario aún no está activado."


def _reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="recuperar-contrasena")


def login():
    """ "Entrar" with username and password; then choose the account (§8 R5)."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    if request.method != "POST":
        return render_template("public/login.html", username=request.args.get("usuario", ""), title="Entrar")
    # The form's fields only: what is checked is what the limits count (never the query string).
    username = request.form.get("usuario", "")
    user = users.authenticate(username, request.form.get("contrasena", ""))
    if user is None:
        flash(BAD_LOGIN, "error")
        return render_template("public/login.html", username=username, title="Entrar"), 401
    tokens = session.get("anon_tokens", [])
    session.clear()
    session["anon_tokens"] = tokens
    login_user(SessionUser(user))
    session.permanent = True
    users.record_login_event(user.id, "login", request.remote_addr, request.headers.get("User-Agent"))
    return redirect(safe_next(request.args.get("next")) or url_for("accounts.after_login"))


def logout():
    """ "Salir": end the session and record it in the access history."""
    if current_user.is_authenticated:
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
        user = users.find_by_email(email) if email else None
        if user is not None:
            token = _reset_serializer().dumps({"u": user.id, "f": users.password_fingerprint(user)})
            link = current_app.config["BASE_URL"].rstrip("/") + url_for("public.reset", token=token)
            body = render_template(
                "public/email_reset.txt",
                user=user,
                link=link,
                minutes=current_app.config["PASSWORD_RESET_TTL"] // 60,
            )
            db.session.add(
                OutboxEmail(
                    to_addr=user.email,
                    subject="SECOP II – Recuperar contraseña",
                    body=body,
                    template="recuperar_contrasena",
                    status="pending",
                )
            )
            db.session.commit()
        flash(
            "Si el correo está registrado, le enviamos un enlace para crear una nueva contraseña.", "success"
        )
        return redirect(url_for("public.login"))
    return render_template("public/recover.html", title="Recuperar contraseña")


def reset(token: str):
    """Set a new password from a signed, expiring, single-use link."""
    try:
        payload = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_TTL"])
    except (SignatureExpired, BadSignature):
        payload = None
    user = db.session.get(m.User, payload["u"]) if payload else None
    if user is None or payload["f"] != users.password_fingerprint(user):
        flash("El enlace para recuperar la contraseña venció o ya fue usado. Solicite uno nuevo.", "error")
        return redirect(url_for("public.recover"))
    errors = {}
    if request.method == "POST":
        password = request.form.get("contrasena", "")
        errors = users.new_password_errors(password, request.form.get("confirmacion", ""), "contrasena")
        if not errors:
            users.set_password(user, password)
            db.session.commit()
            flash("Su contraseña fue actualizada. Ya puede entrar.", "success")
            return redirect(url_for("public.login", usuario=user.username))
    return render_template("public/reset.html", errors=errors, title="Nueva contraseña"), (
        422 if errors else 200
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def activate(token: str):
    """U2/U3: the emailed link confirms the registration, then leads to "Entrar"."""
    try:
        instance_id = runner().deliver_message("activacion_usuario", _hash(token))
    except MessageNotExpected:
        return render_template("public/activation_failed.html", token=token, title="Enlace no válido"), 410
    username = runner().instance(instance_id).data.get("username", "")
    flash("Su usuario quedó activado. Ingrese su usuario y contraseña y haga clic en “Entrar”.", "success")
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

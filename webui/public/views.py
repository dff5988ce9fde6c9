"""Public pages: home with "Registro" and "Entrar", Soporte técnico, anonymous registration."""

from __future__ import annotations

from flask import abort
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user

from engine.actors import Actor
from webui.core.identity import current_actor
from webui.core.identity import remember_anonymous_token
from webui.core.identity import runner
from webui.core.procedures import registration
from webui.core.throttle import client_address
from webui.core.throttle import throttle
from webui.core.throttle import too_many

TOO_MANY_REGISTRATIONS = (
    "Se iniciaron demasiados registros desde su conexión. Espere unos minutos e intente de nuevo."
)


def home():
    """Home: "Registro" and "Entrar" for visitors; logged-in users go to their start page."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    return render_template("public/home.html", title="Inicio")


def support():
    """S1: the Mesa de Servicio's channels."""
    return render_template("public/support.html", title="Soporte técnico")


def register():
    """ "Registro": resume this browser's open registration, or start a new one anonymously
    (the procedure whose diagram says anonymous people start it)."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    procedure = registration()
    if procedure is None:
        abort(404)
    for task in runner().inbox(current_actor(), process_id=procedure.process_id):
        return redirect(url_for("tasks.task", task_id=task.id))
    # Each start is an instance and rows in the database: a script must not make thousands.
    if throttle().take(("REGISTRATION_LIMIT_PER_ADDRESS", client_address())) is None:
        return too_many(TOO_MANY_REGISTRATIONS)
    started = runner().start_by_hand(procedure.process_id, Actor.anonymous())
    remember_anonymous_token(started.anonymous_token)
    if not started.next_tasks:
        return redirect(url_for("public.registration_sent"))
    return redirect(url_for("tasks.task", task_id=started.next_tasks[0].id))


def register_page():
    """A GET on /registro shows the home page, whose button posts the form."""
    return redirect(url_for("public.home"))


def registration_sent():
    """Section 2 "Confirmar registro": check your email (and the spam folder)."""
    return render_template("public/registration_sent.html", title="Confirmar registro")

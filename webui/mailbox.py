"""Development mailbox: the outbox as an inbox, so a new user can click the activation link
without a real SMTP server. Only enabled with MAIL_BACKEND=dev."""

from __future__ import annotations

import re

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import select

from engine.models import OutboxEmail
from webui.extensions import db

bp = Blueprint("mailbox", __name__)
URL = re.compile(r"https?://[^\s<>\"']+")


@bp.before_request
def only_in_development():
    if current_app.config["MAIL_BACKEND"] != "dev":
        abort(404)


@bp.get("/")
def index():
    """Every queued or sent email, newest first, optionally for one address."""
    to = (request.args.get("para") or "").strip()
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(200)
    if to:
        query = query.where(OutboxEmail.to_addr == to)
    emails = db.session.scalars(query).all()
    return render_template("mailbox/index.html", emails=emails, to=to, title="Correo de desarrollo")


@bp.get("/<int:email_id>")
def show(email_id: int):
    """One email, with its links clickable."""
    email = db.session.get(OutboxEmail, email_id) or abort(404)
    return render_template("mailbox/show.html", email=email, body=linkify(email.body), title=email.subject)


def linkify(text: str) -> Markup:
    """Escape the plain-text body, then turn URLs into links."""
    escaped = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))

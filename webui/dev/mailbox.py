"""Development mailbox: the outbox as an inbox, so a new user can click the activation link
without a real SMTP server. Only enabled with MAIL_BACKEND=dev."""

from __future__ import annotations

import re

from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import select

from engine.models import OutboxEmail
from webui.core.extensions import db

URL = re.compile(r"https?://[^\s<>\"']+")


def only_in_development():
    if current_app.config["MAIL_BACKEND"] != "dev":
        abort(404)


def index():
    """Every queued or sent email, newest first, optionally for one address."""
    to = (request.args.get("para") or "").strip()
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(200)
    if to:
        query = query.where(OutboxEmail.to_addr == to)
    emails = db.session.scalars(query).all()
    return render_template("dev/index.html", emails=emails, to=to, title="Correo de desarrollo")


def show(email_id: int):
    """One email, with its links clickable."""
    email = db.session.get(OutboxEmail, email_id) or abort(404)
    return render_template("dev/show.html", email=email, body=linkify(email.body), title=email.subject)


def linkify(text: str) -> Markup:
    """Escape the plain-text body, then turn URLs into links."""
    escaped = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))

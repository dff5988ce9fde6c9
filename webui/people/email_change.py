"""§9 "Mis datos de usuario": a new email takes effect only when its owner opens the signed
link sent to it (D1). The link names the address it replaces and carries the nonce of the
user's one pending request (engine.domain.credentials): a newer request or a confirmation
ends it, so a link works once and an older one never applies again (A→B→A)."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from engine.db import utcnow
from engine.domain import credentials
from engine.domain import personal_data
from engine.errors import FormInvalid
from webui.core.identity import runner

LINK_HOURS = 24


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="confirmar-correo")


def ask_confirmation(session, user, new_email: str) -> None:
    """Email ``new_email`` its link, in the transaction that saved the rest of the profile."""
    nonce = credentials.request_email_change(session, user.id, new_email, utcnow())
    token = _signer().dumps({"usuario": user.id, "de": user.email, "a": new_email, "n": nonce})
    link = runner().config.base_url + url_for("people.confirm_email", token=token)
    credentials.ask_email_confirmation(session, runner().config, user, new_email, link, LINK_HOURS, utcnow())


def _change(token: str) -> dict | None:
    """What a link asks, if it is signed, unexpired and the logged-in person's."""
    try:
        change = _signer().loads(token, max_age=LINK_HOURS * 3600)
    except BadSignature:  # SignatureExpired included
        return None
    if not isinstance(change, dict) or change.get("usuario") != current_user.id:
        return None
    if change.get("de") != current_user.row.email or not isinstance(change.get("a"), str):
        return None  # used already (the email changed since), or another link was
    if not isinstance(change.get("n"), str):
        return None  # a link from before requests were kept
    with runner().transaction() as session:
        if credentials.pending_email_change(session, current_user.id, change["n"], change["a"]) is None:
            return None  # a newer request replaced it, or it was confirmed already
    return change


def confirm(token: str):
    """GET shows the new address and a button (a mail scanner that follows links changes
    nothing); POST makes it the person's email and tells the previous address."""
    change = _change(token)
    if change is None:
        flash(personal_data.LINK_SPENT, "error")
        return redirect(url_for("people.profile"))
    if request.method == "POST":
        try:
            with runner().transaction() as session:
                personal_data.confirm_email(
                    session, runner().config, current_user.id, change["de"], change["a"]
                )
                credentials.end_email_change(session, current_user.id)
        except FormInvalid as refused:
            flash(refused.errors["email"][0], "error")
        else:
            flash(f"Listo: su correo electrónico ahora es {change['a']}.", "success")
        return redirect(url_for("people.profile"))
    return render_template(
        "people/confirm_email.html", new_email=change["a"], title="Confirmar correo electrónico"
    )

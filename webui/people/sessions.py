"""Accesos del usuario (§9): the user's open sessions (since when, from where, which device)
and closing them, one or all but this one."""

from __future__ import annotations

import re

from flask import current_app
from flask import flash
from flask import redirect
from flask import url_for
from flask_login import current_user

from engine.db import utcnow
from engine.domain import sessions as user_sessions
from webui.core.extensions import db

# First match wins: Edge and Opera say "Chrome" too, Chrome says "Safari" too.
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))  # fmt: skip
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def device(user_agent: str | None) -> str:
    """ "Firefox en Windows" from a User-Agent header, for people to recognise their devices."""
    agent = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in agent), None)
    system = next((name for mark, name in SYSTEMS if mark in agent), None)
    if browser and system:
        return f"{browser} en {system}"
    if browser or system:
        return browser or system
    return re.sub(r"[^\w ./-]", "", agent)[:40] or "Desconocido"


def listing(user_id: int) -> list[dict]:
    """The open sessions of the logged-in user, this one first marked as such."""
    since = utcnow() - current_app.permanent_session_lifetime
    mine = user_sessions.key_hash(current_user.session_key)
    rows = user_sessions.open_sessions(db.session, user_id, since)
    listed = [
        {
            "id": row.id,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "ip": row.ip or "",
            "device": device(row.user_agent),
            "current": row.key_hash == mine,
        }
        for row in rows
    ]
    return sorted(listed, key=lambda row: not row["current"])


def close(session_id: int):
    """Close one of my sessions (a device left logged in somewhere)."""
    if user_sessions.close_session(db.session, current_user.id, session_id, utcnow()):
        db.session.commit()
        flash("La sesión quedó cerrada: ese dispositivo tendrá que volver a entrar.", "success")
    else:
        flash("Esa sesión ya no estaba abierta.", "info")
    return redirect(url_for("people.access"))


def close_others():
    """Close every session of mine but this one."""
    closed = user_sessions.end_sessions(
        db.session, current_user.id, user_sessions.ENDED_BY_USER, utcnow(), keep=current_user.session_key
    )
    db.session.commit()
    flash(f"Sesiones cerradas: {closed}. Esta sesión sigue abierta.", "success")
    return redirect(url_for("people.access"))

"""Template filters: Spanish names for procedures (as the diagrams declare them), states and dates."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from flask_login import current_user
from markupsafe import Markup

from engine.domain.classification import sector_label
from engine.domain.rules import department_name
from engine.domain.rules import municipality_name
from engine.domain.rules import time_zone
from engine.instructions import render_markdown
from engine.instructions import sanitize
from webui.core.procedures import document_label
from webui.core.procedures import procedure_name

KIND_BY_STATE = {
    "Pendiente": "warn",
    "Aceptado": "ok",
    "Rechazado": "bad",
    "Cancelado": "bad",
    "Activa": "ok",
    "Activo": "ok",
    "Pendiente de activación": "warn",
    "En corrección": "warn",
    "Pendiente de confirmación": "warn",
    "Abierto": "warn",
    "Cerrado": "ok",
    "Resuelto": "ok",
}

STATE_LABELS = {
    "pending": ("Pendiente", "warn"),
    "accepted": ("Aceptado", "ok"),
    "rejected": ("Rechazado", "bad"),
    "cancelled": ("Cancelado", "bad"),
    "active": ("Activa", "ok"),
    "pending_activation": ("Pendiente de activación", "warn"),
    "inactive": ("Inactiva", "bad"),
    "open": ("Abierto", "warn"),
    "closed": ("Cerrado", "ok"),
    "correction_requested": ("Corrección solicitada", "warn"),
    "running": ("En curso", "info"),
    "completed": ("Terminado", "ok"),
    "error": ("Con error", "bad"),
}


def slot_name(slot: str | None) -> str:
    """A document slot as its form titles it."""
    return document_label(slot)


def process_name(process_id: str | None) -> str:
    """A process's display name: its name in the deployed diagram."""
    return procedure_name(process_id)


def state_label(state: str | None) -> str:
    return STATE_LABELS.get(state or "", (state or "", "info"))[0]


def state_kind(state: str | None) -> str:
    if state in KIND_BY_STATE:
        return KIND_BY_STATE[state]
    return STATE_LABELS.get(state or "", ("", "info"))[1]


def local_time(value: dt.datetime) -> dt.datetime:
    """An instant (stored in UTC, naive) in the reader's Zona horaria (anonymous: Bogotá)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(reader_zone())


def reader_zone():
    """The reader's Zona horaria (anonymous: Bogotá)."""
    return time_zone(getattr(current_user, "time_zone", None) if current_user else None)


def day_start_utc(day: dt.date) -> dt.datetime:
    """When ``day`` begins for the reader, as the naive UTC instant the database stores."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=reader_zone())
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def datetime_es(value, seconds: bool = False) -> str:
    """ "30/11/2026 22:14" in the reader's zone."""
    if not value:
        return ""
    return local_time(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def date_es(value) -> str:
    """ "30/11/2026": the day an instant falls on in the reader's zone."""
    return local_time(value).strftime("%d/%m/%Y") if value else ""


def filesize(size: int | None) -> str:
    """Bytes in words: "512 bytes", "12,3 KB", "1,5 MB"."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def duration(seconds: float | None) -> str:
    """Seconds in words: "45 s", "12 min", "3,5 h", "2,1 días"."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h".replace(".", ",")
    return f"{seconds / 86400:.1f} días".replace(".", ",")


def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def sanitized(html: str | None) -> Markup:
    """HTML the engine produced (a task's instructions), cleaned again by the allow-list
    before it reaches a page: templates never mark engine output safe unchecked."""
    return Markup(sanitize(html or ""))


def markdown(text: str | None) -> Markup:
    """Markdown a diagram declares (a procedure's startDescription) as allow-listed HTML."""
    return Markup(render_markdown(text or ""))


@functools.cache
def _stylesheet(path: str) -> Markup:
    text = Path(path).read_text(encoding="utf-8")
    if "</" in text:  # it goes inside <style>: nothing in it may close the element
        raise ValueError(f"{path} cannot be inlined: it contains '</'")
    return Markup(text)


def init_app(app) -> None:
    # The site's stylesheet goes inside every page (base.html): on a first visit over a slow
    # connection a linked stylesheet costs one more round trip before anything is painted
    # (bench/b8_pages.py: Fast 3G, 1.4 s -> ...). Read once per process.
    folder = Path(app.static_folder) / "css"
    app.jinja_env.globals["inline_stylesheet"] = functools.cache(lambda name: _stylesheet(str(folder / name)))
    filters = (
        slot_name,
        process_name,
        state_label,
        state_kind,
        datetime_es,
        duration,
        pretty_json,
        sanitized,
        markdown,
    )
    for fn in filters:
        app.add_template_filter(fn)
    for fn in (date_es, department_name, municipality_name, sector_label, filesize):
        app.add_template_filter(fn)

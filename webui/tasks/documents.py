"""File names of the documents a task's data already holds (e.g. "Corregir documentos"
shows what was anexado at registration): people recognise their files by the name they
uploaded, never by the id the form carries."""

from __future__ import annotations

from sqlalchemy import select

from engine.domain.models import Document
from webui.core.extensions import db
from webui.tasks.render import TaskForm


def stored_filenames(form: TaskForm, data: dict) -> dict[str, str]:
    """{field: original file name} for the file fields whose value is a document id."""
    ids = {
        f.name: data[f.name] for f in form.fields if f.widget == "file" and isinstance(data.get(f.name), str)
    }
    if not ids:
        return {}
    query = select(Document.public_id, Document.original_filename)
    query = query.where(Document.public_id.in_(set(ids.values())))
    names = {row.public_id: row.original_filename for row in db.session.execute(query)}
    return {field: names[value] for field, value in ids.items() if value in names}

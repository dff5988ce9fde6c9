"""Downloads of uploaded documents, only to users allowed to see them, always as attachments."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import send_file
from sqlalchemy import select

from engine import uploads
from engine.domain.models import Document
from webui.core import policy
from webui.core.extensions import db


def download_document(public_id: str):
    """Send the file with its original name (Content-Disposition: attachment)."""
    document = db.session.scalar(select(Document).where(Document.public_id == public_id))
    if not policy.may_download(document):
        abort(404)
    try:
        path = uploads.path_of(current_app.extensions["runner"].config.upload_dir, document.stored_name)
    except ValueError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

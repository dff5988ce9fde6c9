"""Downloads of uploaded documents, only to users allowed to see them, always as attachments."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import send_file
from flask_login import current_user
from sqlalchemy import select

from engine import uploads
from webui.extensions import db
from webui.identity import current_actor

bp = Blueprint("documents", __name__)


def may_download(document) -> bool:
    """Mesa de Servicio; members of the document's account; the uploader; and, once the
    account is active, every user with access to an active account (the Directorio, A3)."""
    from engine.domain.models import ACCOUNT_ACTIVE
    from engine.domain.models import Account

    if not current_user.is_authenticated:
        return False
    actor = current_actor()
    if actor.has_platform_role("mesa_servicio") or document.uploaded_by == current_user.id:
        return True
    if document.account_id is None:
        return False
    if document.account_id in actor.account_roles:
        return True
    account = db.session.get(Account, document.account_id)
    if account is None or account.state != ACCOUNT_ACTIVE or document.state != "attached":
        return False
    active = db.session.scalars(
        select(Account.id).where(Account.id.in_(list(actor.account_roles)), Account.state == ACCOUNT_ACTIVE)
    ).first()  # fmt: skip
    return active is not None


@bp.get("/<public_id>")
def download(public_id: str):
    """Send the file with its original name (Content-Disposition: attachment)."""
    from engine.domain.models import Document

    document = db.session.scalar(select(Document).where(Document.public_id == public_id))
    if document is None or not may_download(document):
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

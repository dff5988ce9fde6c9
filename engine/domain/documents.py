"""The records of uploaded documents (the domain's ``DocumentRecords``): staged for a task's
file slot, then attached to an account by the step that registers it."""

from __future__ import annotations

from sqlalchemy import select

from engine.domain.models import Document


class SecopDocuments:
    def stage(self, session, *, instance_id, slot, original_filename, stored_name, content_type, size,
              sha256, uploaded_by) -> str:  # fmt: skip
        document = Document(
            instance_id=instance_id,
            slot=slot,
            original_filename=original_filename,
            stored_name=stored_name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=uploaded_by,
            state="staged",
        )
        session.add(document)
        session.flush()
        return document.public_id

    def problem(self, check_context, value, slot: str) -> str | None:
        """Form check of ``format: document`` fields: the id must be a document staged for this
        instance and this slot (or one already attached to it)."""
        document = check_context.session.scalar(select(Document).where(Document.public_id == str(value)))
        if document is None or document.instance_id != check_context.instance_id or document.slot != slot:
            return "Anexe el documento de nuevo."
        if document.state == "replaced":
            return "Este documento fue reemplazado; anexe el vigente."
        return None

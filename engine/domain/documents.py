"""The records of uploaded documents (the domain's ``DocumentRecords``): staged for a task's
file slot, then attached to an account by the step that registers it."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from engine.db import is_sqlite
from engine.domain.models import Document
from engine.models import ProcessInstance

EXPIRE_BATCH = 500  # rows per worker round: a backlog drains over a few rounds, never one huge DELETE


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

    def names(self, session, public_ids, instance_id: int | None = None) -> dict[str, str]:
        ids = [str(i) for i in public_ids if i]
        if not ids:
            return {}
        query = select(Document.public_id, Document.original_filename).where(Document.public_id.in_(ids))
        if instance_id is not None:
            query = query.where(Document.instance_id == instance_id)
        return dict(session.execute(query).all())

    def problem(self, check_context, value, slot: str) -> str | None:
        """Form check of ``format: document`` fields: the id must be a document staged for this
        instance and this slot (or one already attached to it)."""
        document = check_context.session.scalar(select(Document).where(Document.public_id == str(value)))
        if document is None or document.instance_id != check_context.instance_id or document.slot != slot:
            return "Anexe el documento de nuevo."
        if document.state == "replaced":
            return "Este documento fue reemplazado; anexe el vigente."
        return None

    def staged_counts(self, session, instance_id: int, uploaded_by: int | None) -> tuple[int, int]:
        staged = select(func.count(Document.id)).where(Document.state == "staged")
        for_task = session.scalar(staged.where(Document.instance_id == instance_id))
        for_user = session.scalar(staged.where(Document.uploaded_by == uploaded_by)) if uploaded_by else 0
        return for_task, for_user

    def discard_staged(self, session, instance_id: int) -> list[str]:
        rows = session.execute(
            select(Document.id, Document.stored_name).where(
                Document.instance_id == instance_id, Document.state == "staged"
            )
        ).all()
        if rows:
            session.execute(delete(Document).where(Document.id.in_([row.id for row in rows])))
        return [row.stored_name for row in rows]

    def expire_staged(self, session, older_than) -> list[str]:
        rows = session.execute(
            select(Document.id, Document.stored_name, Document.instance_id)
            .where(Document.state == "staged", Document.uploaded_at < older_than)
            .order_by(Document.id)
            .limit(EXPIRE_BATCH)
        ).all()
        instances = {row.instance_id for row in rows if row.instance_id is not None}
        if instances and not is_sqlite(session.get_bind()):
            # A step holds its instance's row lock from validating a document to attaching it:
            # skip those instances this round rather than delete a file a step is naming.
            instances = set(
                session.scalars(
                    select(ProcessInstance.id)
                    .where(ProcessInstance.id.in_(instances))
                    .with_for_update(skip_locked=True)
                )
            )
        doomed = [row for row in rows if row.instance_id is None or row.instance_id in instances]
        if doomed:
            ids = [row.id for row in doomed]
            session.execute(delete(Document).where(Document.id.in_(ids), Document.state == "staged"))
        return [row.stored_name for row in doomed]

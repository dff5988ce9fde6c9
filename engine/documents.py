"""Staging uploaded documents for a task's file slots ("Anexar")."""

from __future__ import annotations

from engine import forms
from engine import uploads
from engine.actors import Actor
from engine.errors import NotFound
from engine.models import InstanceEvent
from engine.models import ProcessInstance


class Documents:
    """Mixed into Runner."""

    def stage_document(self, actor: Actor, task_id: str, field: str, filename: str, content: bytes) -> dict:
        """Check and keep an upload for a file slot of a task the actor may work ("Anexar").

        The document is only *staged*: the form that names it must still be submitted.
        """
        from engine.domain.models import Document

        with self.transaction() as session:
            row = self._task_row(session, actor, task_id)
            instance = session.get(ProcessInstance, row.instance_id)
            version = self._version(session, instance.version_id)
            schema = version.forms.get(row.form_schema or "", {})
            if forms.properties_of(schema).get(field, {}).get("format") != "document":
                raise NotFound("Este formulario no tiene ese documento.")
            name, content_type = uploads.check_upload(filename, content, self.config.max_upload_bytes)
            stored_name, sha256 = uploads.store(self.config.upload_dir, content)
            document = Document(
                instance_id=instance.id,
                slot=field,
                original_filename=name,
                stored_name=stored_name,
                content_type=content_type,
                size=len(content),
                sha256=sha256,
                uploaded_by=actor.user_id,
                state="staged",
            )
            session.add(document)
            session.add(
                InstanceEvent(instance_id=instance.id, actor=actor.label, user_id=actor.user_id,
                              kind="document_staged", element_id=row.name, task_id=row.id,
                              data={"slot": field, "filename": name, "sha256": sha256, "size": len(content)})
            )  # fmt: skip
            session.flush()
            return {"id": document.public_id, "filename": name, "content_type": content_type,
                    "size": len(content), "sha256": sha256}  # fmt: skip

"""Instances in known states, started through the engine (the procedures are tested elsewhere)."""

from __future__ import annotations

from engine import Actor
from tests.engine.onboarding import user_form


def start_registration(runner, username=None, fill=False):
    """A registro_usuario instance at "Registrar usuario", or (``fill``) past it, waiting for
    the email link."""
    started = runner.start("registro_usuario", Actor.anonymous())
    anonymous = Actor.anonymous(started.anonymous_token)
    if fill:
        runner.complete_task(
            anonymous, started.next_tasks[0].id, user_form(username or f"registro.{started.instance_id}")
        )
    return started.instance_id, anonymous


def base(runner, process_id: str) -> dict:
    """What an editor of the process's bundle names when it saves: the newest version and the
    draft's revision (0: no draft yet)."""
    draft = runner.drafts.get(process_id)
    return {"base_version": runner.versions(process_id)[0][0].id,
            "base_revision": draft.revision if draft is not None else 0}  # fmt: skip


def deploy_draft(client, runner, process_id: str, comment: str = "Cambio revisado en el borrador"):
    """Deploy the process's draft from its page, with a reason, as an analyst does after saving;
    the page it lands on."""
    revision = runner.drafts.get(process_id).revision
    return client.post(
        f"/modelos/{process_id}/borrador/desplegar",
        data={"revision": str(revision), "comentario": comment},
        follow_redirects=True,
    )

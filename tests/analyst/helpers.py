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

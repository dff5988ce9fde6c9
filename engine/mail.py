"""Emails are rows in the outbox, written in the step's transaction; a worker sends them.

Templates come from the domain (``Domain.email_templates``, a Jinja loader): ``<name>.txt``,
first line ``Subject: …``, then a Jinja body (plain text, so no HTML escaping is involved).
"""

from __future__ import annotations

from jinja2 import Environment
from jinja2 import StrictUndefined

from engine.models import OutboxEmail


class Mailer:
    """Renders the domain's email templates and queues the result in the outbox."""

    def __init__(self, loader):
        self._env = Environment(loader=loader, undefined=StrictUndefined, keep_trailing_newline=True)

    def render(self, template: str, context: dict) -> tuple[str, str]:
        text = self._env.get_template(f"{template}.txt").render(**context)
        first, _, body = text.partition("\n")
        if not first.startswith("Subject:"):
            raise ValueError(f"email template {template!r} must start with 'Subject:'")
        return first[len("Subject:") :].strip(), body.lstrip("\n")

    def queue_notice(self, session, notice, instance_id: int | None, now) -> OutboxEmail:
        """Queue ``notice`` (engine.people.Notice) outside a step (the worker's rounds, incidents)."""
        subject, body = self.render(notice.template, notice.context)
        email = OutboxEmail(
            to_addr=notice.to, subject=subject, body=body, template=notice.template,
            instance_id=instance_id, status="pending", next_attempt_at=now, created_at=now,
        )  # fmt: skip
        session.add(email)
        return email

    def queue(self, ctx, to: str, template: str, context: dict) -> OutboxEmail:
        subject, body = self.render(template, context)
        email = OutboxEmail(
            to_addr=to,
            subject=subject,
            body=body,
            template=template,
            instance_id=ctx.instance_id,
            status="pending",
            next_attempt_at=ctx.now,
            created_at=ctx.now,
        )
        ctx.session.add(email)
        ctx.record("email_queued", to=to, template=template)
        return email

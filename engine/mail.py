"""Emails are rows in the outbox, written in the step's transaction; a worker sends them.

Templates live in engine/domain/templates/email/<name>.txt: first line ``Subject: …``,
then a Jinja body (plain text, so no HTML escaping is involved).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from jinja2 import FileSystemLoader
from jinja2 import StrictUndefined

from engine.models import OutboxEmail

TEMPLATES = Path(__file__).resolve().parent / "domain" / "templates" / "email"
_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, keep_trailing_newline=True
)


def render_email(template: str, context: dict) -> tuple[str, str]:
    text = _env.get_template(f"{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email template {template!r} must start with 'Subject:'")
    return first[len("Subject:") :].strip(), body.lstrip("\n")


def queue_email(ctx, to: str, template: str, context: dict) -> OutboxEmail:
    subject, body = render_email(template, context)
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

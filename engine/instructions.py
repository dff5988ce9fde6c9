"""``instructionsForEndUser``: a Jinja template from the diagram, rendered over task data in a
sandbox with autoescaping, so neither the diagram nor user data can inject markup or code."""

from __future__ import annotations

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

_env = ImmutableSandboxedEnvironment(autoescape=True)


def render_instructions(template: str | None, data: dict) -> str:
    if not template:
        return ""
    try:
        html = _env.from_string(template).render(**{k: v for k, v in data.items() if isinstance(k, str)})
    except TemplateError:
        return str(Markup("<p>{}</p>").format("Las instrucciones de esta tarea no están disponibles."))
    paragraphs = [p.strip() for p in html.split("\n\n") if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paragraphs)

"""``instructionsForEndUser``: Markdown written by an analyst, with Jinja placeholders over the
task data, turned into a small set of safe HTML tags. Never raw HTML.

Three layers, each on its own:
- the placeholders are rendered by Jinja's immutable sandbox, and every value they print is
  escaped *as Markdown* (a registrant's entity name must never become a link or a heading
  on the Mesa de Servicio's page);
- the result is Markdown (markdown-it-py, CommonMark, raw HTML disabled): a ``<meta>`` or
  ``<script>`` written in a diagram is shown as text, never interpreted;
- the HTML is cleaned by nh3 (the Ammonia sanitiser) to an allow-list of tags, attributes
  and URL schemes, so even a parser bug cannot hand the browser anything else.
"""

from __future__ import annotations

import re

import nh3
from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt

UNAVAILABLE = "<p>Las instrucciones de esta tarea no están disponibles.</p>"
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"https", "http", "mailto", "tel"}
# CommonMark: any ASCII punctuation may be backslash-escaped to stand for itself.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _literal(value) -> str:
    """A placeholder's value as Markdown that reads exactly as the value: no markup, no
    blocks (a line break inside a value would start a new paragraph, list or heading)."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


_env = ImmutableSandboxedEnvironment(autoescape=False, finalize=_literal)
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def sanitize(html: str) -> str:
    """HTML reduced to the allow-list (also what the web layer applies before drawing it)."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(markdown: str) -> str:
    """Markdown text (no placeholders) as safe HTML."""
    return sanitize(_markdown.render(markdown or "")).strip()


def render_instructions(template: str | None, data: dict) -> str:
    """The task's instructions as safe HTML: placeholders filled from ``data``."""
    if not template:
        return ""
    try:
        markdown = _env.from_string(template).render(**{k: v for k, v in data.items() if isinstance(k, str)})
    except TemplateError:
        return UNAVAILABLE
    return render_markdown(markdown)

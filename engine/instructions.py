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

Nor can instructions stall the server: a template may use only a small set of constructs
(``template_problem``, checked at deploy: no calls, no nested loops, no ``*`` or ``%``, a
few filters), and it is rendered piece by piece up to ``Limits.instructions_chars``.
"""

from __future__ import annotations

import functools
import re

import nh3
from jinja2 import TemplateError
from jinja2 import TemplateSyntaxError
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt

from engine.budget import LimitExceeded
from engine.budget import Limits
from engine.budget import budget

UNAVAILABLE = "<p>Las instrucciones de esta tarea no están disponibles.</p>"
TOO_LONG = "<p>Las instrucciones de esta tarea son demasiado largas para mostrarlas.</p>"
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
# Messages a page shows as plain text (a procedure's doneMessage / endMessage): the page
# escapes them, so values are printed as they are.
_text_env = ImmutableSandboxedEnvironment(autoescape=False, finalize=lambda v: "" if v is None else v)
MESSAGE_CHARS = 2000
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


@functools.lru_cache(maxsize=512)
def _template(source: str):
    return _env.from_string(source)


def fill(template: str, data: dict, limit: int = Limits.instructions_chars) -> str:
    """The template with its placeholders filled from ``data`` (Markdown, not yet HTML),
    generated piece by piece: LimitExceeded past ``limit`` characters or the step's time."""
    running = budget()
    parts, size = [], 0
    for part in _template(template).generate(**{k: v for k, v in data.items() if isinstance(k, str)}):
        size += len(part)
        if size > limit:
            raise LimitExceeded(f"Las instrucciones superan el máximo de {limit} caracteres.")
        running.check_time()
        parts.append(part)
    return "".join(parts)


def render_instructions(template: str | None, data: dict, limit: int = Limits.instructions_chars) -> str:
    """The task's instructions as safe HTML: placeholders filled from ``data``."""
    if not template:
        return ""
    try:
        markdown = fill(template, data, limit)
    except TemplateError:
        return UNAVAILABLE
    except LimitExceeded:
        return TOO_LONG
    return render_markdown(markdown)


def render_message(template: str | None, data: dict) -> str | None:
    """A message template (plain text) filled from ``data``: None when there is none or it
    cannot be rendered (a variable missing on this path), the page then says something general."""
    if not template:
        return None
    try:
        text = _text_env.from_string(template).render(**{k: v for k, v in data.items() if isinstance(k, str)})
    except TemplateError:
        return None
    text = " ".join(text.split())
    return text[:MESSAGE_CHARS] or None


# What an instructions template may contain (``template_problem``, at deploy).
ALLOWED_FILTERS = set(
    "abs capitalize count d default e escape first float int join last length lower round string title "
    "trim upper".split()
)
_ALLOWED_NODES = (
    nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr, nodes.Getitem,
    nodes.Slice, nodes.If, nodes.CondExpr, nodes.Test, nodes.Compare, nodes.Operand, nodes.And,
    nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Concat, nodes.Add, nodes.Sub, nodes.Div,
    nodes.FloorDiv, nodes.Filter, nodes.For, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair,
    nodes.Keyword,
)  # fmt: skip


def template_problem(template: str) -> str | None:
    """Why an instructions template may not be deployed (Spanish), or None. Refused: what
    can make rendering long or huge — function calls (``range``), nested loops, recursion,
    macros, ``*``, ``**`` and ``%``, filters outside ``ALLOWED_FILTERS``."""
    try:
        tree = _env.parse(template)
    except TemplateSyntaxError as exc:
        return f"error de plantilla: {exc.message}"
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            return f"construcción no permitida: {type(node).__name__}"
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            return f"filtro no permitido: {node.name}"
        if isinstance(node, nodes.For) and (node.recursive or next(node.find_all(nodes.For), None)):
            return "ciclos anidados o recursivos"
    return None

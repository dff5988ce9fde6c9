"""Issue 13.16: what people read speaks to them, not about the guide: no "(Guía §5.2)", no
"actualizado.. Anexe", no "haga una “Nuevo registro”" — in forms, instructions and pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
READ_BY_PEOPLE = ("title", "description", "ui:help", "ui:title", "ui:placeholder", "submitText", "label",
                  "text")  # fmt: skip
MISTAKES = [
    (re.compile(r"Gu[ií]a\s*§|§\s*\d"), "a reference to the guide"),
    (re.compile(r"\w\.\.(\s|$)"), "a doubled period"),
    (re.compile(r"haga una “"), "«haga una “…”»"),
]


def _form_texts():
    for path in sorted((ROOT / "forms").glob("*.json")):
        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if isinstance(value, str) and (key in READ_BY_PEOPLE or key == "errorMessage"):
                        yield value
                    elif key == "errorMessage" and isinstance(value, dict):
                        yield from (v for v in value.values() if isinstance(v, str))
                    else:
                        yield from walk(value)
            elif isinstance(node, list):
                for item in node:
                    yield from walk(item)

        for text in walk(json.loads(path.read_text(encoding="utf-8"))):
            yield path.name, text


def _instruction_texts():
    for path in sorted((ROOT / "workflows").glob("*.bpmn")):
        for element in etree.parse(str(path)).iter("{*}instructionsForEndUser"):
            yield path.name, element.text or ""


def _page_texts():
    for path in sorted((ROOT / "webui").rglob("templates/**/*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)  # comments
        yield str(path.relative_to(ROOT)), re.sub(r"<[^>]+>", " ", text)


def test_no_guide_references_or_typos_in_what_people_read():
    found = [
        f"{where}: {what}: …{text[max(0, m.start() - 30) : m.end() + 30]}…"
        for source in (_form_texts(), _instruction_texts(), _page_texts())
        for where, text in source
        for pattern, what in MISTAKES
        for m in [pattern.search(text)]
        if m
    ]
    assert not found, "\n".join(found)

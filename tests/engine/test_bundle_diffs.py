"""The deploy page's decision table diff shows what changed, not how dmn-js re-wrote the file
(its own spacing and attribute order on every save)."""

from __future__ import annotations

import re
from pathlib import Path

from engine.bundles import FORMAT_ONLY
from engine.bundles import bundle_changes

TABLE = (Path(__file__).resolve().parents[2] / "workflows" / "documentos_requeridos.dmn").read_text()
OLD_ROW = "§5.2 Acta de posesión del Ordenador del Gasto"


def rewritten(text: str) -> str:
    """As an editor writes it back: other indentation, the first element's attributes reversed."""
    head, rest = text.split("<definitions ", 1)
    attributes, body = rest.split(">", 1)
    reordered = " ".join(reversed(re.findall(r'\S+="[^"]*"', attributes)))
    return head + "<definitions " + reordered + ">" + body.replace("\n    ", "\n  ")


def test_a_one_cell_edit_of_a_rewritten_table_shows_one_line_changed():
    assert TABLE.count(OLD_ROW) == 1 and rewritten(TABLE) != TABLE
    edited = rewritten(TABLE).replace(OLD_ROW, "§5.2 Acta de posesión vigente del Ordenador del Gasto")
    diff = bundle_changes({"t.dmn": TABLE}, {"t.dmn": edited}).file_diffs["t.dmn"]
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "-        <description>§5.2 Acta de posesión del Ordenador del Gasto</description>",
        "+        <description>§5.2 Acta de posesión vigente del Ordenador del Gasto</description>",
    ]


def test_a_table_only_rewritten_says_so():
    changes = bundle_changes({"t.dmn": TABLE}, {"t.dmn": rewritten(TABLE)})
    assert changes.file_diffs == {"t.dmn": FORMAT_ONLY}
    assert changes.summary() == ["archivo modificado: t.dmn"]


def test_other_files_are_compared_as_they_are():
    changes = bundle_changes({"lanes.json": '{"a": 1}\n'}, {"lanes.json": '{"a":  1}\n'})
    assert '+{"a":  1}' in changes.file_diffs["lanes.json"]

"""Issue 17: hostile input against pages and the API, on SQLite and PostgreSQL. Each test
replays one attack that worked before its fix (points 2, 11, 13 and 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


@pytest.fixture
def hostile_diagrams(tmp_path):
    """The project's diagrams, with raw HTML and Markdown in the registration's instructions."""
    workflows = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", workflows)
    path = workflows / "registro_usuario.bpmn"
    text = path.read_text(encoding="utf-8")
    marker = "<spiffworkflow:instructionsForEndUser>Diligencie sus datos"
    assert marker in text
    hostile = (
        REFRESH.replace("<", "&lt;").replace(">", "&gt;")
        + " **Importante:** [guía](https://www.colombiacompra.gov.co/) [x](javascript:alert(1)) "
    )
    path.write_text(text.replace(marker, marker.replace("Diligencie", hostile + "Diligencie")), "utf-8")
    return workflows


def test_instructions_are_markdown_never_raw_html(make_app, hostile_diagrams):
    """A <meta http-equiv="refresh"> in a diagram's instructions sent the browser off-site."""
    app = make_app(WORKFLOWS_DIR=str(hostile_diagrams))
    app.extensions["runner"].deploy()
    client = app.test_client()
    task_url = client.post("/registro").headers["Location"]
    html = client.get(task_url).get_data(as_text=True)
    instructions = html.split('<div class="instructions">', 1)[1].split("</div>", 1)[0]
    assert "<meta http-equiv" not in html
    assert "&lt;meta http-equiv=" in instructions  # shown as text, never interpreted
    assert "<strong>Importante:</strong>" in instructions
    assert 'href="https://www.colombiacompra.gov.co/"' in instructions
    assert "javascript:" not in instructions.replace("(javascript:alert(1))", "")
    assert "Diligencie sus datos personales" in instructions

"""Every diagram in workflows/ opens in the vendored bpmn-js viewer without warnings.

Spiff parses what bpmn.io would reject (missing DI, dangling references); analysts edit these
files in bpmn.io-based modelers, so they must import there cleanly and draw something.
The harness page is served from memory through Playwright routing: no port, no network.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STATIC = ROOT / "webui" / "static"
HARNESS = HERE / "bpmn_harness.html"
WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn"))
ORIGIN = "http://harness.test"


class Harness:
    def __init__(self, page):
        self.page = page
        self.diagrams: dict[str, Path] = {}
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.route(f"{ORIGIN}/**", self._serve)
        page.goto(f"{ORIGIN}/")
        assert page.evaluate("window.harnessReady"), "bpmn-viewer.production.min.js did not load"

    def _serve(self, route):
        path = route.request.url[len(ORIGIN) :].split("?", 1)[0]
        if path == "/":
            file = HARNESS
        elif path.startswith("/static/"):
            file = (STATIC / path[len("/static/") :]).resolve()
            if not file.is_relative_to(STATIC):
                file = None
        elif path.startswith("/diagrams/"):
            file = self.diagrams.get(path[len("/diagrams/") :])
        else:
            file = None
        if file is None or not file.is_file():
            route.fulfill(status=404, body="not found")
            return
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix == ".bpmn":
            content_type = "application/xml"
        route.fulfill(status=200, body=file.read_bytes(), content_type=content_type)

    def import_diagram(self, path: Path) -> dict:
        self.diagrams[path.name] = path
        return self.page.evaluate("url => window.importDiagram(url)", f"/diagrams/{path.name}")


@pytest.fixture
def harness(page):
    return Harness(page)


def test_workflows_dir_has_diagrams():
    assert WORKFLOWS, "workflows/ holds no .bpmn file"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_imports_without_warnings(harness, path, artifacts_dir):
    result = harness.import_diagram(path)
    harness.page.screenshot(path=str(artifacts_dir / f"bpmn-{path.stem}.png"))

    assert result["error"] is None
    assert result["warnings"] == []
    assert result["shapes"] > 0
    assert result["drawnShapes"] > 0
    assert harness.page_errors == []
    assert harness.console_errors == []


def test_harness_draws_a_minimal_diagram(harness):
    result = harness.import_diagram(HERE / "data" / "minimal.bpmn")

    assert result == {"error": None, "warnings": [], "shapes": 3, "connections": 2, "drawnShapes": 3}
    assert harness.page_errors == []


def test_harness_reports_a_broken_diagram(harness):
    result = harness.import_diagram(HERE / "data" / "broken_di.bpmn")

    assert result["error"] is None
    assert any("no_such_element" in warning for warning in result["warnings"])

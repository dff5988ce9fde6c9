"""The test fixtures themselves: both databases, the runner factory, the live server, chromium."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select

from engine.db import Base
from engine.db import make_engine

ROOT = Path(__file__).resolve().parent.parent

MINIMAL_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  id="Definitions_fixture" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="fixture_process" name="Proceso de prueba" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>flow</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>flow</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow" sourceRef="start" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="fixture_process">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="200" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_di" bpmnElement="flow">
        <di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def load_models():
    import engine.models  # noqa: F401

    if importlib.util.find_spec("engine.domain.models") is not None:
        import engine.domain.models  # noqa: F401
    return Base.metadata


def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = load_models().sorted_tables
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables}
    finally:
        engine.dispose()


def test_database_has_every_table(database_url):
    engine = make_engine(database_url)
    try:
        present = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert set(load_models().tables) <= present


@pytest.mark.parametrize("attempt", [1, 2])
def test_database_starts_empty(database_url, attempt):
    # Run twice: the second run sees whatever the first left behind on PostgreSQL.
    from engine.models import ProcessVersion

    assert set(_row_counts(database_url).values()) <= {0}
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                ProcessVersion.__table__.insert().values(
                    process_id="p",
                    number=1,
                    name="p",
                    content_hash=str(attempt),
                    spec={},
                    files={},
                    source_file="p.bpmn",
                )
            )
            new_id = conn.scalar(select(func.max(ProcessVersion.id)))
    finally:
        engine.dispose()

    assert new_id == 1  # identities restart with every test


def test_make_runner_deploys_the_given_diagram_set(make_runner, database_url, tmp_path):
    workflows = tmp_path / "workflows"
    forms = tmp_path / "forms"
    workflows.mkdir()
    forms.mkdir()
    (workflows / "fixture_process.bpmn").write_text(MINIMAL_PROCESS, encoding="utf-8")
    (workflows / "lanes.json").write_text("{}", encoding="utf-8")

    runner = make_runner(workflows_dir=workflows, forms_dir=forms)

    assert _row_counts(database_url)["process_version"] == 1
    assert runner.config.upload_dir == tmp_path / "uploads"
    assert runner.config.workflows_dir == workflows


def test_engine_imports_without_flask():
    code = (
        "import sys, pkgutil, importlib, engine\n"
        "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
        "    if m.name != 'engine.__main__': importlib.import_module(m.name)\n"
        "leaked = [m for m in sys.modules if m == 'flask' or m.startswith('flask.')]\n"
        "assert not leaked, f'engine imported {leaked}'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_live_server_serves_an_app_to_chromium(live_server, page):
    from flask import Flask

    app = Flask(__name__)

    @app.get("/")
    def index():
        return "<!doctype html><html lang='es'><title>vivo</title><h1>Servidor vivo</h1></html>"

    base_url = live_server(app=app)
    page.goto(base_url + "/")

    assert page.locator("h1").inner_text() == "Servidor vivo"


def test_smtp_server_receives_mail(smtp_server):
    import smtplib

    with smtplib.SMTP(smtp_server.hostname, smtp_server.port, timeout=10) as client:
        client.sendmail("a@secop.example", ["b@secop.example"], "Subject: Hola\r\n\r\nCuerpo")

    assert [m["Subject"] for m in smtp_server.messages] == ["Hola"]

"""Analysts' and operators' engine API: versions, migration (dry run and real), instance
lists, element states, heatmap, retry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import Actor
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import StepFailed

DEMO = Path(__file__).resolve().parent.parent / "data" / "engine_demo"
MESA = Actor(user_id=900, platform_roles=frozenset({"mesa_servicio"}))
OPERATOR = Actor(user_id=950, platform_roles=frozenset({"operador"}))
DEFAULTS = {"review_ttl": "PT1H", "nombre": "Ana"}
ANOTAR = """<bpmn:userTask id="anotar" name="Anotar">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f2b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:businessRuleTask id="clasificar\""""


def add_user_task(directory: Path) -> None:
    """Version 2 of the demo: a user task "Anotar" between "Pedir" and "Clasificar"."""
    bpmn = directory / "demo.bpmn"
    text = bpmn.read_text()
    replacements = [
        ('<bpmn:businessRuleTask id="clasificar"', ANOTAR),
        ("<bpmn:incoming>f2</bpmn:incoming>\n      <bpmn:outgoing>f3",
         "<bpmn:incoming>f2b</bpmn:incoming>\n      <bpmn:outgoing>f3"),
        ('<bpmn:sequenceFlow id="f2" sourceRef="pedir" targetRef="clasificar" />',
         '<bpmn:sequenceFlow id="f2" sourceRef="pedir" targetRef="anotar" />\n'
         '    <bpmn:sequenceFlow id="f2b" sourceRef="anotar" targetRef="clasificar" />'),
        ("<bpmn:flowNodeRef>pedir</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>pedir</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>anotar</bpmn:flowNodeRef>"),
        ('<bpmndi:BPMNEdge id="f2_di"',
         '<bpmndi:BPMNShape id="anotar_di" bpmnElement="anotar">'
         '<dc:Bounds x="250" y="60" width="80" height="40" /></bpmndi:BPMNShape>\n'
         '      <bpmndi:BPMNEdge id="f2b_di" bpmnElement="f2b"><di:waypoint x="330" y="80" />'
         '<di:waypoint x="400" y="150" /></bpmndi:BPMNEdge>\n      <bpmndi:BPMNEdge id="f2_di"'),
    ]  # fmt: skip
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    bpmn.write_text(text)


@pytest.fixture
def demo(make_runner):
    return make_runner(DEMO, DEMO / "forms", process_defaults=DEFAULTS)


def _start_and_fill(runner, code, monto=5000):
    started = runner.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    if code:
        runner.complete_task(
            user, started.next_tasks[0].id, {"monto": monto, "codigo": code, "correo": "a@b.co"}
        )
    return started, user


def test_migration_dry_run_then_real(demo, tmp_path):
    at_first_task, user_a = _start_and_fill(demo, None)
    past_first_task, _ = _start_and_fill(demo, "MIG001")

    copy = tmp_path / "v2"
    shutil.copytree(DEMO, copy)
    add_user_task(copy)
    diagrams = demo.deployed_diagrams().with_files(workflows={"demo.bpmn": (copy / "demo.bpmn").read_bytes()})
    created = demo.deploy(diagrams, deployed_by=7)
    assert [(v.process_id, v.number, v.deployed_by) for v in created] == [("demo_solicitud", 2, 7)]
    assert [(v.number, count) for v, count in demo.versions("demo_solicitud")] == [(2, 0), (1, 2)]

    checks = demo.check_migration([at_first_task.instance_id, past_first_task.instance_id])
    assert [(c.can_move, c.reason) for c in checks] == [
        (True, "Puede migrarse."),
        (False, "Ya pasó por elementos que cambiaron en la nueva versión: Clasificar riesgo, Pedir."),
    ]

    with pytest.raises(FormInvalid):
        demo.migrate(OPERATOR, [at_first_task.instance_id], " ")
    results = demo.migrate(OPERATOR, [at_first_task.instance_id, past_first_task.instance_id], "Nuevo paso")
    assert [r.can_move for r in results] == [True, False]
    assert [(v.number, count) for v, count in demo.versions("demo_solicitud")] == [(2, 1), (1, 1)]

    # The migrated instance keeps its ready task and now goes through the new one.
    task = demo.inbox(user_a)[0]
    assert task.id == at_first_task.next_tasks[0].id
    result = demo.complete_task(user_a, task.id, {"monto": 10, "codigo": "NEW001", "correo": "a@b.co"})
    assert [t.title for t in result.next_tasks] == ["Anotar"]
    events = demo.instance(at_first_task.instance_id).events
    assert any(e["kind"] == "migrated" and e["data"]["reason"] == "Nuevo paso" for e in events)

    # New instances start on version 2; the old one finishes on version 1 without "Anotar".
    new, new_user = _start_and_fill(demo, None)
    result = demo.complete_task(
        new_user, new.next_tasks[0].id, {"monto": 10, "codigo": "NEW002", "correo": "a@b.co"}
    )
    assert [t.title for t in result.next_tasks] == ["Anotar"]
    demo.complete_task(MESA, demo.inbox(MESA)[0].id, {"aprobado": True})
    demo.deliver_message("demo_confirmacion", "MIG001")
    assert demo.instance(past_first_task.instance_id).status == "completed"


def test_instance_list_filters_and_pages(demo):
    for code, monto in (("LST001", 5000), ("LST002", 10), ("LST003", 5000)):
        _start_and_fill(demo, code, monto)
    _start_and_fill(demo, None)
    page = demo.list_instances(process_id="demo_solicitud", per_page=2)
    assert (page.total, len(page.rows)) == (4, 2)
    assert [r.id for r in page.rows] == [4, 3]
    assert [r.id for r in demo.list_instances(sort="id", page=2, per_page=3).rows] == [4]
    assert [r.id for r in demo.list_instances(waiting_role="mesa_servicio", sort="id").rows] == [1, 3]
    assert demo.list_instances(status="completed").total == 0


def test_element_states_and_heatmap(demo):
    started, _ = _start_and_fill(demo, "HEA001")
    states = demo.element_states(started.instance_id)
    assert states["pedir"] == "completed"
    assert states["clasificar"] == "completed"
    assert states["revisar"] == "active"
    assert "fin" not in states
    heat = demo.heatmap("demo_solicitud")
    assert heat["pedir"][0] == 1 and heat["inicio"][0] == 1
    assert "revisar" not in heat  # nobody finished it yet
    demo.complete_task(MESA, demo.inbox(MESA)[0].id, {"aprobado": True})
    heat = demo.heatmap("demo_solicitud")
    assert heat["revisar"][0] == 1 and heat["revisar"][1] >= 0


def test_heatmap_counts_instances_and_medians_the_same_before_and_after_the_rollup(demo):
    """An odd number of visits: the middle one; an even number: the mean of the two middle
    ones; an instance that passed twice counts once; the period is whole days. The figures
    are the same read live (visits past the mark) and from the daily rollup the worker
    folds them into; a visit younger than a minute waits for the next fold."""
    import datetime as dt

    from engine.models import ElementVisit

    day = dt.datetime(2026, 1, 10)
    visits = [("a", 1, 10.0), ("a", 1, 1.0), ("a", 2, 3.0),
              ("b", 1, 100.0), ("b", 2, 2.0), ("b", 3, 1.0), ("b", 4, 3.0)]  # fmt: skip
    with demo.transaction() as session:
        for number, (element, instance, seconds) in enumerate(visits):
            when = day + dt.timedelta(days=number, hours=5)
            session.add(ElementVisit(instance_id=instance, process_id="p", version_id=1, element_id=element,
                                     completed_at=when, seconds=seconds))  # fmt: skip

    def check():
        assert demo.heatmap("p") == {"a": (2, 3.0), "b": (4, 2.5)}
        assert demo.heatmap("p", since=day + dt.timedelta(days=3)) == {"b": (4, 2.5)}
        # a time inside a day counts that whole day: the period is made of days
        assert demo.heatmap("p", since=day + dt.timedelta(days=3, hours=23)) == {"b": (4, 2.5)}
        assert demo.heatmap("p", until=day + dt.timedelta(days=2)) == {"a": (1, 5.5)}
        assert demo.heatmap("p", until=day + dt.timedelta(days=1, hours=1)) == {"a": (1, 5.5)}
        assert demo.heatmap("p", since=day + dt.timedelta(days=1), until=day + dt.timedelta(days=2)) == {
            "a": (0, 1.0)  # instance 1 passed again that day; it counts on the day it first passed
        }
        assert demo.heatmap("otro") == {}

    check()
    # the last visit is 30 s old: too new to fold
    assert demo.fold_heatmap(now=day + dt.timedelta(days=6, hours=5, seconds=30)) == 6
    check()
    assert demo.fold_heatmap(now=day + dt.timedelta(days=30)) == 1
    assert demo.fold_heatmap(now=day + dt.timedelta(days=30)) == 0
    check()
    with demo.transaction() as session:  # one more pass of "a" after the fold: read live
        session.add(ElementVisit(instance_id=3, process_id="p", version_id=1, element_id="a",
                                 completed_at=day + dt.timedelta(days=9), seconds=4.0))  # fmt: skip
    assert demo.heatmap("p")["a"] == (3, 3.5)


def test_the_worker_folds_settled_visits_into_the_rollup(demo):
    """A worker round folds the visits a minute old or more (the heatmap then reads them
    from the rollup) and leaves a newer one to be read live."""
    import datetime as dt

    from sqlalchemy import func
    from sqlalchemy import select

    from engine.models import ElementVisit
    from engine.models import ElementVisitDay
    from engine.worker import Worker

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with demo.transaction() as session:
        for instance, age in ((1, dt.timedelta(days=1)), (2, dt.timedelta(seconds=5))):
            session.add(ElementVisit(instance_id=instance, process_id="p", version_id=1, element_id="a",
                                     completed_at=now - age, seconds=2.0))  # fmt: skip
    Worker(demo).run_once()
    with demo.transaction() as session:
        assert session.scalar(select(func.sum(ElementVisitDay.visits))) == 1
    assert demo.heatmap("p") == {"a": (2, 2.0)}


def test_the_worker_folds_a_long_backlog_one_batch_per_round(demo, monkeypatch):
    """A backlog of visits is folded one batch per worker round, so a round never waits for
    the whole fold before firing its timers (a fold of 3,000 fresh visits once held every
    timer back for 5-8 s); the next round goes on at once while a batch comes back full."""
    import datetime as dt

    from sqlalchemy import func
    from sqlalchemy import select

    from engine import heat
    from engine.models import ElementVisit
    from engine.models import ElementVisitDay
    from engine.worker import Worker

    monkeypatch.setattr(heat, "BATCH", 2)
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=1)
    with demo.transaction() as session:
        for instance in range(1, 6):
            session.add(ElementVisit(instance_id=instance, process_id="p", version_id=1, element_id="a",
                                     completed_at=old, seconds=2.0))  # fmt: skip
    fired_rounds = []
    monkeypatch.setattr(demo, "fire_due_timers", lambda: fired_rounds.append(1) or 0)
    worker = Worker(demo)

    def folded() -> int:
        with demo.transaction() as session:
            return session.scalar(select(func.coalesce(func.sum(ElementVisitDay.visits), 0)))

    for expected in (2, 4, 5, 5):
        worker.run_once()
        assert folded() == expected
    assert len(fired_rounds) == 4  # timers were looked at in every round
    assert demo.heatmap("p") == {"a": (5, 2.0)}


def test_first_passes_are_counted_per_instance_and_element(demo):
    """"Instances" counts each instance once per element, whether its earlier pass is folded
    already, in the same fold, or read live (no earlier visit of that instance and element)."""
    import datetime as dt

    from engine.models import ElementVisit

    day = dt.datetime(2026, 3, 2, 9)
    passes = [(1, "a"), (1, "a"), (2, "a"), (1, "b"), (2, "a"), (3, "b")]

    def add(visits, minute):
        with demo.transaction() as session:
            for number, (instance, element) in enumerate(visits):
                when = day + dt.timedelta(minutes=minute + number)
                session.add(ElementVisit(instance_id=instance, process_id="p", version_id=1,
                                         element_id=element, completed_at=when, seconds=1.0))  # fmt: skip

    add(passes[:3], 0)
    assert demo.fold_heatmap(now=day + dt.timedelta(days=1)) == 3
    add(passes[3:], 10)
    assert demo.heatmap("p") == {"a": (2, 1.0), "b": (2, 1.0)}  # read live past the mark
    demo.fold_heatmap(now=day + dt.timedelta(days=1))
    assert demo.heatmap("p") == {"a": (2, 1.0), "b": (2, 1.0)}


def test_heatmap_median_from_the_rollup_is_within_its_bucket(demo):
    """Many different durations in one bucket: the median is the bucket's mean, off by less
    than the bucket's width (19%); the page and the docs say so."""
    import datetime as dt

    from engine.models import ElementVisit

    seconds = [60.0 + i for i in range(11)] + [5.0, 5000.0]
    with demo.transaction() as session:
        for number, spent in enumerate(seconds):
            session.add(ElementVisit(instance_id=number + 1, process_id="p", version_id=1, element_id="a",
                                     completed_at=dt.datetime(2026, 1, 1), seconds=spent))  # fmt: skip
    count, median = demo.heatmap("p")["a"]
    exact = sorted(seconds)[len(seconds) // 2]
    assert count == 13 and median != exact and abs(median - exact) / exact < 0.19
    demo.fold_heatmap()
    assert demo.heatmap("p")["a"] == (count, median)


def test_version_counts_stop_past_the_cap(demo):
    """A version's instance count is exact up to COUNT_CAP and COUNT_CAP + 1 past it (the
    pages say "más de 10.000"); every version of the process is counted, in one statement."""
    from sqlalchemy import insert
    from sqlalchemy import select

    from engine.models import ProcessInstance
    from engine.models import ProcessVersion
    from engine.operations import COUNT_CAP

    _start_and_fill(demo, "CAP001")
    with demo.transaction() as session:
        first = session.scalars(select(ProcessInstance)).one()
        row = {c.key: getattr(first, c.key) for c in ProcessInstance.__mapper__.column_attrs if c.key != "id"}
        session.execute(insert(ProcessInstance), [{**row, "state": "{}"} for _ in range(COUNT_CAP)])
        current = session.get(ProcessVersion, first.version_id)
        columns = ProcessVersion.__mapper__.column_attrs
        older = {c.key: getattr(current, c.key) for c in columns if c.key != "id"}
        session.add(ProcessVersion(**{**older, "number": current.number - 1, "content_hash": "0" * 64}))
        session.flush()
        session.execute(insert(ProcessInstance), [{**row, "version_id": session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.number == current.number - 1,
                                            ProcessVersion.process_id == current.process_id)
        )}])  # fmt: skip
    counts = [(v.number, n) for v, n in demo.versions("demo_solicitud")]
    assert counts == [(current.number, COUNT_CAP + 1), (current.number - 1, 1)]
    assert [n for _v, n in demo.versions("demo_sin_instancias")] == []


def test_retry_after_a_failure(make_runner):
    broken = make_runner(DEMO, DEMO / "forms", process_defaults={**DEFAULTS, "review_ttl": "roto"})
    started = broken.start("demo_solicitud", Actor.anonymous())
    user = Actor.anonymous(started.anonymous_token)
    with pytest.raises(StepFailed):
        broken.complete_task(
            user, started.next_tasks[0].id, {"monto": 5000, "codigo": "RTY001", "correo": "a@b.co"}
        )
    assert broken.list_instances(status="error").total == 1
    assert broken.element_states(started.instance_id) == {"inicio": "completed", "pedir": "failed"}
    # The failed completion was rolled back: retrying only clears the error, the form waits.
    broken.retry(OPERATOR, started.instance_id, "Reintento")
    assert broken.list_instances(status="error").total == 0
    assert [t.id for t in broken.inbox(user)] == [started.next_tasks[0].id]
    assert broken.instance(started.instance_id).events[-1]["kind"] == "retried"
    running, _ = _start_and_fill(broken, None)
    with pytest.raises(Conflict):
        broken.retry(OPERATOR, running.instance_id, "No tiene error")


def test_instance_count_is_capped_past_ten_thousand(demo, monkeypatch):
    import engine.operations

    monkeypatch.setattr(engine.operations, "COUNT_CAP", 2)
    for code in ("CAP001", "CAP002", "CAP003"):
        _start_and_fill(demo, code)
    page = demo.list_instances(per_page=2)
    assert (page.total, page.total_capped, len(page.rows)) == (3, True, 2)
    exact = demo.list_instances(status="running", process_id="demo_solicitud", per_page=2, page=2)
    assert exact.rows and exact.total_capped


def test_inbox_merges_every_queue_oldest_first(demo):
    first, user = _start_and_fill(demo, None)
    _start_and_fill(demo, "QUE001")  # a Mesa de Servicio task, newer than the user's own
    both = Actor(
        user_id=None, platform_roles=frozenset({"mesa_servicio"}), anonymous_tokens=user.anonymous_tokens
    )
    titles = [t.title for t in demo.inbox(both)]
    assert titles == ["Pedir", "Revisar"]
    assert [t.title for t in demo.inbox(both, limit=1)] == ["Pedir"]


def test_re_uploading_an_earlier_version_rolls_back(demo, tmp_path):
    """Issue 17 point 10: after a bad version 2, re-uploading version 1's files makes version 3
    with version 1's content, live for new instances; uploading it again changes nothing."""
    version_1 = demo.deployed_diagrams()
    copy = tmp_path / "v2"
    shutil.copytree(DEMO, copy)
    add_user_task(copy)
    [bad] = demo.deploy(version_1.with_files(workflows={"demo.bpmn": (copy / "demo.bpmn").read_bytes()}))
    assert bad.number == 2

    [rolled_back] = demo.deploy(version_1)
    assert rolled_back.number == 3
    versions = {v.number: v for v, _count in demo.versions("demo_solicitud")}
    assert versions[3].content_hash == versions[1].content_hash != versions[2].content_hash
    assert demo.deploy(version_1) == []  # the same as the newest: nothing new

    started, user = _start_and_fill(demo, "ROL001")  # on version 3: no "Anotar" after "Pedir"
    assert demo.instance(started.instance_id).version_id == rolled_back.id
    assert demo.inbox(user) == []

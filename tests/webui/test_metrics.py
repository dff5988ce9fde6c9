"""Issue 18.7: /metrics for Prometheus, scraped and parsed with prometheus_client's own
parser, and the dashboard page that draws the same figures."""

from __future__ import annotations

import datetime as dt

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from engine import incidents
from engine.db import utcnow
from engine.models import HumanTask
from engine.models import OutboxEmail
from engine.models import ProcessInstance
from tests.engine.onboarding import support_form
from tests.webui.helpers import login

TOKEN = "un-token-de-prueba-para-prometheus"


def _scene(app, world):
    """An activation request overdue at the Mesa de Servicio, a failed email, a late timer."""
    runner = app.extensions["runner"]
    runner.deploy()
    admin_id = world.user("admin.cuenta")
    account = world.account(admin=admin_id)
    admin = runner.actor_for_user(admin_id)
    started = runner.start("activacion_cuenta", admin, {"account_id": account, "account_name": "A"})
    runner.complete_task(admin, runner.inbox(admin, instance_id=started.instance_id)[0].id, support_form())
    now = utcnow()
    with runner.transaction() as session:
        late = {"due_at": now - dt.timedelta(days=1), "created_at": now - dt.timedelta(hours=2)}
        session.execute(update(HumanTask).where(HumanTask.status == "ready").values(**late))
        timer = {"next_timer_at": now - dt.timedelta(minutes=5)}
        instance = ProcessInstance.id == started.instance_id
        session.execute(update(ProcessInstance).where(instance).values(**timer))
        session.add(OutboxEmail(to_addr="x@example.gov.co", subject="s", body="b", template="t",
                                status="failed", attempts=8, next_attempt_at=now,
                                created_at=now))  # fmt: skip
    return started.instance_id


def _samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_scraped_and_parsed(make_app, world):
    app = make_app(METRICS_TOKEN=TOKEN)
    world = type(world)(app)
    instance_id = _scene(app, world)
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer otro"}).status_code == 401
    world.user("operadora", roles=("operador",))
    login(client, "operadora")
    client.get("/instancias/")
    client.get("/instancias/")
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    found = _samples(response.get_data(as_text=True))

    assert found[("secop_instances", (("process", "activacion_cuenta"), ("status", "running")))] == 1
    queue = (("queue", "Mesa de Servicio"),)
    assert found[("secop_tasks_open", queue)] == 1
    assert found[("secop_tasks_overdue", queue)] == 1
    assert found[("secop_tasks_claimed", queue)] == 0
    assert 7000 < found[("secop_task_oldest_age_seconds", queue)] < 7400  # two hours
    assert found[("secop_task_age_bucket", (("le", "3600"), ("queue", "Mesa de Servicio")))] == 0
    assert found[("secop_task_age_bucket", (("le", "14400"), ("queue", "Mesa de Servicio")))] == 1
    assert found[("secop_outbox_emails", (("status", "failed"),))] == 1
    assert found[("secop_timers_due", ())] == 1 and 290 < found[("secop_timer_lag_seconds", ())] < 400
    assert found[("secop_escalations_due", ())] == 1
    assert not any(name == "secop_incidents_open" for name, _ in found)  # no failed step, no series
    index = (("endpoint", "staff.instances.index"), ("method", "GET"), ("status", "200"))
    assert found[("secop_http_request_duration_seconds_count", index)] == 2
    assert instance_id


def test_open_incidents_are_counted_from_the_incidents_table(make_app, world):
    app = make_app(METRICS_TOKEN=TOKEN)
    instance_id = _scene(app, type(world)(app))
    runner = app.extensions["runner"]
    with runner.transaction() as session:  # an instance in status error is no incident by itself
        session.execute(
            update(ProcessInstance).where(ProcessInstance.id == instance_id).values(status="error")
        )
    scrape = lambda: _samples(app.test_client().get(  # noqa: E731
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True))  # fmt: skip
    assert not any(name == "secop_incidents_open" for name, _ in scrape())
    with runner.transaction() as session:  # as the step path opens one (engine.incidents)
        incidents.record(
            session,
            instance_id=instance_id,
            process_id="activacion_cuenta",
            element_id="x",
            element_name="X",
            step="timer",
            message="m",
            detail="d",
            data_keys=[],
            now=utcnow(),
        )
    assert scrape()[("secop_incidents_open", (("process", "activacion_cuenta"),))] == 1
    with runner.transaction() as session:
        incidents.resolve(session, instance_id, "retried", None, utcnow())
    assert not any(name == "secop_incidents_open" for name, _ in scrape())


def test_no_token_no_metrics(client):
    assert client.get("/metrics").status_code == 404


def test_the_dashboard_draws_the_same_figures(app, world):
    deployed = app
    _scene(deployed, world)
    world.user("operadora", roles=("operador",))
    client = deployed.test_client()
    login(client, "operadora")
    page = client.get("/instancias/tablero").get_data(as_text=True)
    assert "Tablero de operación" in page
    assert 'data-label="Vencidas">1<' in page and "Mesa de Servicio" in page
    assert 'data-label="Fallidos' not in page and "Fallidos (8 intentos)</dt><dd>1<" in page
    assert "Vencidos sin disparar</dt><dd>1<" in page
    assert "<code>staff.instances.dashboard</code>" not in page  # measured once it has answered
    again = client.get("/instancias/tablero").get_data(as_text=True)
    assert "<code>staff.instances.dashboard</code>" in again

"""Issue 18.5 and 18.7 in a real browser: a supervisor's view of the queues, a task someone
else holds (no form, "Quitar", "Reasignar"), and the operators' dashboard. axe-core runs on
every page; the screenshots are copied to docs/screenshots/ when UPDATE_DOCS_SCREENSHOTS=1."""

from __future__ import annotations

import datetime as dt
import os
import shutil

from sqlalchemy import update

from engine.db import utcnow
from engine.models import HumanTask
from tests.analyst.test_browser import DOCS_SCREENSHOTS
from tests.analyst.test_browser import journey
from tests.analyst.test_browser import served  # noqa: F401  (the fixture)
from tests.engine.onboarding import support_form


def _desk(app, runner, world):
    people = {name: world.user(name, roles=roles) for name, roles in (
        ("agente.uno", ("mesa_servicio",)), ("agente.dos", ("mesa_servicio",)),
        ("jefa.colas", ("supervisor",)),
    )}  # fmt: skip
    for n in range(3):
        admin_id = world.user(f"admin.{n}")
        account = world.account(admin=admin_id)
        admin = runner.actor_for_user(admin_id)
        started = runner.start("activacion_cuenta", admin, {"account_id": account, "account_name": "A"})
        form = runner.inbox(admin, instance_id=started.instance_id)[0]
        runner.complete_task(admin, form.id, support_form())
    agent = runner.actor_for_user(people["agente.uno"])
    first = runner.inbox(agent)[0]
    runner.claim(agent, first.id)
    with runner.transaction() as session:
        late = utcnow() - dt.timedelta(days=2)
        session.execute(update(HumanTask).where(HumanTask.id == first.id).values(due_at=late))
    return first


def test_supervisor_and_dashboard_pages(page, served, artifacts_dir):  # noqa: F811
    base, app, runner = served
    from tests.webui.helpers import World

    task = _desk(app, runner, World(app))
    j = journey(page, base, artifacts_dir, "supervision")
    # The README's inbox: the Mesa de Servicio agent's queue, a task they took, due dates.
    j.login("agente.uno")
    j.goto("/tareas/")
    assert "Tomada por usted" in page.locator("table").inner_text()
    assert "(vencida)" in page.locator("table").inner_text()
    j.step("bandeja-mesa")
    shots = [("inbox.png", artifacts_dir / "supervision-bandeja-mesa.png")]
    page.screenshot(path=str(shots[0][1]))
    j.logout()

    j.login("jefa.colas")
    j.goto("/tareas/?vista=supervision&orden=vence")
    assert "La tiene Nombre Apellido" in page.locator("table").inner_text()
    j.step("colas")
    shots.append(("supervision-inbox.png", artifacts_dir / "supervision-colas.png"))
    page.screenshot(path=str(shots[-1][1]))
    j.goto(f"/tareas/{task.id}")
    assert "La tarea la tiene" in page.locator(".notice").inner_text()
    assert page.locator('input[name="decision"]').count() == 0
    j.step("tarea-tomada")
    shots.append(("supervision-task.png", artifacts_dir / "supervision-tarea.png"))
    page.screenshot(path=str(shots[-1][1]), full_page=True)
    page.get_by_label("Motivo para quitarle la tarea").fill("Sin avance en dos días")
    page.get_by_role("button", name="Quitar la tarea a").click()
    page.wait_for_load_state("load")
    assert "La tarea volvió a su cola" in page.locator(".flashes").inner_text()
    j.logout()

    j.login("omar.operador")
    j.goto("/instancias/")
    j.link("Tablero de operación")
    assert "Mesa de Servicio" in page.locator("table").nth(1).inner_text()
    j.step("tablero")
    shots.append(("dashboard.png", artifacts_dir / "supervision-tablero.png"))
    page.screenshot(path=str(shots[-1][1]), full_page=True)
    assert j.violations == [], j.violations
    assert j.page_errors == [], j.page_errors
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        for name, shot in shots:
            shutil.copyfile(shot, DOCS_SCREENSHOTS / name)

"""Issue 13.8 on the pages: the registration a user left at "Validar" is on their start page
until registration_ttl passes; after the worker's timer round it is gone from there."""

from __future__ import annotations

import datetime as dt

from engine.db import utcnow
from engine.scenarios import shifted_clock


def test_an_expired_registration_is_no_longer_on_the_start_page(actions, deployed, client):
    runner = deployed.extensions["runner"]
    actions.register_user("ana.perez", "ana@example.gov.co")
    actions.login("ana.perez")
    validar = actions.start("Registrar cuenta de Entidad Estatal")
    home = client.get("/cuenta/").get_data(as_text=True)
    assert f'<a href="{validar}">Validar</a>' in home and "Tareas pendientes" in home

    later = dt.timedelta(days=7, minutes=1)  # REGISTRATION_TTL's default is P7D
    with shifted_clock(later):
        assert runner.fire_due_timers(now=utcnow() + later) == 1
    home = client.get("/cuenta/").get_data(as_text=True)
    assert "Tareas pendientes" not in home and f'href="{validar}"' not in home
    assert ">Registrar cuenta de Entidad Estatal</button>" in home  # section 3 again, to start anew
    gone = client.get(validar)  # an old link to it says so
    assert gone.status_code == 409

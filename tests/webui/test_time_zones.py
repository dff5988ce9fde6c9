"""Issue 13.11: instants are stored in UTC and every date is shown in the reader's Zona
horaria (the one registered; anonymous visitors and unknown values: Bogotá)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.domain.rules import TIME_ZONES
from engine.domain.rules import time_zone
from tests.webui.helpers import login

FORMS = Path(__file__).resolve().parents[2] / "forms"
AT_22_14_IN_BOGOTA = dt.datetime(2026, 12, 1, 3, 14)  # stored naive, in UTC


def test_every_registration_option_names_a_zone():
    schema = json.loads((FORMS / "registrar_usuario-schema.json").read_text(encoding="utf-8"))
    labels = [choice["const"] for choice in schema["properties"]["time_zone"]["oneOf"]]
    assert set(labels) == set(TIME_ZONES)
    offsets = {label: time_zone(label).utcoffset(dt.datetime(2026, 1, 15)) for label in labels}
    for label, offset in offsets.items():  # "(UTC-05:00) …" means five hours behind UTC in January
        sign = -1 if label[4] == "-" else 1
        assert offset == sign * dt.timedelta(hours=int(label[5:7]), minutes=int(label[8:10])), label
    assert str(time_zone(None)) == str(time_zone("desconocida")) == "America/Bogota"
    assert str(time_zone("Europe/Madrid")) == "Europe/Madrid"  # an IANA name stored as such


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("(UTC-05:00) Bogotá, Lima, Quito", "30/11/2026 22:14"),
        ("(UTC+01:00) Madrid, París, Roma", "01/12/2026 04:14"),
        ("(UTC-03:00) Buenos Aires, Brasilia", "01/12/2026 00:14"),
    ],
)
def test_dates_in_the_users_zone(app, world, zone, shown):
    from engine.domain import models as m
    from webui.core.extensions import db

    user_id = world.user("viajera")
    account_id = world.account("ENTIDAD UNO")
    with app.app_context():
        db.session.get(m.User, user_id).time_zone = zone
        db.session.add(m.AccessRequest(user_id=user_id, account_id=account_id, created_at=AT_22_14_IN_BOGOTA))
        db.session.add(m.LoginEvent(user_id=user_id, kind="login", at=AT_22_14_IN_BOGOTA))
        db.session.commit()
    client = app.test_client()
    login(client, "viajera")
    assert shown in client.get("/usuario/registros").get_data(as_text=True)  # Mis registros
    assert shown in client.get("/usuario/accesos").get_data(as_text=True)  # Accesos del usuario
    with app.app_context():  # stored untouched, in UTC
        assert db.session.scalar(db.select(m.AccessRequest.created_at)) == AT_22_14_IN_BOGOTA


def test_anonymous_visitors_read_bogota_time(app):
    from webui.core.filters import date_es
    from webui.core.filters import datetime_es

    with app.test_request_context("/"):
        assert datetime_es(AT_22_14_IN_BOGOTA) == "30/11/2026 22:14"
        assert date_es(AT_22_14_IN_BOGOTA) == "30/11/2026"
        assert datetime_es(None) == ""

"""Issue 17 point 2 in a real browser: option lists come from the task that needs them, and
the page's scripts still fill the anonymous registrant's autocomplete from there."""

from __future__ import annotations

from tests.browser.test_journeys import Journey
from tests.browser.test_journeys import prepare


def test_anonymous_registrant_autocomplete_lists_active_accounts_only(
    page, live_server, tmp_path, artifacts_dir
):
    import webui
    from engine.domain.models import ACCOUNT_PENDING
    from tests.webui.helpers import World

    config = prepare(tmp_path)
    app = webui.create_app(config)
    World(app).account(name="ENTIDAD ACTIVA DEL DIRECTORIO")
    World(app).account(name="ENTIDAD PENDIENTE DEL DIRECTORIO", state=ACCOUNT_PENDING)
    base = live_server(app=app)
    j = Journey(page, base, artifacts_dir, "opciones")
    j.goto("/")
    j.click("Registro")
    entity = j.field("Entidad/Proveedor/Persona Natural/Veedor/Veeduría (obligatorio)")
    with page.expect_response(lambda r: "/opciones/entity_name?q=" in r.url) as answer:
        entity.press_sequentially("entidad", delay=20)
    assert answer.value.status == 200
    page.wait_for_function("() => document.querySelectorAll('#campo-entity_name-lista option').length > 0")
    values = page.eval_on_selector_all("#campo-entity_name-lista option", "els => els.map(e => e.value)")
    assert values == ["ENTIDAD ACTIVA DEL DIRECTORIO"]
    j.step("autocompletar")
    assert j.violations == []

"""8. Page weight for a registrant on a slow connection: every page a person sees on the way
to registering (the start page, the Registro form, its confirmation, Entrar, the Inicio page
after logging in, the entity registration's first page, the Escritorio), each on a first
visit (an empty cache), in Debian's chromium driven by Playwright.

(SQLite: the weight is the web layer's.)

- bytes: what crossed the network for the page and everything it loaded (CDP
  ``Network.loadingFinished.encodedDataLength``: headers included, compressed as sent);
- render: first contentful paint under Chrome DevTools' "Fast 3G" profile (CDP
  ``Network.emulateNetworkConditions``: 562.5 ms latency, 1.6 Mbit/s × 0.9 down,
  750 kbit/s × 0.9 up, the numbers of DevTools' preset), and under "Slow 3G" (2,000 ms,
  500 kbit/s × 0.8) for reference: one round trip of Slow 3G is already 2 s.

Targets (issue 14): ≤ 60 KB and ≤ 1 s per page (we judge the render on Fast 3G).
"""

from __future__ import annotations

from bench.common import sqlite_url
from bench.http_server import PASSWORD
from bench.http_server import gunicorn
from bench.http_server import prepare

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
PROFILES = {
    "fast3g": {"offline": False, "latency": 562.5, "downloadThroughput": 1.6e6 * 0.9 / 8,
               "uploadThroughput": 750e3 * 0.9 / 8},
    "slow3g": {"offline": False, "latency": 2000, "downloadThroughput": 500e3 * 0.8 / 8,
               "uploadThroughput": 500e3 * 0.8 / 8},
}  # fmt: skip
TARGET_KB, TARGET_RENDER_MS = 60, 1000
# First contentful paint, from the start of the navigation (redirects included); waits for it.
FIRST_PAINT = """() => new Promise(resolve => {
  const seen = performance.getEntriesByName('first-contentful-paint')[0];
  if (seen) return resolve(seen.startTime);
  new PerformanceObserver(list => {
    const entry = list.getEntriesByName('first-contentful-paint')[0];
    if (entry) resolve(entry.startTime);
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(null), 10000);
})"""


def _short(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[-1] or "/"


def _visit(browser, state, url: str, profile: str | None) -> dict:
    """One first visit of ``url`` with the cookies of ``state``: bytes and paint time."""
    context = browser.new_context(storage_state=state, locale="es-CO")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if profile:
        cdp.send("Network.emulateNetworkConditions", PROFILES[profile])
    received: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="load")
    paint = page.evaluate(FIRST_PAINT)
    resources = sorted(
        (
            (urls.get(rid, "?").split("?")[0].rsplit("/", 1)[-1] or "/", size)
            for rid, size in received.items()
        ),
        key=lambda item: -item[1],
    )
    context.close()
    return {"bytes": int(sum(received.values())), "requests": len(received), "fcp_ms": paint,
            "largest": [(name, int(size)) for name, size in resources[:4]]}  # fmt: skip


def _logged_in(browser, base: str, username: str):
    """A browser context logged in as ``username``, its page on /cuenta/."""
    context = browser.new_context(locale="es-CO")
    page = context.new_page()
    page.goto(base + "/entrar")
    page.fill("#usuario", username)
    page.fill("#contrasena", PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    page.goto(base + "/cuenta/")
    return context, page


def _pages(browser, base: str) -> dict[str, tuple[dict, str]]:
    """page name -> (the browser state to visit it with, its URL), by walking the journey."""
    pages: dict[str, tuple[dict, str]] = {}
    context = browser.new_context(locale="es-CO")
    page = context.new_page()
    anonymous = context.storage_state()
    for name, path in (("inicio (anónimo)", "/"), ("entrar", "/entrar")):
        pages[name] = (anonymous, base + path)
    page.goto(base + "/")
    page.get_by_role("button", name="Registro").first.click()
    page.wait_for_load_state()
    pages["registro: formulario de usuario"] = (context.storage_state(), page.url)
    pages["registro: confirmación"] = (context.storage_state(), base + "/registro/confirmar")
    context.close()

    context, page = _logged_in(browser, base, "registrant")
    pages["inicio (sección 3)"] = (context.storage_state(), page.url)
    page.get_by_role("button", name="Registrar cuenta de Entidad Estatal").first.click()
    page.wait_for_load_state()
    pages["registro de entidad: primera página"] = (context.storage_state(), page.url)
    context.close()

    context, page = _logged_in(browser, base, "bench")  # administers an active account
    pages["escritorio"] = (context.storage_state(), page.url)
    context.close()
    return pages


def _with_account(runner, username: str) -> None:
    """An active account administered by ``username`` (the Escritorio needs one)."""
    from sqlalchemy import select

    from engine.domain.models import ACCOUNT_ACTIVE
    from engine.domain.models import ROLE_ADMIN
    from engine.domain.models import Account
    from engine.domain.models import Membership
    from engine.domain.models import User
    from engine.domain.rules import nit_check_digit

    nit = "899999001"
    with runner.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        account = Account(
            nit=nit, nit_check_digit=nit_check_digit(nit), name="ALCALDIA DE BENCH", short_name="BENCH",
            state=ACCOUNT_ACTIVE, business_area="Público", organization_type="Otras Entidades públicas",
            department_code="05", municipality_code="05001", order="Territorial", branch="Ejecutiva",
            sector="Salud", entity_type="Entidad", address="Calle 1", phone="6041234567",
            notification_email="notificaciones@bench.gov.co",
        )  # fmt: skip
        session.add(account)
        session.flush()
        session.add(Membership(user_id=user_id, account_id=account.id, role=ROLE_ADMIN, permissions=[]))


def run(quick: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.b4_http import copy_project_diagrams

    url = sqlite_url("pages.db")
    workdir = copy_project_diagrams()
    runner = prepare(url, workdir, usernames=("bench", "registrant"))
    _with_account(runner, "bench")
    runner.close()
    results: dict[str, dict] = {}
    with gunicorn(url, workdir, workers=1) as (base, _server), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for name, (state, address) in _pages(browser, base).items():
            first = _visit(browser, state, address, None)
            first["fcp_fast3g_ms"] = _visit(browser, state, address, "fast3g")["fcp_ms"]
            if not quick:
                first["fcp_slow3g_ms"] = _visit(browser, state, address, "slow3g")["fcp_ms"]
            results[name] = first
        browser.close()
    print("\n8. Page weight, first visit (chromium): bytes transferred; first contentful paint on Fast 3G")
    for name, values in results.items():
        kb, fcp = values["bytes"] / 1024, values["fcp_fast3g_ms"] or float("nan")
        ok = kb <= TARGET_KB and fcp <= TARGET_RENDER_MS
        slow = f", Slow 3G {values['fcp_slow3g_ms']:.0f} ms" if values.get("fcp_slow3g_ms") else ""
        print(f"  {name:<38} {kb:6.1f} KB in {values['requests']} requests, Fast 3G {fcp:5.0f} ms{slow} "
              f"(<= {TARGET_KB} KB, <= {TARGET_RENDER_MS} ms: {'met' if ok else 'MISSED'}); "
              f"largest {values['largest']}")  # fmt: skip
    return {"pages": results}

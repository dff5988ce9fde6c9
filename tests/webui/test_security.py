"""Security headers, CSP without inline script, CSRF on state-changing requests, and
failed logins limited per address and per username (issue 7)."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.webui.helpers import PASSWORD

PAGES = ["/", "/entrar", "/soporte-tecnico", "/recuperar"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.split() == ["'self'"]  # no inline script, no eval, no third party
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)  # every script is a static file


def test_pages_carry_no_inline_event_handlers(client):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"\son[a-z]+=\"", html)


def test_session_cookie_is_httponly_and_samesite(app, world):
    world.user("cookie.user")
    client = app.test_client()
    response = client.post("/entrar", data={"usuario": "cookie.user", "contrasena": PASSWORD})
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _session_cookie(response):
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")]
    return cookies[0] if cookies else None


def test_session_expiry_slides_but_the_cookie_is_not_resent_on_every_click(app, world):
    import datetime as dt

    world.user("sliding.user")
    client = app.test_client()
    assert _session_cookie(client.post("/entrar", data={"usuario": "sliding.user", "contrasena": PASSWORD}))
    assert _session_cookie(client.get("/tareas/"))  # the first page adds its CSRF token
    # Signed a moment ago and unchanged: the browser's cookie is good for 8 hours, nothing to send.
    answer = client.get("/tareas/")
    assert answer.status_code == 200 and _session_cookie(answer) is None
    # Once the cookie is older than SESSION_REFRESH_AFTER, the next response renews it.
    app.config["SESSION_REFRESH_AFTER"] = dt.timedelta(0)
    renewed = _session_cookie(client.get("/tareas/"))
    assert renewed and "Expires=" in renewed
    assert client.get("/tareas/").status_code == 200  # the renewed cookie still logs in


def test_production_cookies_are_secure(tmp_path):
    import webui

    app = webui.create_app(
        {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "MAIL_BACKEND": "log",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "UPLOAD_DIR": str(tmp_path / "u"),
            "BASE_URL": "https://secop.example.gov.co",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_state_changing_requests_need_a_csrf_token(tmp_path):
    import webui

    app = webui.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "UPLOAD_DIR": str(tmp_path / "u"),
        }
    )
    app.extensions["runner"].create_schema()
    client = app.test_client()
    refused = client.post("/entrar", data={"usuario": "nadie", "contrasena": "x"})
    assert refused.status_code == 400
    page = client.get("/entrar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    accepted = client.post("/entrar", data={"usuario": "nadie", "contrasena": "x", "csrf_token": token})
    assert accepted.status_code == 401  # the form was processed: a wrong login, not a CSRF refusal


def test_failed_logins_are_limited_per_username(app, world):
    world.user("victima")
    app.config["LOGIN_LIMIT_PER_USER"] = "3 per 10 minutes"
    for number in range(3):
        client = app.test_client()  # a different "address" each time does not help
        response = client.post(
            "/entrar",
            data={"usuario": "victima", "contrasena": "mala"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{number}"},
        )
        assert response.status_code == 401
    blocked = app.test_client().post(
        "/entrar",
        data={"usuario": "VICTIMA", "contrasena": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert blocked.status_code == 429
    assert "Demasiados intentos" in blocked.get_data(as_text=True)
    other = app.test_client().post("/entrar", data={"usuario": "otra", "contrasena": "mala"})
    assert other.status_code == 401  # other usernames are not affected


def test_failed_logins_are_limited_per_address(app, world):
    world.user("correcta")
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 10 minutes"
    client = app.test_client()
    for number in range(4):
        response = client.post("/entrar", data={"usuario": f"intento{number}", "contrasena": "mala"})
        assert response.status_code == 401
    assert client.post("/entrar", data={"usuario": "correcta", "contrasena": PASSWORD}).status_code == 429


def test_successful_logins_do_not_count(app, world):
    world.user("frecuente")
    app.config["LOGIN_LIMIT_PER_USER"] = "2 per 10 minutes"
    for _ in range(4):
        client = app.test_client()
        response = client.post("/entrar", data={"usuario": "frecuente", "contrasena": PASSWORD})
        assert response.status_code == 302

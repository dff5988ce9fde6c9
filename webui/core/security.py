"""Security headers, production cookies and login rate limits, installed on the app.

The CSP allows no inline script: every page's JavaScript lives in static files. Inline
*styles* stay allowed because bpmn-js styles the SVG it draws.
"""

from __future__ import annotations

from flask import render_template
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
TOO_MANY = "Demasiados intentos de ingreso. Espere unos minutos e intente de nuevo."

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def _login_username() -> str:
    return "usuario:" + (request.form.get("usuario") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code == 401


def init_app(app) -> None:
    """Headers on every response; Secure cookies when served over HTTPS in production;
    failed logins limited per address and per username."""
    production = app.config.get("ENV_NAME") == "production" or app.config["BASE_URL"].startswith("https://")
    if production and not app.testing:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("LOGIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    app.config.setdefault("LOGIN_LIMIT_PER_USER", "5 per 10 minutes")

    @app.after_request
    def _headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.endswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    limiter.init_app(app)
    login = app.view_functions.get("public.login")
    if login is not None:
        per_address = limiter.limit(
            lambda: app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
        )
        per_user = limiter.limit(
            lambda: app.config["LOGIN_LIMIT_PER_USER"],
            key_func=_login_username,
            methods=["POST"],
            deduct_when=_failed,
        )
        app.view_functions["public.login"] = per_address(per_user(login))

    @app.errorhandler(429)
    def _too_many(_error):
        return render_template(
            "errors/error.html", title="Demasiados intentos", message=TOO_MANY, code=429
        ), 429

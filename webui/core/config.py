"""The app's settings: defaults < instance/config.py < environment < a test's config, and
the refusal to start with settings that are only safe on a developer's machine (a default
or repetitive ``SECRET_KEY``, the development mailbox, no mail relay)."""

from __future__ import annotations

import math
import os
import zlib
from datetime import timedelta
from pathlib import Path

from engine.config import EngineConfig
from engine.outbox import SmtpSettings

# Read from the environment (or instance/config.py) by ``load``.
ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "BASE_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "SMTP_TIMEOUT",
    "UPLOAD_DIR",
    "ACTIVATION_LINK_TTL",
    "REGISTRATION_TTL",
    "PASSWORD_RESET_TTL",
    "MAIL_BACKEND",
    "MAX_UPLOAD_BYTES",
    "STAGED_UPLOAD_TTL_HOURS",
    "MAX_STAGED_UPLOADS_PER_TASK",
    "MAX_STAGED_UPLOADS_PER_USER",
    "WORKFLOWS_DIR",
    "FORMS_DIR",
    "MAIL_FROM",
    "LOGIN_LIMIT_PER_ADDRESS",
    "LOGIN_LIMIT_PER_USER",
    "REGISTRATION_LIMIT_PER_ADDRESS",
    "RECOVERY_LIMIT_PER_ADDRESS",
    "RECOVERY_LIMIT_PER_EMAIL",
    "RATELIMIT_STORAGE_URI",
    "TRUSTED_PROXIES",
    "METRICS_TOKEN",
)
INTEGER_KEYS = (
    "SMTP_PORT",
    "MAX_UPLOAD_BYTES",
    "MAX_STAGED_UPLOADS_PER_TASK",
    "MAX_STAGED_UPLOADS_PER_USER",
    "PASSWORD_RESET_TTL",
)
# Values that appear in this repository or in tutorials: never acceptable in production.
DEFAULT_SECRETS = frozenset({"", "dev", "dev-only-secret", "test", "secret", "changeme", "change-me"})
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 96  # token_hex(16), 128 random bits, estimates at about 110
MAIL_BACKENDS = ("smtp", "log", "dev")
ZLIB_OVERHEAD = 11  # header, checksum and block header of zlib.compress's output


def defaults(instance_path: str) -> dict:
    return {
        "SECRET_KEY": "dev",
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'secop.db'}",
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_HOST": "",
        "SMTP_PORT": 25,
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": False,
        "UPLOAD_DIR": str(Path(instance_path) / "uploads"),
        "ACTIVATION_LINK_TTL": "PT48H",
        "REGISTRATION_TTL": "P7D",
        "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        "STAGED_UPLOAD_TTL_HOURS": 24,
        "MAX_STAGED_UPLOADS_PER_TASK": 20,
        "MAX_STAGED_UPLOADS_PER_USER": 40,
        "PASSWORD_RESET_TTL": 3600,
        "MAIL_FROM": "SECOP II <no-responder@secop.example>",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Rate limits (webui/core/throttle.py), counted in the app's database unless
        # RATELIMIT_STORAGE_URI names another shared storage (redis://...).
        "RATELIMIT_STORAGE_URI": "",
        "LOGIN_LIMIT_PER_ADDRESS": "20 per 10 minutes",
        "LOGIN_LIMIT_PER_USER": "5 per 10 minutes",
        "REGISTRATION_LIMIT_PER_ADDRESS": "10 per 10 minutes",
        "RECOVERY_LIMIT_PER_ADDRESS": "10 per 10 minutes",
        "RECOVERY_LIMIT_PER_EMAIL": "3 per hour",
        # Addresses of the reverse proxies whose X-Forwarded-For is believed (webui/core/proxies.py).
        "TRUSTED_PROXIES": "",
        # Bearer token of /metrics (webui/core/metrics.py); empty: no /metrics at all.
        "METRICS_TOKEN": "",
    }


def database_uri(url: str) -> str:
    """SQLAlchemy's spelling of ``url``: psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load(app, test_config: dict | None) -> None:
    """Fill ``app.config`` and refuse unsafe settings (raises InsecureConfiguration)."""
    config = app.config
    config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if key in os.environ:
            config[key] = os.environ[key]
    if test_config is not None:
        config.update(test_config)
    for key in INTEGER_KEYS:
        config[key] = int(config[key])
    if isinstance(config["SMTP_STARTTLS"], str):
        config["SMTP_STARTTLS"] = config["SMTP_STARTTLS"].lower() in ("1", "true", "yes", "on")
    config["SQLALCHEMY_DATABASE_URI"] = database_uri(
        config.get("SQLALCHEMY_DATABASE_URI") or config["DATABASE_URL"]
    )
    # Whatever else a configuration sets: a failed statement's values (personal data)
    # never reach an exception message, hence never a log (engine.db.make_engine likewise).
    options = config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "hide_parameters": True}
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] * 8
    check_secret_key(app)
    check_metrics_token(app)
    config["MAIL_BACKEND"] = choose_mail_backend(app)
    if production_mode(app):
        config.setdefault("ENV_NAME", "production")  # webui.core.security: Secure cookies, HSTS
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def engine_config(config) -> EngineConfig:
    """The engine's settings, taken from the Flask config."""
    kwargs = {
        "upload_dir": Path(config["UPLOAD_DIR"]),
        "base_url": config["BASE_URL"].rstrip("/"),
        "secret_key": config["SECRET_KEY"],
        "max_upload_bytes": int(config["MAX_UPLOAD_BYTES"]),
        "process_defaults": {
            **EngineConfig().process_defaults,
            "activation_link_ttl": config["ACTIVATION_LINK_TTL"],
            "registration_ttl": config["REGISTRATION_TTL"],
        },
        "mail_from": config["MAIL_FROM"],
        "staged_upload_ttl": timedelta(hours=float(config["STAGED_UPLOAD_TTL_HOURS"])),
        "max_staged_per_task": int(config["MAX_STAGED_UPLOADS_PER_TASK"]),
        "max_staged_per_user": int(config["MAX_STAGED_UPLOADS_PER_USER"]),
    }
    for key in ("WORKFLOWS_DIR", "FORMS_DIR"):
        if config.get(key):
            kwargs[key.lower()] = Path(config[key])
    return EngineConfig(**kwargs)


def json_logs(app) -> bool:
    return production_mode(app) or os.environ.get("LOG_FORMAT", "").lower() == "json"


class InsecureConfiguration(RuntimeError):
    """The app would start with settings that are unsafe outside development."""


def _app_env(app) -> str:
    env = os.environ.get("APP_ENV") or os.environ.get("FLASK_ENV") or app.config.get("APP_ENV")
    return (env or "").lower()


def production_mode(app) -> bool:
    """``APP_ENV`` (or ``FLASK_ENV``) = production; gunicorn.conf.py sets it by default."""
    return _app_env(app) == "production"


def development_mode(app) -> bool:
    """Only an explicit ``APP_ENV=development`` (``make run``) or the test suite's
    ``TESTING`` may use development conveniences: a default key, the development mailbox.
    Anything else (unset, ``staging``, a typo) is treated as production."""
    return app.testing or _app_env(app) == "development"


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign sessions and emailed links, or None.

    Length alone is not entropy ("a" * 40, "abcd" * 12): the key must be long *and* varied,
    as a ``secrets.token_urlsafe(32)`` (43 characters, about 200 bits) is. Two estimates,
    the smaller wins: the key's length times the Shannon entropy of its characters (blind to
    repeated patterns) and its size once compressed (blind to a skewed alphabet)."""
    if key in DEFAULT_SECRETS or len(key) < MIN_SECRET_LENGTH:
        return f"must be a random value of at least {MIN_SECRET_LENGTH} characters"
    counts = [key.count(char) for char in set(key)]
    shannon = -sum(n * math.log2(n / len(key)) for n in counts)
    compressed = 8 * max(0, len(zlib.compress(key.encode(), 9)) - ZLIB_OVERHEAD)
    bits = min(shannon, compressed)
    if bits < MIN_SECRET_BITS:
        return f"is not random enough (about {bits:.0f} bits; at least {MIN_SECRET_BITS} are needed)"
    return None


def check_secret_key(app) -> None:
    """Refuse a default, short or repetitive ``SECRET_KEY`` unless explicitly in development."""
    if development_mode(app):
        return
    problem = secret_key_problem(app.config.get("SECRET_KEY") or "")
    if problem:
        raise InsecureConfiguration(
            f"SECRET_KEY {problem} (APP_ENV={_app_env(app) or 'unset'}: only APP_ENV=development "
            'allows a default key); generate one with: python -c "import secrets; '
            'print(secrets.token_urlsafe(32))"'
        )


def check_metrics_token(app) -> None:
    """``METRICS_TOKEN`` guards the figures of every queue and process: outside development it
    must be as random as a ``SECRET_KEY`` (or unset, which turns ``/metrics`` off)."""
    token = app.config.get("METRICS_TOKEN") or ""
    if not token or development_mode(app):
        return
    problem = secret_key_problem(token)
    if problem:
        raise InsecureConfiguration(
            f"METRICS_TOKEN {problem}; generate one with: python -c \"import secrets; "
            'print(secrets.token_urlsafe(32))", or leave it unset to turn /metrics off'
        )


def choose_mail_backend(app) -> str:
    """Where emails go: ``smtp`` (a relay), ``log`` (nowhere: the worker only logs who would
    have received what subject) or ``dev`` (the development mailbox at /correo, which shows
    every email, reset links included, to anyone who can reach the server).

    Outside development the mailbox would hand out account takeovers, so it is refused, and
    a deployment without ``SMTP_HOST`` must say ``MAIL_BACKEND=log`` to run without mail."""
    config = app.config
    backend = (config.get("MAIL_BACKEND") or "").strip().lower()
    if not backend:
        backend = "smtp" if config["SMTP_HOST"] else ("dev" if development_mode(app) else "")
    if backend not in MAIL_BACKENDS:
        raise InsecureConfiguration(
            "SMTP_HOST is not set: outside development (APP_ENV=development) the platform needs "
            "an SMTP relay for its emails. Set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, "
            "SMTP_STARTTLS), or MAIL_BACKEND=log to send nothing and only log each email's "
            "recipient and subject (docs/deploy.md)."
            + (f" MAIL_BACKEND={backend!r} is not one of smtp, log, dev." if backend else "")
        )
    if backend == "dev" and not development_mode(app):
        raise InsecureConfiguration(
            "MAIL_BACKEND=dev serves every email, password-reset links included, at /correo: it "
            "is only allowed with APP_ENV=development. Set SMTP_HOST, or MAIL_BACKEND=log."
        )
    if backend == "smtp" and not config["SMTP_HOST"]:
        raise InsecureConfiguration("MAIL_BACKEND=smtp needs SMTP_HOST (the relay's host name).")
    return backend


def smtp_settings(config):
    """The app's SMTP settings for the worker, or None without a relay (``log``, ``dev``)."""
    if config["MAIL_BACKEND"] != "smtp" or not config["SMTP_HOST"]:
        return None
    return SmtpSettings(
        host=config["SMTP_HOST"],
        port=int(config["SMTP_PORT"]),
        user=config["SMTP_USER"] or None,
        password=config["SMTP_PASSWORD"] or None,
        starttls=bool(config["SMTP_STARTTLS"]),
        timeout=float(config.get("SMTP_TIMEOUT") or 30),
        mail_from=config["MAIL_FROM"],
    )

"""Structured logs for the web processes: JSON lines carrying the request id (taken from
``X-Request-ID`` when the proxy sends a sane one, else generated, and echoed back in the
response) and the process instance id: from the route's ``instance_id`` argument, or set
by a view in ``g.instance_id``.

gunicorn uses ``GunicornLogger`` (see gunicorn.conf.py) so its own lines and the access log
are JSON too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid

from flask import g
from flask import has_request_context
from flask import request

from engine.logs import JsonFormatter
from engine.logs import configure

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and plain: it ends up in every log line.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``instance_id`` (when known) to records logged in a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            request_id = g.get("request_id")
            if request_id and not hasattr(record, "request_id"):
                record.request_id = request_id
            instance_id = g.get("instance_id")
            if instance_id is not None and not hasattr(record, "instance_id"):
                record.instance_id = instance_id
        return True


def install_json_logging(level=None) -> logging.Handler:
    """Root logger → JSON lines on stderr, with the request context filter."""
    handler = configure(level)
    handler.addFilter(RequestContextFilter())
    return handler


def init_app(app, json_logs: bool) -> None:
    """Request ids on every request; JSON logs when ``json_logs`` (production, LOG_FORMAT)."""
    if json_logs:
        install_json_logging()

    @app.before_request
    def _request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        # Routes about one instance (/instancias/<instance_id>/…) name it in every line;
        # other views may set g.instance_id themselves once they know it.
        instance_id = (request.view_args or {}).get("instance_id")
        if instance_id is not None:
            g.instance_id = instance_id

    @app.after_request
    def _echo_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response


try:  # gunicorn is a runtime dependency, but this module must import without it
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:  # pragma: no cover
    _GunicornBase = None


if _GunicornBase is not None:

    class GunicornLogger(_GunicornBase):
        """gunicorn's error and access logs as JSON lines (``logger_class`` in gunicorn.conf.py)."""

        def setup(self, cfg):
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())
            for handler in self.access_log.handlers:  # ``access`` writes whole JSON lines
                handler.setFormatter(logging.Formatter("%(message)s"))

        def access(self, resp, req, environ, request_time):
            if not self.access_log_enabled:
                return
            headers = {name.lower(): value for name, value in (resp.headers or ())}
            status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
            entry = {
                "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "level": "INFO",
                "logger": "gunicorn.access",
                "msg": "request",
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("RAW_URI") or environ.get("PATH_INFO"),
                "status": int(status) if str(status).isdigit() else status,
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "remote": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
                "request_id": headers.get("x-request-id"),
            }
            self.access_log.info(json.dumps(entry, ensure_ascii=False))

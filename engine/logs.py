"""Structured logs: one JSON object per line, for the worker and the web processes alike.

``log.info("worker round", extra={"timers_fired": 3})`` becomes
``{"ts": "...", "level": "INFO", "logger": "engine.worker", "msg": "worker round",
"pid": 1234, "timers_fired": 3}``; webui adds ``request_id`` and ``instance_id``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys

from engine.redact import database_details
from engine.redact import redact

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# SpiffWorkflow puts the whole task data (names, emails, passwords) on its records: never
# into a log line.
_NEVER_LOGGED = {"data", "internal_data"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (UTC timestamp, level, logger, message, extras)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": database_details(record.getMessage()),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key in _NEVER_LOGGED or key.startswith("_") or key in entry:
                continue
            entry[key] = redact({key: value})[key]
        if record.exc_info:
            entry["exc"] = database_details(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler):
    """Marks the handler we installed, so configuring twice does not log twice."""


def wants_json(environ=None) -> bool:
    """JSON unless ``LOG_FORMAT=text`` (a developer reading a terminal)."""
    env = os.environ if environ is None else environ
    return env.get("LOG_FORMAT", "json").lower() != "text"


def configure(level: str | int | None = None, stream=None) -> logging.Handler:
    """Send every logger's records to ``stream`` (stderr) as JSON lines; idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _JsonHandler):
            root.removeHandler(handler)
    handler = _JsonHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO").upper())
    # Spiff logs every task state change at INFO: thousands of lines per minute of traffic.
    logging.getLogger("spiff").setLevel(os.environ.get("SPIFF_LOG_LEVEL", "WARNING").upper())
    return handler

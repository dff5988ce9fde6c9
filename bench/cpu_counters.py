"""Server CPU per request kind, counted by the server itself (benchmarks only).

bench/http_server.py serves ``bench.cpu_counters:create_app()`` instead of
``webui:create_app()`` when ``BENCH_CPU_COUNTERS=1``: the same application, with a WSGI
wrapper that adds up, per request kind ("POST tasks.task", "GET tasks.task", ...), the CPU
time of the thread that served it (``time.thread_time``: time spent waiting for the GIL,
the database or the network is not counted, so machine noise barely moves it). The
counters of the answering process are read at ``GET /__bench/cpu``; ``read_counters``
asks over new connections until every worker process has answered.

What it does not see: gunicorn's own work outside the application (accepting, parsing
the request head, writing the response) — the per-process CPU from /proc covers that.
"""

from __future__ import annotations

import json
import os
import threading
import time

from bench.browser import Browser

PATH = "/__bench/cpu"


class CpuCounters:
    def __init__(self, app):
        self.app = app  # the Flask app
        self.inner = app.wsgi_app
        self.lock = threading.Lock()
        self.counts: dict[str, list] = {}  # kind -> [requests, cpu seconds]
        self.adapter_map = app.url_map

    def kind(self, environ) -> str:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            endpoint, _ = self.adapter_map.bind_to_environ(environ).match(method=method)
        except Exception:  # noqa: BLE001 (404, 405, redirects: counted under one name)
            endpoint = "unrouted"
        return f"{method} {endpoint}"

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == PATH:
            with self.lock:
                body = json.dumps({"pid": os.getpid(), "kinds": self.counts}).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        begin = time.thread_time()
        result = self.inner(environ, start_response)
        try:  # Flask's response body is produced while it is iterated: count that too
            body = list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        spent = time.thread_time() - begin
        kind = self.kind(environ)
        with self.lock:
            entry = self.counts.setdefault(kind, [0, 0.0])
            entry[0] += 1
            entry[1] += spent
        return body


def create_app():
    from webui import create_app as webui_app

    app = webui_app()
    app.wsgi_app = CpuCounters(app)
    return app


def read_counters(base: str, pids: list[int], tries: int = 200) -> dict[int, dict]:
    """pid -> {kind: [requests, cpu seconds]} of every worker in ``pids`` (new connection per
    try: the kernel, or the shared socket, hands each to some worker)."""
    found: dict[int, dict] = {}
    for _ in range(tries):
        client = Browser(base)
        try:
            data = json.loads(client.get(PATH).body)
        finally:
            client.close()
        found[data["pid"]] = data["kinds"]
        if set(pids) <= set(found):
            break
    return found


def per_kind(before: dict[int, dict], after: dict[int, dict]) -> dict[str, dict]:
    """kind -> {requests, cpu_ms_per_request} between two readings, all processes added up."""
    totals: dict[str, list] = {}
    for pid, kinds in after.items():
        for kind, (count, seconds) in kinds.items():
            old = before.get(pid, {}).get(kind, [0, 0.0])
            entry = totals.setdefault(kind, [0, 0.0])
            entry[0] += count - old[0]
            entry[1] += seconds - old[1]
    return {
        kind: {"requests": count, "cpu_ms_per_request": round(seconds * 1000 / count, 3)}
        for kind, (count, seconds) in sorted(totals.items())
        if count > 0
    }

"""Prometheus metrics at ``/metrics``: request latency measured in every web process, and the
operators' figures (engine/metrics.py) read from the database at each scrape.

Several gunicorn processes: gunicorn.conf.py sets ``PROMETHEUS_MULTIPROC_DIR`` before any
process imports prometheus_client, so each process writes its latency histogram to a file
there and a scrape, whichever process serves it, adds up every process's files (the
library's multiprocess mode). The database figures need no such care: they are read, not
counted. Without that directory (``flask run``, tests) the process's own registry is used.

``/metrics`` answers only a request bearing ``Authorization: Bearer $METRICS_TOKEN``; with no
``METRICS_TOKEN`` it does not exist (404). docs/deploy.md says how to scrape it.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import abort
from flask import current_app
from flask import g
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from engine.metrics import AGE_BUCKETS
from engine.metrics import Figures

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY = "secop_http_request_duration_seconds"
# A step is milliseconds; a registration with argon2 a few hundred; a huge upload seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def init_app(app) -> None:
    """Time every request into the latency histogram of this app."""
    registry = CollectorRegistry(auto_describe=True)
    histogram = Histogram(
        LATENCY, "Time to answer an HTTP request, by route (endpoint) and status.",
        ["method", "endpoint", "status"], buckets=LATENCY_BUCKETS, registry=registry,
    )  # fmt: skip
    app.extensions["metrics"] = {"registry": registry, "latency": histogram}

    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()

    series: dict[tuple[str, str, int], object] = {}  # labels() validates and locks: 14 -> 5 us

    @app.after_request
    def _observe(response):
        started = g.pop("request_started", None)
        if started is not None:
            # The route's name, never the path: ids in paths would make a series per task.
            endpoint = request.url_rule.endpoint if request.url_rule is not None else "none"
            key = (request.method, endpoint, response.status_code)
            child = series.get(key)
            if child is None:
                child = series[key] = histogram.labels(key[0], endpoint, str(key[2]))
            child.observe(time.perf_counter() - started)
        return response


def scrape_registry(app) -> CollectorRegistry:
    """Every process's latency (multiprocess mode) or this one's, plus the database figures."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(app.extensions["metrics"]["registry"]))
    registry.register(FiguresCollector(app.extensions["runner"]))
    return registry


class _Forward:
    """This process's own registry as a collector of the scrape's registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def latency_families(app):
    """The latency histogram's families as a scrape sees them (for the dashboard)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry.collect()
    return app.extensions["metrics"]["registry"].collect()


class FiguresCollector:
    """The operators' figures as Prometheus gauges, read from the database at collect time."""

    def __init__(self, runner):
        self.runner = runner

    def collect(self):
        yield from families(self.runner.figures())


def families(found: Figures):
    def gauge(name, doc, labels=()):
        return GaugeMetricFamily(name, doc, labels=list(labels))

    instances = gauge("secop_instances", "Process instances by process and state.", ("process", "status"))
    for (process, status), count in sorted(found.instances.items()):
        instances.add_metric([process, status], count)
    incidents = gauge("secop_incidents_open", "Open incidents (instances stopped at a failed step).",
                      ("process",))  # fmt: skip
    for process, count in sorted(found.incidents.items()):
        incidents.add_metric([process], count)
    tasks = gauge("secop_tasks_open", "Ready user tasks per queue (lane).", ("queue",))
    overdue = gauge("secop_tasks_overdue", "Ready tasks past their due date, per queue.", ("queue",))
    claimed = gauge("secop_tasks_claimed", "Ready tasks someone holds, per queue.", ("queue",))
    oldest = gauge("secop_task_oldest_age_seconds", "Age of the oldest ready task, per queue.", ("queue",))
    ages = gauge("secop_task_age_bucket", "Ready tasks at most `le` seconds old, per queue (cumulative).",
                 ("queue", "le"))  # fmt: skip
    for queue in found.queues:
        tasks.add_metric([queue.lane], queue.tasks)
        overdue.add_metric([queue.lane], queue.overdue)
        claimed.add_metric([queue.lane], queue.claimed)
        oldest.add_metric([queue.lane], queue.oldest_seconds)
        for bound, count in zip(AGE_BUCKETS, queue.ages, strict=True):
            ages.add_metric([queue.lane, f"{bound:g}"], count)
        ages.add_metric([queue.lane, "+Inf"], queue.tasks)
    outbox = gauge("secop_outbox_emails", "Emails in the outbox by status (pending, sending, sent, failed).",
                   ("status",))  # fmt: skip
    for status, count in sorted(found.outbox.items()):
        outbox.add_metric([status], count)
    yield from (instances, incidents, tasks, overdue, claimed, oldest, ages, outbox)
    single = (
        ("secop_outbox_retrying", "Emails to be sent again after a failed attempt.", found.outbox_retrying),
        ("secop_outbox_lag_seconds", "How long the oldest due email has waited.", found.outbox_lag_seconds),
        ("secop_timers_due", "Running instances whose timer is due and not fired yet.", found.timers_due),
        ("secop_timer_lag_seconds", "How late the most overdue timer is (0: none waiting).",
         found.timer_lag_seconds),
        ("secop_escalations_due", "Overdue shared-queue tasks whose supervisors were not told yet.",
         found.escalations_due),
    )  # fmt: skip
    for name, doc, value in single:
        yield GaugeMetricFamily(name, doc, value=value)


def metrics():
    """The Prometheus text exposition, for a bearer of METRICS_TOKEN only."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        abort(404)
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        return "", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    body = generate_latest(scrape_registry(current_app))
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def latency_summary(app) -> list[dict]:
    """Per route: requests answered, mean, and the 50th and 95th percentiles (the upper bound
    of the histogram bucket they fall in), all processes together — for the dashboard."""
    routes: dict[str, dict] = {}
    for family in latency_families(app):
        if family.name != LATENCY:
            continue
        for sample in family.samples:
            route = routes.setdefault(sample.labels["endpoint"], {"count": 0.0, "sum": 0.0, "buckets": {}})
            if sample.name.endswith("_count"):
                route["count"] += sample.value
            elif sample.name.endswith("_sum"):
                route["sum"] += sample.value
            elif sample.name.endswith("_bucket"):
                bound = float(sample.labels["le"])
                route["buckets"][bound] = route["buckets"].get(bound, 0.0) + sample.value
    rows = []
    for endpoint, route in routes.items():
        if not route["count"]:
            continue
        bounds = sorted(route["buckets"].items())
        rows.append({
            "endpoint": endpoint, "count": int(route["count"]), "mean": route["sum"] / route["count"],
            "p50": _quantile(bounds, route["count"] * 0.5), "p95": _quantile(bounds, route["count"] * 0.95),
        })  # fmt: skip
    return sorted(rows, key=lambda row: (-row["count"], row["endpoint"]))


def _quantile(bounds, rank: float) -> float | None:
    """The upper bound of the bucket the ``rank``-th request falls in; None past the last."""
    for bound, cumulative in bounds:
        if cumulative >= rank:
            return None if bound == float("inf") else bound
    return None

"""The operators' dashboard (``/instancias/tablero``): the figures ``/metrics`` gives
Prometheus, drawn as tables, with no external service."""

from __future__ import annotations

from flask import current_app
from flask import render_template

from engine.metrics import AGE_BUCKETS
from webui.core.identity import runner
from webui.core.metrics import latency_summary
from webui.staff.instances import STATUSES

AGE_LABELS = ("1 hora", "4 horas", "1 día", "3 días", "1 semana", "30 días")


def dashboard():
    """Instances by process and state, incidents, queues, outbox, timers and response times."""
    found = runner().figures()
    processes = sorted({process for process, _ in found.instances})
    return render_template(
        "staff/dashboard.html", found=found, processes=processes, statuses=STATUSES,
        ages=list(zip(AGE_BUCKETS, AGE_LABELS, strict=True)), latency=latency_summary(current_app),
        busiest=max((q.tasks for q in found.queues), default=0), title="Tablero de operación",
    )  # fmt: skip

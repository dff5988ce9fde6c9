"""What every audience shares: settings, extensions, who is asking (identity) and what they
may do (policy), errors, security headers and limits, sessions, logs, template filters, and
the health and metrics endpoints of the ``core`` blueprint."""

from flask import Blueprint

from webui.core import health
from webui.core import metrics

bp = Blueprint("core", __name__, template_folder="templates")

bp.add_url_rule("/healthz", view_func=health.healthz, methods=["GET"])
bp.add_url_rule("/readyz", view_func=health.readyz, methods=["GET"])
bp.add_url_rule("/metrics", view_func=metrics.metrics, methods=["GET"])

"""The operators' incident queue (``/instancias/incidentes``): automatic steps that failed
and stopped their instance, by process, element, age and words of the error (engine.incidents).
Each links to its instance, where "Reintentar" and the repairs are."""

from __future__ import annotations

from flask import render_template
from flask import request

from webui.core.identity import runner
from webui.staff.instances import version_choices

AGES = {"hoy": "Último día", "semana": "Última semana", "antiguos": "Más de una semana"}
STATES = {"open": "Abiertos", "resolved": "Resueltos", "": "Todos"}
RESOLUTIONS = {"retried": "Reintentado", "skipped": "Omitido", "cancelled": "Instancia cancelada",
               "moved": "Token movido"}  # fmt: skip


def index():
    args = request.args
    status = args.get("estado", "open")
    status = status if status in STATES else "open"
    age = args.get("antiguedad") if args.get("antiguedad") in AGES else None
    found = runner().incidents(
        status=status or None,
        process_id=args.get("proceso") or None,
        element_id=(args.get("elemento") or "").strip() or None,
        age=age,
        text=(args.get("texto") or "").strip()[:200] or None,
    )
    processes = sorted({v.process_id for v in version_choices()})
    return render_template(
        "staff/instances/incidents.html", incidents=found, processes=processes, ages=AGES, states=STATES,
        resolutions=RESOLUTIONS, status=status, title="Incidentes",
    )  # fmt: skip

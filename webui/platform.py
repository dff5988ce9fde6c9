"""Platform roles for analysts, operators and administrators, and the wiring of their
blueprints (process models, instances, role administration, JSON API v1)."""

from __future__ import annotations

from lxml import etree

from webui import policy

ANALYST = policy.ANALYST
OPERATOR = policy.OPERATOR
ADMIN = policy.ADMIN
MESA = policy.MESA
ROLE_NAMES = {
    ANALYST: "Analista",
    OPERATOR: "Operador",
    MESA: "Mesa de Servicio",
    ADMIN: "Administrador de la plataforma",
}
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


# Role decisions live in webui.policy; these names stay importable from here.
has_role = policy.has_role
guard = policy.guard


def element_names(xml: str | bytes) -> dict[str, str]:
    """bpmn id -> name (or type) of every flow element of a BPMN file, for tables and panels."""
    if isinstance(xml, str):
        xml = xml.encode()
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return {}
    names = {}
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        element_id = element.get("id")
        local = etree.QName(element).localname
        if element_id and (local.endswith(("Task", "Event", "Gateway", "Activity")) or local == "task"):
            names[element_id] = element.get("name") or local
    return names


def user_names(user_ids) -> dict[int, str]:
    """user id -> username, for "who" columns."""
    from sqlalchemy import select

    from engine.domain.models import User
    from webui.extensions import db

    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def actor_label(label: str | None, names: dict[int, str]) -> str:
    """An engine actor label ("usuario:5", "sistema", "anónimo") in words."""
    if label and label.startswith("usuario:"):
        raw = label.split(":", 1)[1]
        return names.get(int(raw), label) if raw.isdigit() else label
    return label or ""


def init_app(app) -> None:
    """Register the analyst/operator blueprints, their CLI commands and template helpers."""
    from webui import admin
    from webui import api_tokens
    from webui import api_v1
    from webui import instances_pages
    from webui import models_pages

    app.register_blueprint(models_pages.bp)
    app.register_blueprint(instances_pages.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api_v1.bp)
    api_v1.init_app(app)
    api_tokens.init_app(app)
    app.cli.add_command(admin.revoke_role)

    @app.context_processor
    def inject_roles():
        return {"has_role": has_role, "ROLE_NAMES": ROLE_NAMES}

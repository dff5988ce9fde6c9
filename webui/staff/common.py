"""What the staff pages share: element names of a BPMN file, people's names for the
"who" columns and panels (webui.core.people), and a process's newest version."""

from __future__ import annotations

from lxml import etree

from webui.core.people import user_names  # noqa: F401  (the staff pages' name for it)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


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


def actor_label(label: str | None, names: dict[int, str]) -> str:
    """An engine actor label ("usuario:5", "sistema", "anónimo") in words."""
    if label and label.startswith("usuario:"):
        raw = label.split(":", 1)[1]
        return names.get(int(raw), label) if raw.isdigit() else label
    return label or ""


def deployed_message(created) -> str:
    if not created:
        return "Nada cambió: no se creó una versión nueva."
    return "Se desplegó: " + ", ".join(f"{v.process_id} versión {v.number}" for v in created) + "."

"""Building blocks shared by the form definitions (JSON Schema draft 7 + UI schema)."""

from __future__ import annotations

import json
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PASSWORD_PATTERN = r"^(?=.*[A-Za-zÁÉÍÓÚÜÑáéíóúüñ])(?=.*[0-9])(?=.*[^A-Za-zÁÉÍÓÚÜÑáéíóúüñ0-9]).{8,}$"
REQUIRED = "Este campo es obligatorio."

# The guide's official formats (§5.1 "Acta de creación", §5.3 "Documento de autorización").
FORMATS_URL = "https://www.colombiacompra.gov.co/secop-ii/formatos-para-compradores-y-proveedores-del-secop-ii"
FORMATS_LINK = {
    "text": "Descargar el formato oficial (formatos para la Entidad Estatal)",
    "href": FORMATS_URL,
}
TERMS_URL = "https://www.colombiacompra.gov.co/secop/terminos-y-condiciones"

DOCUMENT_SLOTS = {
    "acto_estructura": (
        "Último acto de estructura y organización o Acta de creación",
        "Ley, Decreto, Ordenanza, Acuerdo o documento equivalente que permita conocer la naturaleza "
        "jurídica, funciones, órganos de dirección y régimen de contratación; y/o el formato "
        '"Acta de creación".',
    ),
    "acta_posesion_ordenador": (
        "Acta de posesión del Ordenador del Gasto",
        "Si el Ordenador del Gasto actúa por delegación, anexe también el acto de delegación y el acta "
        "de posesión del delegado.",
    ),
    "acto_delegacion": (
        "Acto de delegación",
        "En caso de delegación: el acto emitido por el representante legal.",
    ),
    "acta_posesion_delegado": ("Acta de posesión del delegado", "En caso de delegación."),
    "autorizacion_administrador": (
        "Documento de autorización de usuario administrador",
        "En el formato oficial; los datos de identificación y contacto del Usuario Administrador deben "
        "coincidir con los de este documento.",
    ),
    "rut": ("Registro Único Tributario (RUT) de la Entidad", "El RUT de la Entidad Estatal."),
    "certificado_existencia": (
        "Certificado de existencia y representación legal",
        "Solo para entidades privadas que contratan con cargo a recursos públicos; expedido hace no más de "
        "90 días.",
    ),
}
# Slots whose document has an official format to download.
FORMAT_SLOTS = ("acto_estructura", "autorizacion_administrador")


def classification(field: str, status: str = "seen_in_real_data") -> list[str]:
    data = json.loads((SHARED_DATA / "classification.json").read_text(encoding="utf-8"))
    return [
        v["value"]
        for v in data["fields"][field]["values"]
        if v["status"] == status and v["value"] != "No Definido"
    ]


def document_types() -> list[str]:
    """Identity documents of a natural person (no NIT, no documents of minors)."""
    data = json.loads((SHARED_DATA / "document_types.json").read_text(encoding="utf-8"))
    skip = {
        "NIT",
        "NIT de otro país",
        "Tarjeta de identidad",
        "Registro civil",
        "Tarjeta de extranjería",
        "No Definido",
    }
    return [t["label"] for t in data["types"] if t["label"] not in skip]


def choices(values, titles=None) -> list[dict]:
    titles = titles or {}
    return [{"const": v, "title": titles.get(v, v)} for v in values]


def text(title: str, required: str = REQUIRED, errors: dict | None = None, **extra) -> dict:
    return {
        "type": "string",
        "title": title,
        **extra,
        "errorMessage": {"required": required, **(errors or {})},
    }


def select(title: str, values, required: str = "Seleccione una opción.", titles=None, **extra) -> dict:
    return {
        "type": "string",
        "title": title,
        "oneOf": choices(values, titles),
        **extra,
        "errorMessage": {"required": required, "oneOf": "Seleccione una opción de la lista."},
    }


def boolean(title: str, **extra) -> dict:
    return {"type": "boolean", "title": title, "default": False, **extra}


def document(slot: str) -> dict:
    title, description = DOCUMENT_SLOTS[slot]
    return {
        "type": "string",
        "format": "document",
        "title": title,
        "description": description,
        "errorMessage": {"required": f"Anexe el documento obligatorio: {title}."},
    }


def when(field: str, value, then_required: list[str]) -> dict:
    """if ``field`` == ``value`` then the listed fields are required (conditional fields)."""
    return {
        "if": {"properties": {field: {"const": value}}, "required": [field]},
        "then": {"required": then_required},
    }


def form(title: str, properties: dict, required: list[str], description: str | None = None, **extra) -> dict:
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "title": title, "type": "object"}
    if description:
        schema["description"] = description
    schema.update({"properties": properties, "required": required, **extra})
    return schema


def ui(order: list[str], submit: str, widgets: dict | None = None, **extra) -> dict:
    schema = {"ui:order": order, "ui:submitButtonOptions": {"submitText": submit}}
    for name, options in (widgets or {}).items():
        schema[name] = options
    schema.update(extra)
    return schema

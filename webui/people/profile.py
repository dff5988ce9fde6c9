"""The editable personal data of "Mis datos de usuario" and its checks (D1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from webui.core import users

# (attribute, label, input type, required, autocomplete)
PROFILE_FIELDS = [
    ("first_names", "Nombres", "text", True, "given-name"),
    ("last_names", "Apellidos", "text", True, "family-name"),
    ("document_type", "Tipo de documento", "select", True, None),
    ("document_number", "Número de documento", "text", True, None),
    ("email", "Correo electrónico", "email", True, "email"),
    ("phone", "Teléfono", "tel", True, "tel"),
    ("time_zone", "Zona horaria", "text", True, None),
]
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def document_types() -> list[tuple[str, str]]:
    """Identity document types, from the same list the registration form uses when present."""
    for path in (Path(__file__).resolve().parent.parent / "forms" / "registrar_usuario-schema.json",):
        if path.exists():
            prop = json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get("document_type", {})
            items = prop.get("oneOf") or [{"const": v, "title": v} for v in prop.get("enum", [])]
            if items:
                return [(str(i["const"]), i.get("title", str(i["const"]))) for i in items]
    return [(v, v) for v in ("Cédula de Ciudadanía", "Cédula de Extranjería", "Pasaporte", "NIT")]


def validate_profile(values: dict, user) -> dict[str, str]:
    """Every error at once; Tipo/Número de documento and email must stay filled in."""
    errors = {}
    for name, label, _kind, required, _ac in PROFILE_FIELDS:
        if required and not values.get(name):
            errors[name] = f"«{label}» es obligatorio."
    if values.get("email") and not EMAIL.fullmatch(values["email"]):
        errors["email"] = "Escriba un correo electrónico válido, por ejemplo nombre@dominio.gov.co."
    elif values.get("email"):
        other = users.find_by_email(values["email"])
        if other is not None and other.id != user.id:
            errors["email"] = "Ya existe un usuario registrado con este correo electrónico."
    if values.get("document_number") and not re.fullmatch(r"[0-9A-Za-z]{3,20}", values["document_number"]):
        errors["document_number"] = "Escriba el número sin puntos, espacios ni guiones."
    if values.get("phone") and not re.fullmatch(r"[0-9+ ()-]{7,20}", values["phone"]):
        errors["phone"] = "Escriba un teléfono válido, sin extensiones."
    return errors

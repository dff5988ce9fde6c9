"""Pure rules of the guide, free of the database: entity-name normalisation (§6), the NIT
and its check digit (§6), DIVIPOLA look-ups, the IANA zone each "Zona horaria" of the
registration form means (§4).
The rules of the fields a person types (password, username, phone, document types, the list
of time zones) are written once, in forms/registrar_usuario-schema.json."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from stdnum.co import nit as stdnum_nit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Marks that are simply dropped ("E.S.E." -> "ESE", "S.A." -> "SA").
_PUNCTUATION = set(".,;:'\"´`¨¿?¡!()[]{}«»“”‘’")
_HYPHENS = "-‐‑‒–—―"


def normalize_entity_name(name: str) -> str:
    """The legal name as the guide asks for it: upper case, no accents (Ñ stays: it is a
    letter, not an accent), no punctuation or special characters, " - " around hyphens.
    Returns "" when nothing usable is left."""
    text = (name or "").strip()
    for hyphen in _HYPHENS:
        text = text.replace(hyphen, " - ")
    result = []
    for char in text:
        if char in "ñÑ":
            result.append("Ñ")
            continue
        base = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in base if not unicodedata.combining(c))
        for c in base:
            if c in _PUNCTUATION:
                continue
            if c.isascii() and (c.isalnum() or c in " -"):
                result.append(c.upper())
            else:
                result.append(" ")  # special characters (&, /, #, @…) separate words
    collapsed = re.sub(r"\s+", " ", "".join(result)).strip()
    collapsed = re.sub(r"(\s*-\s*)+", " - ", collapsed).strip(" -")
    return collapsed if re.search(r"[A-ZÑ]", collapsed) else ""


def nit_digits(value: str) -> str:
    """What the user typed, without dots, spaces and dashes."""
    return re.sub(r"[\s.\-]", "", str(value or ""))


def nit_check_digit(nit: str) -> str:
    """DIAN's check digit (python-stdnum), e.g. 800197268 -> "4"."""
    return stdnum_nit.calc_check_digit(nit_digits(nit))


def nit_problem(value: str) -> str | None:
    """Spanish reason why ``value`` is not a NIT base number (9 digits, no check digit)."""
    text = str(value or "").strip()
    if not re.fullmatch(r"\d+", text):
        return "Escriba el NIT solo con números, sin puntos, guiones, espacios ni dígito de verificación."
    if len(text) == 10 and nit_check_digit(text[:9]) == text[9]:
        return f"Escriba el NIT sin el dígito de verificación: {text[:9]}."
    if len(text) != 9:
        return "El NIT de una Entidad Estatal tiene 9 dígitos (sin el dígito de verificación)."
    return None


@lru_cache(maxsize=1)
def divipola() -> list[dict[str, str]]:
    with (DATA_DIR / "divipola.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def departments() -> list[tuple[str, str]]:
    with (DATA_DIR / "departments.csv").open(encoding="utf-8") as handle:
        rows = [(r["department_code"], r["department_name"]) for r in csv.DictReader(handle)]
    return sorted(rows, key=lambda row: row[1])


def municipalities(department_code: str | None) -> list[tuple[str, str]]:
    """(code, name) of the department's municipalities by name; [] for an unknown code."""
    return list(_municipalities_by_department().get(department_code, ()))


@lru_cache(maxsize=1)
def _municipalities_by_department() -> dict[str, tuple[tuple[str, str], ...]]:
    """DIVIPOLA grouped once: a form drawn without a department chosen lists every
    department's municipalities, which scanned all 1,122 rows once per department (34 scans,
    ~1.3 ms of the "Información general" page)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for r in divipola():
        groups.setdefault(r["department_code"], []).append((r["municipality_code"], r["municipality_name"]))
    return {code: tuple(sorted(rows, key=lambda row: row[1])) for code, rows in groups.items()}


def department_name(department_code: str | None) -> str:
    """DIVIPOLA's name of a department ("05" -> "ANTIOQUIA"), or the code if unknown."""
    return dict(departments()).get(department_code or "", department_code or "")


@lru_cache(maxsize=1)
def _municipality_names() -> dict[str, str]:
    return {row["municipality_code"]: row["municipality_name"] for row in divipola()}


def municipality_name(municipality_code: str | None) -> str:
    """DIVIPOLA's name of a municipality ("05001" -> "MEDELLÍN"), or the code if unknown."""
    return _municipality_names().get(municipality_code or "", municipality_code or "")


def place_name(municipality_code: str | None) -> str:
    for row in divipola():
        if row["municipality_code"] == municipality_code:
            return f"{row['municipality_name']}, {row['department_name']}"
    return ""


# "Zona horaria" as the registration form offers it (forms/registrar_usuario-schema.json),
# and the IANA zone each label means: instants are stored in UTC and shown in this zone.
TIME_ZONES = {
    "(UTC-05:00) Bogotá, Lima, Quito": "America/Bogota",
    "(UTC-06:00) América Central": "America/Guatemala",
    "(UTC-04:00) Caracas, La Paz": "America/Caracas",
    "(UTC-03:00) Buenos Aires, Brasilia": "America/Argentina/Buenos_Aires",
    "(UTC+01:00) Madrid, París, Roma": "Europe/Madrid",
}
DEFAULT_TIME_ZONE = "America/Bogota"  # §4: "debe ser configurada como (UTC-05:00) Bogotá, Lima, Quito"


@lru_cache(maxsize=64)
def time_zone(stored: str | None) -> ZoneInfo:
    """The zone of a user's stored "Zona horaria" (a form label, or an IANA name); Bogotá
    for anonymous visitors and for anything unknown."""
    name = TIME_ZONES.get(stored or "", stored or "")
    if "/" in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_TIME_ZONE)

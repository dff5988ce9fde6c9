"""Sector and Tipo de Entidad of an Entidad Estatal account (§6, "Orden", "Rama", "Sector",
"Tipo de Entidad"): the values the forms store and the labels people read.

Values are kept exactly as SECOP II's open data publishes them (datos.gov.co jbjy-vk9h, see
engine/data/README.md): a stored "agricultura" must match the public datasets, so only the
label shown to people is capitalised.
"""

from __future__ import annotations

# (stored value, label) in the order of the form's list.
SECTORS: tuple[tuple[str, str], ...] = (
    ("agricultura", "Agricultura"),
    ("Ambiente y Desarrollo Sostenible", "Ambiente y Desarrollo Sostenible"),
    ("Ciencia Tecnología", "Ciencia Tecnología"),
    ("Cultura", "Cultura"),
    ("defensa", "Defensa"),
    ("deportes", "Deportes"),
    ("Educación Nacional", "Educación Nacional"),
    ("Hacienda y Crédito Público", "Hacienda y Crédito Público"),
    ("Inclusión Social y Reconciliación", "Inclusión Social y Reconciliación"),
    ("Industria", "Industria"),
    ("Información Estadística", "Información Estadística"),
    ("Inteligencia Estratégica y Contrainteligencia", "Inteligencia Estratégica y Contrainteligencia"),
    ("interior", "Interior"),
    ("Ley de Justicia", "Ley de Justicia"),
    ("Minas y Energía", "Minas y Energía"),
    ("No aplica/No pertenece", "No aplica / No pertenece"),
    ("Planeación", "Planeación"),
    ("Presidencia de la República", "Presidencia de la República"),
    ("Relaciones Exteriores", "Relaciones Exteriores"),
    ("Salud y Protección Social", "Salud y Protección Social"),
    ("Servicio Público", "Servicio Público"),
    (
        "Tecnologías de la Información y las Comunicaciones",
        "Tecnologías de la Información y las Comunicaciones",
    ),
    ("Trabajo", "Trabajo"),
    ("Transporte", "Transporte"),
    ("Vivienda, Ciudad y Territorio", "Vivienda, Ciudad y Territorio"),
)

ORDERS = ("Territorial", "Nacional", "Corporación Autónoma")

# Tipo de Entidad (Ley 489 de 1998 and Constitución Política), each with the Orden values it
# exists in: the national sector's central bodies (Ley 489 art. 38) are national only, the
# territorial entities (Constitución art. 286) and their elected corporations territorial
# only; the decentralised kinds of art. 38 and 68, the autonomous universities and the
# control bodies exist at both levels; the Corporaciones Autónomas Regionales have an Orden
# of their own in SECOP II's data.
_NATIONAL, _TERRITORIAL, _BOTH = ("Nacional",), ("Territorial",), ("Nacional", "Territorial")
ENTITY_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Presidencia de la República", _NATIONAL),
    ("Vicepresidencia de la República", _NATIONAL),
    ("Ministerio", _NATIONAL),
    ("Departamento Administrativo", _NATIONAL),
    ("Superintendencia (sin personería jurídica)", _NATIONAL),
    ("Unidad Administrativa Especial (sin personería jurídica)", _NATIONAL),
    ("Establecimiento Público", _BOTH),
    ("Empresa Industrial y Comercial del Estado", _BOTH),
    ("Superintendencia / Unidad Administrativa Especial con personería jurídica", _NATIONAL),
    ("Empresa Social del Estado", _BOTH),
    ("Empresa Oficial de Servicios Públicos", _BOTH),
    ("Sociedad de Economía Mixta", _BOTH),
    ("Instituto Científico y Tecnológico", _NATIONAL),
    ("Agencia Estatal / otras entidades descentralizadas", _BOTH),
    ("Departamento (Gobernación)", _TERRITORIAL),
    ("Distrito", _TERRITORIAL),
    ("Municipio (Alcaldía)", _TERRITORIAL),
    ("Territorio indígena", _TERRITORIAL),
    ("Corporación Autónoma Regional", ("Corporación Autónoma",)),
    ("Ente Universitario Autónomo", _BOTH),
    ("Órgano de control", _BOTH),
    ("Organización electoral", _NATIONAL),
    ("Corporación pública de elección popular (Asamblea / Concejo)", _TERRITORIAL),
)

_SECTOR_LABELS = dict(SECTORS)


def sector_label(value: str | None) -> str:
    """What people read for a stored sector ("agricultura" -> "Agricultura")."""
    return _SECTOR_LABELS.get(value or "", value or "")


def entity_types(order: str | None) -> list[tuple[str, str]]:
    """The Tipo de Entidad choices for an Orden: (value, label) pairs."""
    return [(value, value) for value, orders in ENTITY_TYPES if order in orders]

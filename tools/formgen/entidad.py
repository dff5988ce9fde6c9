"""Forms of the entity account: registration (§6), activation (§7), Perfil Mixto (§7 nota)."""

from __future__ import annotations

from tools.formgen.common import DOCUMENT_SLOTS
from tools.formgen.common import FORMAT_SLOTS
from tools.formgen.common import FORMATS_LINK
from tools.formgen.common import boolean
from tools.formgen.common import classification
from tools.formgen.common import document
from tools.formgen.common import form
from tools.formgen.common import select
from tools.formgen.common import text
from tools.formgen.common import ui
from tools.formgen.common import when

NIT_HELP = "NIT sin código de verificación ni caracteres especiales (solo números)."
CERTIFICATE_DATE = {
    "type": "string",
    "format": "date",
    "title": "Fecha de expedición del certificado de existencia",
    "description": "El certificado no puede tener más de 90 días de expedido.",
    "x-check": "max_age_days_90",
    "errorMessage": {
        "required": "Escriba la fecha de expedición del certificado de existencia y representación legal.",
        "format": "Escriba una fecha válida (día/mes/año), por ejemplo 15/03/2026.",
    },
}


def _nit(title: str) -> dict:
    return text(
        title, "Escriba el NIT de la Entidad.", description=NIT_HELP, maxLength=15, **{"x-check": "nit_base"}
    )


def _place() -> dict:
    return {
        "department": select(
            "Departamento", [], "Seleccione el departamento.", **{"x-options": "departments"}
        ),
        "municipality": select(
            "Municipio",
            [],
            "Seleccione el municipio.",
            **{
                "x-options": "municipalities",
                "x-dependsOn": "department",
                "x-check": "municipality_in_department",
            },
        ),
    }


def _municipality_message(prop: dict) -> dict:
    # x-options and x-check refuse the same thing: one message says it for both.
    prop["errorMessage"]["enum"] = "El municipio no pertenece al departamento seleccionado."
    return prop


def _without_inline_list(prop: dict) -> dict:
    prop.pop("oneOf", None)  # options come from the registered source
    prop["errorMessage"].pop("oneOf", None)
    return prop


def validar_entidad():
    fields = {
        "entity_name": text(
            "Entidad/Proveedor/Persona Natural/Veedor/Veeduría",
            "Confirme el nombre de la Entidad.",
            minLength=3,
            maxLength=250,
        ),
        "nit": _nit("Número de documento"),
    }
    return (
        form(
            "Validar",
            fields,
            list(fields),
            description="Confirme que la Entidad no tenga ya una cuenta registrada.",
        ),
        ui(list(fields), "Validar", {"nit": {"ui:placeholder": "800197268"}}),
    )


def registrar_primera_parte():
    fields = {
        "country": select("País", ["Colombia"], "Confirme el país.", default="Colombia"),
        "account_type": select(
            "Tipo de cuenta", ["Entidad Estatal"], "Seleccione el tipo de cuenta.", default="Entidad Estatal"
        ),
        "siif_registered": boolean(
            "¿Entidad registrada en el SIIF?",
            description="Sistema Integrado de Información Financiera del Ministerio de Hacienda "
            "y Crédito Público (entidades del Orden Nacional).",
        ),
        "pci_code": text(
            "Código de unidad/subunidad ejecutora",
            "Escriba el código de unidad/subunidad ejecutora (PCI).",
            {"pattern": "Escriba el código PCI con números y guiones, por ejemplo 13-01-01-000."},
            pattern="^[0-9]{2}(-[0-9]{2,3}){1,4}$",
            description="Posición de Catálogo Institucional (PCI) en el SIIF.",
        ),
        "spgr_registered": boolean(
            "¿Entidad registrada en SPGR?",
            description="Sistema de Presupuesto y Giro de Regalías (entidades del Orden Territorial).",
        ),
        "spgr_code": text(
            "Código de unidad/subunidad ejecutora SPGR",
            "Escriba el código de unidad/subunidad ejecutora SPGR.",
            {"pattern": "Escriba el código SPGR solo con números y guiones."},
            pattern="^[0-9][0-9-]{1,19}$",
        ),
        "business_area": select(
            "Área de negocio de la Entidad",
            ["Público", "Público y Privado", "Privado"],
            "Seleccione el área de negocio de la Entidad.",
            description='"Público y Privado" si la Entidad tiene presupuesto privado pero también '
            'contrata con recursos públicos; "Privado" para particulares a los que se asigna '
            "recurso público.",
        ),
        "organization_type": select(
            "Tipo de organización",
            [
                "Entidad Estatal (De acuerdo con la definición del Decreto 1082 del 2015)",
                "Otras Entidades públicas",
            ],
            "Seleccione el tipo de organización.",
        ),
    }
    schema = form(
        "Registro de una nueva Entidad Estatal",
        fields,
        ["country", "account_type", "business_area", "organization_type"],
        allOf=[when("siif_registered", True, ["pci_code"]), when("spgr_registered", True, ["spgr_code"])],
    )
    return schema, ui(
        list(fields),
        "Generar formulario",
        {
            "business_area": {"ui:widget": "radio"},
            "organization_type": {"ui:widget": "radio"},
            "country": {"ui:widget": "select"},
            "account_type": {"ui:widget": "select"},
        },
    )


def informacion_general():
    fields = {
        "account_name": text(
            "Nombre de la Entidad Estatal",
            "Escriba el nombre de la Entidad Estatal.",
            maxLength=250,
            description="Nombre legal, sin tildes, en mayúscula sostenida, sin caracteres especiales "
            "ni signos de puntuación y con un espacio antes y después de cada guion.",
            **{"x-check": "entity_name_normalized"},
        ),
        "short_name": text(
            "Nombre Abreviado",
            "Escriba el nombre abreviado.",
            {"pattern": "Escriba el nombre abreviado en mayúscula sostenida."},
            maxLength=250,
            pattern="^[^a-zà-ÿ]+$",
            description="El mismo nombre completo, en mayúscula sostenida.",
        ),
        "entity_document_type": select(
            "Tipo de documento", ["NIT"], "Seleccione el tipo de documento.", default="NIT"
        ),
        "nit": _nit("NIT"),
        **{name: _without_inline_list(prop) for name, prop in _place().items()},
        "decentralized": boolean("¿Entidad Descentralizada?"),
        "parent_account_id": {
            "type": "integer",
            "title": "Entidad Estatal de la que depende",
            "description": "Seleccione la Entidad desde el Directorio del SECOP II: debe estar "
            "registrada en la plataforma.",
            "x-options": "active_accounts",
            "errorMessage": {
                "required": "Seleccione la Entidad Estatal de la que depende.",
                "enum": "Seleccione una Entidad registrada en el Directorio.",
            },
        },
        "order": select("Orden", classification("orden"), "Seleccione el orden de la Entidad."),
        "branch": select("Rama", classification("rama"), "Seleccione la rama."),
        # Sector and Tipo de Entidad come from engine/domain/classification.py: the stored
        # values as SECOP II publishes them, capitalised labels, types narrowed by Orden.
        "sector": {
            "type": "string",
            "title": "Sector",
            "x-options": "sectors",
            "errorMessage": {
                "required": "Seleccione el sector.",
                "enum": "Seleccione un sector de la lista.",
            },
        },
        "entity_type": {
            "type": "string",
            "title": "Tipo de Entidad",
            "x-options": "entity_types",
            "x-dependsOn": "order",
            "description": "La lista depende del orden seleccionado.",
            "errorMessage": {
                "required": "Seleccione el tipo de Entidad.",
                "enum": "El tipo de Entidad no corresponde al orden seleccionado: "
                "elija uno de la lista de ese orden.",
            },
        },
        "account_address": text(
            "Dirección", "Escriba la dirección de la sede principal.", minLength=5, maxLength=250
        ),
        "account_phone": text(
            "Teléfono",
            "Escriba el teléfono de contacto.",
            {"pattern": "Escriba el teléfono solo con números (7 a 10 dígitos), sin extensiones."},
            pattern="^[0-9]{7,10}$",
        ),
        "notification_email": text(
            "Correo electrónico para notificaciones SECOP II",
            "Escriba el correo electrónico para notificaciones.",
            {"format": "Escriba un correo electrónico válido, por ejemplo contratacion@entidad.gov.co."},
            format="email",
            maxLength=254,
            description="A este correo llegarán todos los mensajes y alertas de la cuenta. "
            "No use grupos o listas de distribución.",
        ),
        "delegated": boolean(
            "¿El Ordenador del Gasto actúa por delegación?",
            description="Si es así deberá anexar el acto de delegación y el acta de posesión del delegado.",
        ),
        "action": select(
            "¿Qué desea hacer?",
            ["continuar", "modificar"],
            "Seleccione continuar o modificar.",
            titles={
                "continuar": "Continuar con los documentos",
                "modificar": "Modificar la primera parte del formulario",
            },
            default="continuar",
        ),
    }
    _municipality_message(fields["municipality"])
    to_fill = [
        name for name in fields if name not in ("parent_account_id", "decentralized", "delegated", "action")
    ]
    schema = form(
        "Información general",
        fields,
        ["action"],
        allOf=[when("action", "continuar", to_fill), when("decentralized", True, ["parent_account_id"])],
    )
    return schema, ui(
        list(fields),
        "Continuar",
        {
            "department": {"ui:widget": "select"},
            "municipality": {"ui:widget": "select"},
            "parent_account_id": {"ui:widget": "autocomplete"},
            "action": {"ui:widget": "radio"},
            "order": {"ui:widget": "select"},
            "branch": {"ui:widget": "select"},
            "sector": {"ui:widget": "select"},
            "entity_type": {"ui:widget": "select"},
            "notification_email": {"ui:help": "No relacione grupos de distribución de correo."},
        },
    )


def _format_links() -> dict:
    return {slot: {"ui:links": [FORMATS_LINK]} for slot in FORMAT_SLOTS}


def _documents() -> dict:
    return {slot: document(slot) for slot in DOCUMENT_SLOTS}


def anexar_documentos():
    fields = {**_documents(), "certificado_fecha_expedicion": dict(CERTIFICATE_DATE)}
    schema = form(
        "Anexar documentos",
        fields,
        [],
        **{"x-requiredFrom": "documentos_obligatorios"},
        allOf=[
            {
                "if": {"required": ["certificado_existencia"]},
                "then": {"required": ["certificado_fecha_expedicion"]},
            }
        ],
    )
    return schema, ui(list(fields), "Finalizar", _format_links())


def corregir_documentos():
    fields = {
        **_documents(),
        "certificado_fecha_expedicion": dict(CERTIFICATE_DATE),
        "correction_notes": text(
            "Descripción de la corrección", "Describa la corrección realizada.", maxLength=2000
        ),
    }
    for slot in DOCUMENT_SLOTS:
        fields[slot] = {**fields[slot], "description": "Anexe solo los documentos que reemplaza."}
    schema = form(
        "Corregir documentos",
        fields,
        ["correction_notes"],
        allOf=[
            {
                "if": {"required": ["certificado_existencia"]},
                "then": {"required": ["certificado_fecha_expedicion"]},
            }
        ],
    )
    return schema, ui(
        list(fields), "Enviar corrección", {**_format_links(), "correction_notes": {"ui:widget": "textarea"}}
    )


FORMS = {
    "validar_entidad": validar_entidad,
    "registrar_primera_parte": registrar_primera_parte,
    "informacion_general": informacion_general,
    "anexar_documentos": anexar_documentos,
    "corregir_documentos": corregir_documentos,
}

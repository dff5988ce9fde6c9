"""Forms of the user's procedures: registration (§4) and access requests (§8)."""

from __future__ import annotations

from tools.formgen.common import PASSWORD_PATTERN
from tools.formgen.common import TERMS_URL
from tools.formgen.common import boolean
from tools.formgen.common import document_types
from tools.formgen.common import form
from tools.formgen.common import select
from tools.formgen.common import text
from tools.formgen.common import ui
from tools.formgen.common import when

PASSWORD_RULE = (
    "La contraseña debe tener por lo menos ocho (8) caracteres "
    "e incluir letras, números y caracteres especiales."
)
DOCUMENT_NUMBER_RULE = (
    "Escriba el número de documento sin puntos, espacios ni guiones (para cédulas, solo números)."
)
TIME_ZONES = [
    "(UTC-05:00) Bogotá, Lima, Quito",
    "(UTC-06:00) América Central",
    "(UTC-04:00) Caracas, La Paz",
    "(UTC-03:00) Buenos Aires, Brasilia",
    "(UTC+01:00) Madrid, París, Roma",
]
NUMERIC_DOCUMENTS = [
    "Cédula de ciudadanía",
    "Cédula de extranjería",
    "NUIP",
    "PEP (Permiso Especial de Permanencia)",
    "PPT (Permiso por Protección Temporal)",
]


def registrar_usuario():
    fields = {
        "first_names": text(
            "Nombres",
            "Escriba sus nombres.",
            {"minLength": "Escriba sus nombres completos."},
            minLength=2,
            maxLength=120,
            description="Como aparecen en su documento de identificación.",
        ),
        "last_names": text(
            "Apellidos",
            "Escriba sus apellidos.",
            {"minLength": "Escriba sus apellidos completos."},
            minLength=2,
            maxLength=120,
            description="Como aparecen en su documento de identificación.",
        ),
        "document_type": select("Tipo de documento", document_types(), "Seleccione el tipo de documento."),
        "document_number": text(
            "Número de documento",
            "Escriba el número de documento.",
            {"pattern": DOCUMENT_NUMBER_RULE},
            pattern="^[A-Za-z0-9]{3,20}$",
        ),
        "email": text(
            "Correo electrónico",
            "Escriba su correo electrónico.",
            {"format": "Escriba un correo electrónico válido, por ejemplo nombre@dominio.gov.co."},
            format="email",
            maxLength=254,
            **{"x-check": "email_available"},
            description="Un correo al que tenga acceso ahora: allí llegará el enlace de activación y le "
            "permitirá recuperar su usuario y contraseña.",
        ),
        "phone": text(
            "Teléfono",
            "Escriba su número de teléfono.",
            {"pattern": "Escriba el teléfono solo con números (7 a 15 dígitos), sin extensiones."},
            pattern=r"^\+?[0-9]{7,15}$",
        ),
        "username": text(
            "Nombre de usuario",
            "Escriba un nombre de usuario.",
            {
                "pattern": "El nombre de usuario debe tener entre 4 y 30 caracteres: letras sin tildes, "
                "números, punto, guion o guion bajo."
            },
            pattern="^[A-Za-z0-9._-]{4,30}$",
            **{"x-check": "username_available"},
        ),
        "password": text(
            "Contraseña",
            "Escriba una contraseña.",
            {"minLength": PASSWORD_RULE, "pattern": PASSWORD_RULE},
            minLength=8,
            pattern=PASSWORD_PATTERN,
            writeOnly=True,
            description=PASSWORD_RULE,
        ),
        "password_confirmation": text(
            "Confirmar contraseña",
            "Confirme la contraseña.",
            {"x-sameAs": "Las contraseñas no coinciden."},
            writeOnly=True,
            **{"x-sameAs": "password"},
        ),
        "time_zone": select(
            "Zona horaria",
            TIME_ZONES,
            "Seleccione la zona horaria.",
            default="(UTC-05:00) Bogotá, Lima, Quito",
        ),
        "entity_name": text(
            "Entidad/Proveedor/Persona Natural/Veedor/Veeduría",
            "Escriba el nombre de la Entidad, el Proveedor o la Veeduría.",
            {"minLength": "Escriba el nombre completo."},
            minLength=3,
            maxLength=250,
            description="Para solicitar acceso a una cuenta ya registrada, escriba el nombre tal "
            "como aparece en el SECOP II y selecciónelo de la lista. Para registrar una nueva cuenta "
            "de Entidad Estatal, escriba el nombre de la Entidad.",
            **{"x-options": "account_names", "x-freeText": True},
        ),
        "accept_terms": boolean(
            "Acepto los términos y condiciones de uso del SECOP II",
            const=True,
            errorMessage={
                "const": "Debe aceptar los términos y condiciones para continuar.",
                "required": "Debe aceptar los términos y condiciones para continuar.",
            },
        ),
    }
    numeric = {
        "if": {"properties": {"document_type": {"enum": NUMERIC_DOCUMENTS}}, "required": ["document_type"]},
        "then": {"properties": {"document_number": {"pattern": "^[0-9]{3,15}$"}}},
    }
    schema = form(
        "Registrar usuario",
        fields,
        list(fields),
        allOf=[numeric],
        description="Sección 1 de 3 del registro de usuarios del SECOP II.",
    )
    uischema = ui(
        list(fields),
        "Continuar",
        {
            "password": {"ui:widget": "password"},
            "password_confirmation": {"ui:widget": "password"},
            "document_type": {"ui:widget": "select"},
            "time_zone": {"ui:widget": "select"},
            "entity_name": {"ui:widget": "autocomplete"},
            "accept_terms": {
                "ui:widget": "checkbox",
                "ui:links": [
                    {"text": "Consultar los términos y condiciones de uso del SECOP II", "href": TERMS_URL}
                ],
            },
            "email": {"ui:placeholder": "nombre@dominio.gov.co"},
        },
    )
    return schema, uischema


def crear_o_solicitar_acceso():
    fields = {
        "registration_path": select(
            "¿Qué desea hacer?",
            ["registrar", "solicitar"],
            "Seleccione si va a registrar una cuenta o a solicitar acceso.",
            titles={
                "registrar": "Registrar una nueva cuenta de Entidad Estatal como Usuario Administrador",
                "solicitar": "Solicitar acceso a una cuenta de Entidad Estatal ya registrada",
            },
        ),
    }
    return (
        form(
            "Crear o solicitar acceso a una Entidad",
            fields,
            list(fields),
            description="Sección 3 de 3 del registro de usuarios del SECOP II.",
        ),
        ui(list(fields), "Continuar", {"registration_path": {"ui:widget": "radio"}}),
    )


def buscar_cuenta():
    fields = {
        "entity_name": text(
            "Nombre completo de la cuenta o NIT",
            "Escriba el nombre completo de la cuenta o su NIT.",
            {"minLength": "Escriba el nombre completo de la cuenta o su NIT."},
            minLength=3,
            maxLength=250,
            description="Confirme con el Usuario Administrador de la cuenta el nombre con el que se "
            "encuentra registrada en la plataforma.",
        ),
    }
    return form("Buscar cuenta", fields, list(fields)), ui(list(fields), "Buscar")


def solicitar_acceso():
    return form("Solicitud de acceso", {}, []), ui([], "Solicitar")


PERMISSIONS = [
    "Plan Anual de Adquisiciones",
    "Procesos de Contratación",
    "Evaluación de ofertas",
    "Gestión de contratos",
    "Aprobaciones",
    "Configuración de la cuenta",
]


def revisar_solicitud_acceso():
    fields = {
        "decision": select(
            "Decisión",
            ["aceptar", "rechazar"],
            "Seleccione si acepta o rechaza la solicitud.",
            titles={"aceptar": "Aceptar", "rechazar": "Rechazar"},
        ),
        "role": select(
            "Rol del usuario en la cuenta",
            ["Administrador", "Comprador"],
            "Seleccione el rol del usuario en la cuenta.",
        ),
        "permissions": {
            "type": "array",
            "title": "Permisos",
            "uniqueItems": True,
            "items": {"type": "string", "enum": PERMISSIONS},
            "errorMessage": {"enum": "Seleccione permisos de la lista."},
        },
        "reason": text(
            "Observaciones", maxLength=1000, description="Motivo del rechazo u observaciones para el usuario."
        ),
    }
    schema = form(
        "Revisar solicitud de acceso", fields, ["decision"], allOf=[when("decision", "aceptar", ["role"])]
    )
    return schema, ui(
        list(fields),
        "Guardar decisión",
        {
            "decision": {"ui:widget": "radio"},
            "role": {"ui:widget": "radio"},
            "permissions": {"ui:widget": "checkboxes"},
            "reason": {"ui:widget": "textarea"},
        },
    )


FORMS = {
    "registrar_usuario": registrar_usuario,
    "crear_o_solicitar_acceso": crear_o_solicitar_acceso,
    "buscar_cuenta": buscar_cuenta,
    "solicitar_acceso": solicitar_acceso,
    "revisar_solicitud_acceso": revisar_solicitud_acceso,
}

"""Forms of the Mesa de Servicio's procedures (guide §7): support case, decisions, Perfil Mixto."""

from __future__ import annotations

from tools.formgen.common import form
from tools.formgen.common import select
from tools.formgen.common import text
from tools.formgen.common import ui
from tools.formgen.common import when

SUBJECT = "Gestión de registro y configuración de Entidades Estatales"


def solicitar_activacion():
    fields = {
        "first_names": text("Nombres", "Escriba sus nombres.", maxLength=120),
        "last_names": text("Apellidos", "Escriba sus apellidos.", maxLength=120),
        "document_number": text("Número de documento", "Escriba su número de documento.", maxLength=20),
        "account_name": text(
            "Nombre de la Entidad Estatal", "Escriba el nombre de la Entidad Estatal.", maxLength=250
        ),
        "department": {
            "type": "string",
            "title": "Departamento",
            "x-options": "departments",
            "errorMessage": {"required": "Seleccione el departamento."},
        },
        "municipality": {
            "type": "string",
            "title": "Municipio",
            "x-options": "municipalities",
            "x-dependsOn": "department",
            "x-check": "municipality_in_department",
            "errorMessage": {
                "required": "Seleccione el municipio.",
                "enum": "El municipio no pertenece al departamento seleccionado.",
            },
        },
        "email": text(
            "Correo electrónico",
            "Escriba su correo electrónico.",
            {"format": "Escriba un correo electrónico válido."},
            format="email",
            maxLength=254,
        ),
        "phone": text(
            "Teléfono y celular",
            "Escriba un teléfono o celular de contacto.",
            {"pattern": "Escriba el teléfono y el celular solo con números, separados por espacios."},
            pattern=r"^[0-9+][0-9 +]{6,40}$",
        ),
        "information_system": select(
            "Sistema de información", ["SECOP II"], 'Seleccione "SECOP II".', default="SECOP II"
        ),
        "request_type": select(
            "Tipo de solicitud",
            ["Solicitud", "Duda"],
            'Seleccione "Solicitud" o "Duda".',
            default="Solicitud",
        ),
        "subject": select("Asunto", [SUBJECT], f'Seleccione "{SUBJECT}".', default=SUBJECT),
        "user_type": select("Tipo de usuario", ["Comprador"], 'Seleccione "Comprador".', default="Comprador"),
        "description": text(
            "Descripción",
            "Describa la solicitud.",
            {"minLength": "Describa la solicitud con más detalle (al menos 20 caracteres)."},
            minLength=20,
            maxLength=4000,
            description="Indique el detalle de la solicitud (activación de la cuenta de la Entidad "
            "Estatal) con los datos generales y de contacto de la Entidad.",
        ),
    }
    schema = form(
        "Formulario de soporte – Solicitud de activación",
        fields,
        list(fields),
        description="1. Datos del usuario administrador. 2. Datos de la solicitud.",
    )
    return schema, ui(
        list(fields),
        "Enviar",
        {
            "department": {"ui:widget": "select"},
            "municipality": {"ui:widget": "select"},
            "information_system": {"ui:widget": "select"},
            "request_type": {"ui:widget": "radio"},
            "subject": {"ui:widget": "select"},
            "user_type": {"ui:widget": "select"},
            "description": {"ui:widget": "textarea"},
        },
    )


def validar_documentos():
    fields = {
        "decision": select(
            "Decisión",
            ["activar", "corregir"],
            "Seleccione la decisión.",
            titles={"activar": "Activar la cuenta", "corregir": "Solicitar a la Entidad corregir documentos"},
        ),
        "reason": text(
            "Motivo",
            "Indique qué documentos debe corregir la Entidad y por qué.",
            maxLength=2000,
            description="Obligatorio al solicitar corrección: la Entidad lo recibe por correo.",
        ),
    }
    schema = form(
        "Validar documentos y solicitud",
        fields,
        ["decision"],
        allOf=[when("decision", "corregir", ["reason"])],
    )
    return schema, ui(
        list(fields),
        "Registrar decisión",
        {"decision": {"ui:widget": "radio"}, "reason": {"ui:widget": "textarea"}},
    )


def solicitar_perfil_mixto():
    fields = {
        "request_type": select(
            "Tipo de solicitud", ["Solicitud"], 'Seleccione "Solicitud".', default="Solicitud"
        ),
        "description": text(
            "Descripción",
            "Explique por qué la Entidad necesita actuar también como Proveedor.",
            {"minLength": "Describa la solicitud con más detalle (al menos 20 caracteres)."},
            minLength=20,
            maxLength=4000,
        ),
    }
    return (
        form("Solicitud de Perfil Mixto", fields, list(fields)),
        ui(list(fields), "Enviar solicitud", {"description": {"ui:widget": "textarea"}}),
    )


def validar_perfil_mixto():
    fields = {
        "decision": select(
            "Decisión",
            ["habilitar", "rechazar"],
            "Seleccione la decisión.",
            titles={"habilitar": "Habilitar el perfil de Proveedor", "rechazar": "Rechazar la solicitud"},
        ),
        "reason": text("Motivo", "Indique el motivo del rechazo.", maxLength=2000),
    }
    schema = form(
        "Validar solicitud de Perfil Mixto",
        fields,
        ["decision"],
        allOf=[when("decision", "rechazar", ["reason"])],
    )
    return schema, ui(
        list(fields),
        "Registrar decisión",
        {"decision": {"ui:widget": "radio"}, "reason": {"ui:widget": "textarea"}},
    )


FORMS = {
    "solicitar_activacion": solicitar_activacion,
    "validar_documentos": validar_documentos,
    "solicitar_perfil_mixto": solicitar_perfil_mixto,
    "validar_perfil_mixto": validar_perfil_mixto,
}

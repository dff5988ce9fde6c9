"""Every rule of the forms in forms/: one valid value, one invalid value and the exact Spanish
message, validated by the engine (engine.forms) against a real database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine import Actor
from engine.context import CheckContext
from engine.domain.checks import today_in_colombia
from engine.forms import validate
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info
from tests.engine.onboarding import support_form
from tests.engine.onboarding import user_form

FORMS = Path(__file__).resolve().parents[2] / "forms"
PASSWORD_RULE = (
    "La contraseña debe tener por lo menos ocho (8) caracteres "
    "e incluir letras, números y caracteres especiales."
)
DOCUMENT_NUMBER_RULE = (
    "Escriba el número de documento sin puntos, espacios ni guiones (para cédulas, solo números)."
)
FROM_LIST = "Seleccione una opción de la lista."
OLD = (today_in_colombia() - dt.timedelta(days=91)).isoformat()
RECENT = (today_in_colombia() - dt.timedelta(days=89)).isoformat()
ACTIVE_ACCOUNT = 1  # created by the fixture below

BASES = {
    "registrar_usuario": user_form,
    "validar_entidad": lambda: {"entity_name": "Alcaldía de Chía", "nit": "899999172"},
    "registrar_primera_parte": first_part,
    "informacion_general": general_info,
    "solicitar_activacion": support_form,
    "corregir_documentos": lambda: {"correction_notes": "Se anexa el RUT actualizado."},
    "validar_documentos": lambda: {"decision": "activar"},
    "validar_perfil_mixto": lambda: {"decision": "habilitar"},
    "revisar_solicitud_acceso": lambda: {"decision": "aceptar", "role": "Comprador"},
    "buscar_cuenta": lambda: {"entity_name": "ALCALDIA MUNICIPAL DE CHIA"},
    "solicitar_perfil_mixto": lambda: {
        "request_type": "Solicitud",
        "description": "Provee servicios de impresión.",
    },
}

# (form, changes that are valid, changes that are not, field, exact message)
RULES = [
    (
        "registrar_usuario",
        {"first_names": "Ana"},
        {"first_names": None},
        "first_names",
        "Escriba sus nombres.",
    ),
    (
        "registrar_usuario",
        {"password": "Clave.Segura1", "password_confirmation": "Clave.Segura1"},
        {"password": "clave12345", "password_confirmation": "clave12345"},
        "password",
        PASSWORD_RULE,
    ),
    (
        "registrar_usuario",
        {"password": "Ab1!efgh", "password_confirmation": "Ab1!efgh"},
        {"password": "Ab1!", "password_confirmation": "Ab1!"},
        "password",
        PASSWORD_RULE,
    ),
    (
        "registrar_usuario",
        {"password": "sinNumeros!", "password_confirmation": "sinNumeros!"}
        and {"password": "Numeros123$", "password_confirmation": "Numeros123$"},
        {"password": "12345678!", "password_confirmation": "12345678!"},
        "password",
        PASSWORD_RULE,
    ),
    (
        "registrar_usuario",
        {},
        {"password_confirmation": "Otra.Clave1"},
        "password_confirmation",
        "Las contraseñas no coinciden.",
    ),
    (
        "registrar_usuario",
        {"username": "ana_2026"},
        {"username": "ana perez"},
        "username",
        "El nombre de usuario debe tener entre 4 y 30 caracteres: letras sin tildes, números, punto, guion "
        "o guion bajo.",
    ),
    (
        "registrar_usuario",
        {"username": "otra.persona"},
        {"username": "ya.registrado"},
        "username",
        "El nombre de usuario «ya.registrado» ya está registrado. Elija otro.",
    ),
    (
        "registrar_usuario",
        {"email": "otra@example.gov.co"},
        {"email": "ana@"},
        "email",
        "Escriba un correo electrónico válido, por ejemplo nombre@dominio.gov.co.",
    ),
    (
        "registrar_usuario",
        {"document_number": "52123456"},
        {"document_number": "52.123.456"},
        "document_number",
        DOCUMENT_NUMBER_RULE,
    ),
    (
        "registrar_usuario",
        {"document_type": "Pasaporte", "document_number": "AB123456"},
        {"document_number": "AB123456"},
        "document_number",
        DOCUMENT_NUMBER_RULE,
    ),
    (
        "registrar_usuario",
        {"document_type": "Cédula de extranjería"},
        {"document_type": "NIT"},
        "document_type",
        FROM_LIST,
    ),
    (
        "registrar_usuario",
        {"phone": "+573001234567"},
        {"phone": "300-123 ext 4"},
        "phone",
        "Escriba el teléfono solo con números (7 a 15 dígitos), sin extensiones.",
    ),
    (
        "registrar_usuario",
        {"accept_terms": True},
        {"accept_terms": False},
        "accept_terms",
        "Debe aceptar los términos y condiciones para continuar.",
    ),
    (
        "registrar_usuario",
        {"entity_name": "Veeduría Ciudadana Nueva"},
        {"entity_name": "AB"},
        "entity_name",
        "Escriba el nombre completo.",
    ),
    (
        "validar_entidad",
        {"nit": "800197268"},
        {"nit": "8001972684"},
        "nit",
        "Escriba el NIT sin el dígito de verificación: 800197268.",
    ),
    (
        "validar_entidad",
        {"nit": "899999172"},
        {"nit": "899.999.172"},
        "nit",
        "Escriba el NIT solo con números, sin puntos, guiones, espacios ni dígito de verificación.",
    ),
    (
        "validar_entidad",
        {"nit": "900123456"},
        {"nit": "12345"},
        "nit",
        "El NIT de una Entidad Estatal tiene 9 dígitos (sin el dígito de verificación).",
    ),
    (
        "registrar_primera_parte",
        {"siif_registered": True, "pci_code": "13-01-01-000"},
        {"siif_registered": True},
        "pci_code",
        "Escriba el código de unidad/subunidad ejecutora (PCI).",
    ),
    (
        "registrar_primera_parte",
        {"siif_registered": True, "pci_code": "13-01-01"},
        {"siif_registered": True, "pci_code": "PCI 13"},
        "pci_code",
        "Escriba el código PCI con números y guiones, por ejemplo 13-01-01-000.",
    ),
    (
        "registrar_primera_parte",
        {"spgr_registered": False, "spgr_code": None},
        {"spgr_code": None},
        "spgr_code",
        "Escriba el código de unidad/subunidad ejecutora SPGR.",
    ),
    (
        "registrar_primera_parte",
        {"business_area": "Privado"},
        {"business_area": "Mixto"},
        "business_area",
        FROM_LIST,
    ),
    (
        "informacion_general",
        {"account_name": "ALCALDIA MUNICIPAL DE CHIA - CUNDINAMARCA"},
        {"account_name": "Alcaldía Municipal de Chía–Cundinamarca"},
        "account_name",
        "Escriba el nombre sin tildes, en mayúscula sostenida, sin caracteres especiales ni signos de "
        "puntuación y con un espacio antes y después de cada guion. "
        "Forma sugerida: «ALCALDIA MUNICIPAL DE CHIA - CUNDINAMARCA».",
    ),
    (
        "informacion_general",
        {"account_name": "ESE HOSPITAL SAN RAFAEL"},
        {"account_name": "¡¡¡ ???"},
        "account_name",
        "Escriba el nombre legal de la Entidad con letras, sin caracteres especiales.",
    ),
    (
        "informacion_general",
        {"short_name": "ALCALDIA DE CHIA"},
        {"short_name": "Alcaldía de Chía"},
        "short_name",
        "Escriba el nombre abreviado en mayúscula sostenida.",
    ),
    (
        "informacion_general",
        {"department": "05", "municipality": "05001"},
        {"municipality": "05001"},
        "municipality",
        "El municipio no pertenece al departamento seleccionado.",
    ),
    (
        "informacion_general",
        {"department": "11", "municipality": "11001"},
        {"department": "00"},
        "department",
        FROM_LIST,
    ),
    (
        "informacion_general",
        {"decentralized": True, "parent_account_id": ACTIVE_ACCOUNT},
        {"decentralized": True},
        "parent_account_id",
        "Seleccione la Entidad Estatal de la que depende.",
    ),
    (
        "informacion_general",
        {"decentralized": True, "parent_account_id": ACTIVE_ACCOUNT},
        {"decentralized": True, "parent_account_id": 999},
        "parent_account_id",
        "Seleccione una Entidad registrada en el Directorio.",
    ),
    (
        "informacion_general",
        {"order": "Corporación Autónoma", "entity_type": "Corporación Autónoma Regional"},
        {"order": "No Definido"},
        "order",
        FROM_LIST,
    ),
    (
        "informacion_general",
        {"sector": "agricultura"},
        {"sector": "Agricultura y Desarrollo"},
        "sector",
        "Seleccione un sector de la lista.",
    ),
    (  # Tipo de Entidad narrowed by Orden (issue 13.5)
        "informacion_general",
        {"order": "Nacional", "entity_type": "Ministerio"},
        {"order": "Territorial", "entity_type": "Ministerio"},
        "entity_type",
        "El tipo de Entidad no corresponde al orden seleccionado: elija uno de la lista de ese orden.",
    ),
    (
        "informacion_general",
        {"order": "Corporación Autónoma", "entity_type": "Corporación Autónoma Regional"},
        {"order": "Nacional", "entity_type": "Corporación Autónoma Regional"},
        "entity_type",
        "El tipo de Entidad no corresponde al orden seleccionado: elija uno de la lista de ese orden.",
    ),
    (
        "informacion_general",
        {"account_phone": "6018844444"},
        {"account_phone": "601 8844444 ext 12"},
        "account_phone",
        "Escriba el teléfono solo con números (7 a 10 dígitos), sin extensiones.",
    ),
    (
        "informacion_general",
        {"notification_email": "contratos@entidad.gov.co"},
        {"notification_email": "contratos"},
        "notification_email",
        "Escriba un correo electrónico válido, por ejemplo contratacion@entidad.gov.co.",
    ),
    (
        "informacion_general",
        {"action": "modificar", "account_name": None},
        {"account_name": None},
        "account_name",
        "Escriba el nombre de la Entidad Estatal.",
    ),
    ("solicitar_activacion", {"request_type": "Duda"}, {"request_type": "Queja"}, "request_type", FROM_LIST),
    (
        "solicitar_activacion",
        {"information_system": "SECOP II"},
        {"information_system": "SECOP I"},
        "information_system",
        FROM_LIST,
    ),
    ("solicitar_activacion", {}, {"subject": "Otro asunto"}, "subject", FROM_LIST),
    ("solicitar_activacion", {}, {"user_type": "Proveedor"}, "user_type", FROM_LIST),
    (
        "solicitar_activacion",
        {},
        {"description": "Activar"},
        "description",
        "Describa la solicitud con más detalle (al menos 20 caracteres).",
    ),
    (
        "corregir_documentos",
        {"certificado_fecha_expedicion": RECENT},
        {"certificado_fecha_expedicion": OLD},
        "certificado_fecha_expedicion",
        "El certificado de existencia y representación legal debe haber sido expedido hace no más de 90 días "
        f"(desde el {today_in_colombia() - dt.timedelta(days=90):%d/%m/%Y}).",
    ),
    (
        "corregir_documentos",
        {},
        {"certificado_fecha_expedicion": (today_in_colombia() + dt.timedelta(days=1)).isoformat()},
        "certificado_fecha_expedicion",
        "La fecha de expedición no puede ser posterior a hoy.",
    ),
    (
        "corregir_documentos",
        {},
        {"correction_notes": None},
        "correction_notes",
        "Describa la corrección realizada.",
    ),
    (
        "validar_documentos",
        {"decision": "corregir", "reason": "Falta el RUT."},
        {"decision": "corregir"},
        "reason",
        "Indique qué documentos debe corregir la Entidad y por qué.",
    ),
    (
        "validar_perfil_mixto",
        {"decision": "rechazar", "reason": "No aplica."},
        {"decision": "rechazar"},
        "reason",
        "Indique el motivo del rechazo.",
    ),
    (
        "revisar_solicitud_acceso",
        {"decision": "rechazar", "reason": "No trabaja en la Entidad.", "role": None},
        {"role": None},
        "role",
        "Seleccione el rol del usuario en la cuenta.",
    ),
    (  # the requester reads why (issue 13.2)
        "revisar_solicitud_acceso",
        {"decision": "rechazar", "reason": "No trabaja en la Entidad.", "role": None},
        {"decision": "rechazar", "role": None},
        "reason",
        "Escriba el motivo del rechazo: el usuario lo recibirá por correo y lo verá en «Mis registros».",
    ),
    (
        "revisar_solicitud_acceso",
        {"permissions": ["Aprobaciones"]},
        {"permissions": ["Todo"]},
        "permissions",
        "Seleccione permisos de la lista.",
    ),
    (
        "buscar_cuenta",
        {"entity_name": "899999172"},
        {"entity_name": None},
        "entity_name",
        "Escriba el nombre completo de la cuenta o su NIT.",
    ),
    (
        "solicitar_perfil_mixto",
        {},
        {"description": "Corto"},
        "description",
        "Describa la solicitud con más detalle (al menos 20 caracteres).",
    ),
]


@pytest.fixture
def check_context(runner):
    walk = Onboarding(runner)
    admin = walk.make_user("ya.registrado")
    assert walk.make_active_account(admin) == ACTIVE_ACCOUNT
    with runner.transaction() as session:
        # A logged-in person: the Directorio list (active_accounts) is never an anonymous one's.
        yield CheckContext(session, Actor(user_id=admin), runner.config, domain=runner.domain)


def _errors(check_context, form: str, changes: dict) -> dict:
    schema = json.loads((FORMS / f"{form}-schema.json").read_text(encoding="utf-8"))
    data = {key: value for key, value in {**BASES[form](), **changes}.items() if value is not None}
    _clean, errors = validate(schema, data, check_context, {})
    return errors


def test_every_base_submission_is_valid(check_context):
    for form in BASES:
        assert _errors(check_context, form, {}) == {}, form


@pytest.mark.parametrize(
    ("form", "valid", "invalid", "field", "message"),
    RULES,
    ids=[f"{r[0]}-{r[3]}-{i}" for i, r in enumerate(RULES)],
)
def test_form_rule(check_context, form, valid, invalid, field, message):
    assert _errors(check_context, form, valid) == {}
    errors = _errors(check_context, form, invalid)
    assert errors[field] == [message]
    # Only the field under test (a department also invalidates the municipality chosen in it,
    # an Orden the Tipo de Entidad chosen for it).
    dependent = {"department": {"municipality"}, "order": {"entity_type"}}
    assert set(errors) - {field} <= dependent.get(field, set())


def test_password_is_stored_only_as_an_argon2_hash(check_context):
    schema = json.loads((FORMS / "registrar_usuario-schema.json").read_text(encoding="utf-8"))
    clean, errors = validate(schema, user_form(), check_context, {})
    assert errors == {}
    assert "password_confirmation" not in clean
    assert clean["password"]["argon2"].startswith("$argon2")


def test_every_field_has_a_spanish_label():
    for path in FORMS.glob("*-schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        for name, prop in schema["properties"].items():
            assert prop.get("title"), f"{path.name}: {name}"


def _choice_schema(*consts, message="Elija un sector de la lista."):
    return {
        "type": "object",
        "properties": {
            "sector": {
                "type": "string",
                "title": "Sector",
                "oneOf": [{"const": c, "title": c.title()} for c in consts],
                "errorMessage": {"oneOf": message},
            }
        },
        "required": ["sector"],
    }


def test_a_list_of_choices_keeps_its_own_message(check_context):
    # A oneOf of consts is checked as an enum (one step instead of one per choice); the
    # form's message for "oneOf" is still the one people read.
    schema = _choice_schema("salud", "educación")
    assert validate(schema, {"sector": "educación"}, check_context, {})[1] == {}
    assert validate(schema, {"sector": "minería"}, check_context, {})[1] == {
        "sector": ["Elija un sector de la lista."]
    }
    assert validate(schema, {"sector": "minería"}, check_context, {})[1] == {
        "sector": ["Elija un sector de la lista."]
    }  # the second time from the cached validator


def test_a_choice_listed_twice_is_refused_as_json_schema_says(check_context):
    # oneOf refuses a value that two branches accept; an enum would not, so it stays oneOf.
    schema = _choice_schema("salud", "salud", "educación")
    assert validate(schema, {"sector": "educación"}, check_context, {})[1] == {}
    assert validate(schema, {"sector": "salud"}, check_context, {})[1] == {
        "sector": ["Elija un sector de la lista."]
    }


def test_option_sources_apply_their_own_policy(check_context, runner):
    """Issue 17 point 2: the Directorio with NITs only for a logged-in person; names for the
    anonymous registrant's autocomplete; never an account pending activation."""
    from engine.domain.models import ACCOUNT_PENDING
    from engine.domain.models import Account

    options = runner.domain.options
    session = check_context.session
    active = session.get(Account, ACTIVE_ACCOUNT)
    copied = {c.key: getattr(active, c.key) for c in Account.__table__.columns if c.key != "id"}
    session.add(
        Account(**{**copied, "nit": "899999001", "name": "ENTIDAD PENDIENTE", "state": ACCOUNT_PENDING})
    )
    session.flush()
    anonymous = CheckContext(session, Actor.anonymous(), runner.config, domain=runner.domain)
    assert options["active_accounts"](anonymous, {}) == []
    listed = options["active_accounts"](check_context, {})
    assert [value for value, _label in listed] == [ACTIVE_ACCOUNT]
    names = [name for name, _label in options["account_names"](anonymous, {})]
    assert len(names) == 1 and "PENDIENTE" not in names[0]

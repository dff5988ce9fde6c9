"""Procedures of the entity account: registration (§5–§6), activation (§7), Perfil Mixto (§7 nota)."""

from __future__ import annotations

from tools.bpmngen.model import Flow
from tools.bpmngen.model import Node
from tools.bpmngen.model import Procedure

U = "Lane_Usuario"
A = "Lane_Administrador"
M = "Lane_MesaServicio"

ACCOUNT_FIELDS = [
    "nit",
    "account_name",
    "short_name",
    "country",
    "account_type",
    "siif_registered",
    "pci_code",
    "spgr_registered",
    "spgr_code",
    "business_area",
    "organization_type",
    "department",
    "municipality",
    "decentralized",
    "parent_account_id",
    "order",
    "branch",
    "sector",
    "entity_type",
    "account_address",
    "account_phone",
    "notification_email",
    "delegated",
]

REGISTRO_ENTIDAD = Procedure(
    process_id="registro_entidad",
    name="Registro de la cuenta de la Entidad Estatal",
    doc='Guía §5 "Documentos requeridos" y §6 "Registro de la cuenta de la Entidad Estatal". Sin '
    'guardado de borrador: lo abandonado antes de "Finalizar" no deja ninguna cuenta.',
    lanes=[(U, "Usuario", 3)],
    columns=14,
    nodes=[
        Node("inicio", "start", "Registrar cuenta de Entidad Estatal", U, 0),
        Node(
            "validar_entidad",
            "userTask",
            "Validar",
            U,
            1,
            doc="Guía §6: confirme el nombre de la Entidad y escriba el NIT sin código de verificación ni "
            'caracteres especiales; "Validar" busca una cuenta ya registrada.',
            form="validar_entidad",
            instructions="Antes de comenzar tenga disponibles los documentos obligatorios: acto de "
            "estructura y organización, acta de posesión del Ordenador del Gasto (y, si hay delegación, el "
            "acto de delegación y el acta de posesión del delegado), documento de autorización de usuario "
            "administrador (los formatos oficiales del acta de creación y de la autorización están en "
            "[formatos para la Entidad Estatal](https://www.colombiacompra.gov.co/secop-ii/formatos-para-"
            "compradores-y-proveedores-del-secop-ii)), RUT y, para "
            "entidades privadas, certificado de existencia y representación legal de no más de 90 días. "
            "Prefiera archivos PDF legibles.",
        ),
        Node(
            "buscar_cuenta_existente",
            "serviceTask",
            "Buscar cuenta registrada",
            U,
            2,
            doc="Guía §6: la plataforma busca cuentas registradas por nombre y NIT.",
            operator="find_account",
            result="existing_account",
            params=[("name", "entity_name"), ("nit", "nit")],
        ),
        Node("gw_cuenta_existe", "exclusiveGateway", "¿Cuenta ya registrada?", U, 3, default="f_no_existe"),
        Node(
            "proponer_cuenta",
            "scriptTask",
            "Proponer la cuenta encontrada",
            U,
            4,
            2,
            doc="Guía §6 y §8: si la Entidad ya tiene cuenta no se registra otra; se propone solicitar "
            "acceso a la cuenta encontrada.",
            script='entity_name = existing_account["name"]',
        ),
        Node(
            "llamar_solicitud_acceso",
            "callActivity",
            "Solicitar acceso a la cuenta existente",
            U,
            5,
            2,
            doc="Guía §8: solicitud de acceso en lugar de una segunda cuenta.",
            called="solicitud_acceso",
        ),
        Node("fin_acceso", "end", "Acceso solicitado", U, 6, 2),
        Node(
            "preparar_formulario",
            "scriptTask",
            "Preparar formulario de registro",
            U,
            4,
            doc="Guía §6: calcula el dígito de verificación del NIT, propone el nombre normalizado y deja "
            "definidos los campos condicionales.",
            script="nit_dv = nit_check_digit(nit)\naccount_name = normalize_entity_name(entity_name)\n"
            "short_name = account_name\npci_code = None\nspgr_code = None\nparent_account_id = None",
        ),
        Node(
            "registrar_primera_parte",
            "userTask",
            "Registrar – primera parte",
            U,
            5,
            doc="Guía §6 (Ilustraciones 7 y 8): País, Tipo de cuenta, ¿Entidad registrada en el SIIF? "
            "(código PCI), ¿Entidad registrada en SPGR? (código SPGR), Área de negocio y Tipo de "
            'organización. Botón "Generar formulario".',
            form="registrar_primera_parte",
            instructions="No se encontró ninguna Entidad Estatal registrada con el NIT {{ nit }}. Confirme "
            'el país y seleccione el tipo de cuenta "Entidad Estatal".',
        ),
        Node(
            "informacion_general",
            "userTask",
            "Información general",
            U,
            6,
            doc="Guía §6 (Ilustraciones 9 a 12): nombre de la Entidad, nombre abreviado, NIT, ubicación, "
            "entidad descentralizada, orden, rama, sector, tipo de entidad y datos de contacto. "
            '"Modificar" vuelve a la primera parte conservando lo escrito.',
            form="informacion_general",
            instructions="NIT de la Entidad: {{ nit }}, dígito de verificación calculado: "
            "{{ nit_dv }}. Escriba el nombre sin tildes, en mayúscula sostenida, sin caracteres "
            "especiales ni signos de puntuación y con un espacio antes y después de cada guion. Al correo "
            "para notificaciones llegarán todas las alertas de la cuenta: no use grupos de distribución.",
        ),
        Node("gw_modificar", "exclusiveGateway", "¿Modificar la primera parte?", U, 7, default="f_continuar"),
        Node(
            "volver_primera_parte",
            "scriptTask",
            "Volver a la primera parte",
            U,
            6,
            1,
            doc='Guía §6 (Ilustración 9, "Modificar"): lo escrito se conserva; solo se reinicia la acción.',
            script='action = "continuar"',
        ),
        Node(
            "determinar_documentos",
            "businessRuleTask",
            "Determinar documentos obligatorios",
            U,
            8,
            doc="Guía §5: documentos obligatorios según el área de negocio, el tipo de organización y la "
            "delegación (tabla DMN documentos_requeridos).",
            decision="documentos_requeridos",
        ),
        Node(
            "anexar_documentos",
            "userTask",
            "Anexar documentos",
            U,
            9,
            doc="Guía §6 (Ilustraciones 13 a 16): un espacio por documento requerido; los obligatorios "
            'están marcados. Botón "Finalizar".',
            form="anexar_documentos",
            instructions="Anexe como mínimo los documentos marcados como obligatorios. No se admiten los "
            "formatos .psd, .gif, .jar, .bat, .rtf, .thmx, .exe, .odt, .dot, .7z, .bmp, .emf, .eml, "
            ".gsheet, .gz, .isz, .jpe, .oxps, .p7z, .ppsx, .ppt, .dll, .txt, .xlsb ni .pptx. El formulario "
            'no se puede guardar para editarlo después: verifique la información antes de "Finalizar".',
        ),
        Node(
            "registrar_cuenta",
            "serviceTask",
            "Registrar cuenta",
            U,
            10,
            doc='Guía §6 (Ilustración 17): la cuenta queda registrada en estado "Pendiente de '
            'activación"; una sola cuenta por NIT.',
            operator="register_account",
            result="account_id",
            params=[(name, name) for name in ACCOUNT_FIELDS]
            + [("required_documents", "documentos_obligatorios")],
        ),
        Node(
            "llamar_activacion",
            "callActivity",
            "Solicitar activación de la cuenta",
            U,
            11,
            doc="Guía §7: solicitud de activación a la Mesa de Servicio.",
            called="activacion_cuenta",
        ),
        Node("fin", "end", "Cuenta registrada", U, 12),
    ],
    flows=[
        Flow("f_inicio", "inicio", "validar_entidad"),
        Flow("f_validar", "validar_entidad", "buscar_cuenta_existente"),
        Flow("f_buscada", "buscar_cuenta_existente", "gw_cuenta_existe"),
        Flow(
            "f_existe", "gw_cuenta_existe", "proponer_cuenta", name="Sí", condition="bool(existing_account)"
        ),
        Flow("f_propuesta", "proponer_cuenta", "llamar_solicitud_acceso"),
        Flow("f_fin_acceso", "llamar_solicitud_acceso", "fin_acceso"),
        Flow("f_no_existe", "gw_cuenta_existe", "preparar_formulario", name="No"),
        Flow("f_preparado", "preparar_formulario", "registrar_primera_parte"),
        Flow("f_generar", "registrar_primera_parte", "informacion_general"),
        Flow("f_general", "informacion_general", "gw_modificar"),
        Flow(
            "f_modificar",
            "gw_modificar",
            "volver_primera_parte",
            name="Modificar",
            route="down",
            condition='action == "modificar"',
        ),
        Flow("f_volver", "volver_primera_parte", "registrar_primera_parte", route="hv"),
        Flow("f_continuar", "gw_modificar", "determinar_documentos", name="Continuar"),
        Flow("f_documentos", "determinar_documentos", "anexar_documentos"),
        Flow("f_finalizar", "anexar_documentos", "registrar_cuenta"),
        Flow("f_registrada", "registrar_cuenta", "llamar_activacion"),
        Flow("f_fin", "llamar_activacion", "fin"),
    ],
)

ACTIVACION_CUENTA = Procedure(
    process_id="activacion_cuenta",
    name="Solicitud de activación de la cuenta de la Entidad Estatal",
    doc="Guía §7: el Usuario Administrador pide la activación a la Mesa de Servicio de la ANCP-CCE, que "
    "valida los documentos y activa la cuenta o pide corregirlos.",
    lanes=[(A, "Administrador de la Entidad", 2), (M, "Mesa de Servicio", 1)],
    columns=7,
    nodes=[
        Node("inicio", "start", "Cuenta pendiente de activación", A, 0),
        Node(
            "solicitar_activacion",
            "userTask",
            "Solicitar activación a la Mesa de Servicio",
            A,
            1,
            doc="Guía §7 (Ilustraciones 18 y 19): formulario de soporte con los datos del usuario y de la "
            'solicitud: Sistema de información "SECOP II", Tipo de solicitud "Solicitud" o "Duda", '
            'Asunto "Gestión de registro y configuración de Entidades Estatales", Tipo de usuario '
            '"Comprador" y Descripción.',
            form="solicitar_activacion",
            instructions="{% if account_name is defined %}La cuenta {{ account_name }} quedó registrada y "
            'está "Pendiente de activación". {% endif %}Diligencie el formulario de soporte para '
            "solicitar a la Mesa de Servicio de la ANCP-CCE la activación. También puede llamar a la "
            "línea nacional (01) 8000 520808 o en Bogotá "
            "al 601 7456788.",
        ),
        Node(
            "crear_caso_soporte",
            "serviceTask",
            "Crear caso de soporte",
            A,
            2,
            doc="Guía §7: la página confirma un número de caso de soporte para hacer seguimiento.",
            operator="create_support_case",
            result="support_case",
            params=[
                ("kind", '"Activación de cuenta"'),
                ("account_id", "account_id"),
                (
                    "request",
                    '{"first_names": first_names, "last_names": last_names, '
                    '"document_number": document_number, "account_name": account_name, '
                    '"department": department, "municipality": municipality, "email": email, '
                    '"phone": phone, "information_system": information_system, '
                    '"request_type": request_type, "subject": subject, "user_type": user_type, '
                    '"description": description}',
                ),
            ],
        ),
        Node(
            "validar_documentos",
            "userTask",
            "Validar documentos y solicitud",
            M,
            3,
            doc="Guía §7: la Mesa de Servicio valida los documentos del registro y el detalle de la "
            "solicitud; activa la cuenta o se comunica con la Entidad para que corrija documentos.",
            form="validar_documentos",
            due_in_days=3,
            instructions="Caso {{ support_case['number'] }} — cuenta {{ support_case['account_name'] }} "
            "(NIT {{ support_case['nit'] }}). "
            "Revise los documentos anexados y la solicitud.{% if correction_notes is defined and "
            "correction_notes %} Respuesta de la Entidad a la última corrección: {{ correction_notes }}"
            "{% endif %}",
        ),
        Node("gw_decision", "exclusiveGateway", "¿Documentos correctos?", M, 4, default="f_activar"),
        Node(
            "activar_cuenta",
            "serviceTask",
            "Activar cuenta",
            M,
            5,
            doc='Guía §7 (Ilustración 20): la cuenta queda "Activa" y se notifica al correo de '
            'notificaciones; el administrador ve el "Escritorio".',
            operator="activate_account",
            result="account_state",
            params=[("account_id", "account_id"), ("case_id", 'support_case["id"]')],
        ),
        Node("fin", "end", "Cuenta activa", M, 6),
        Node(
            "solicitar_correccion",
            "serviceTask",
            "Solicitar corrección",
            A,
            4,
            1,
            doc="Guía §7: la Mesa de Servicio pide a la Entidad corregir documentos; queda registrado "
            "quién, cuándo y por qué.",
            operator="request_correction",
            result="account_state",
            params=[("account_id", "account_id"), ("case_id", 'support_case["id"]'), ("reason", "reason")],
        ),
        Node(
            "corregir_documentos",
            "userTask",
            "Corregir documentos",
            A,
            3,
            1,
            doc="Guía §7: el administrador reemplaza los documentos señalados; el caso vuelve a la Mesa "
            "de Servicio.",
            form="corregir_documentos",
            due_in_days=10,
            instructions="La Mesa de Servicio pidió corregir documentos del caso "
            "{{ support_case['number'] }}. Motivo: «{{ reason }}» Anexe los documentos corregidos.",
        ),
        Node(
            "reemplazar_documentos",
            "serviceTask",
            "Reemplazar documentos",
            A,
            2,
            1,
            doc="Guía §7: los documentos nuevos reemplazan a los anteriores del mismo tipo.",
            operator="replace_documents",
            result="account_state",
            params=[
                ("account_id", "account_id"),
                ("case_id", 'support_case["id"]'),
                ("notes", "correction_notes"),
            ],
        ),
    ],
    flows=[
        Flow("f_inicio", "inicio", "solicitar_activacion"),
        Flow("f_solicitada", "solicitar_activacion", "crear_caso_soporte"),
        Flow("f_caso", "crear_caso_soporte", "validar_documentos"),
        Flow("f_validada", "validar_documentos", "gw_decision"),
        Flow("f_activar", "gw_decision", "activar_cuenta", name="Activar"),
        Flow("f_fin", "activar_cuenta", "fin"),
        Flow(
            "f_corregir",
            "gw_decision",
            "solicitar_correccion",
            name="Solicitar corrección",
            route="down",
            condition='decision == "corregir"',
        ),
        Flow("f_correccion", "solicitar_correccion", "corregir_documentos"),
        Flow("f_corregidos", "corregir_documentos", "reemplazar_documentos"),
        Flow("f_reemplazados", "reemplazar_documentos", "validar_documentos"),
    ],
)

PERFIL_MIXTO = Procedure(
    process_id="perfil_mixto",
    name="Habilitación del Perfil Mixto",
    doc="Guía §7, nota: una Entidad Estatal que también provee bienes y servicios pide a la Mesa de "
    "Servicio habilitar el perfil de Proveedor en su cuenta (Perfil Mixto).",
    lanes=[(A, "Administrador de la Entidad", 1), (M, "Mesa de Servicio", 2)],
    columns=7,
    nodes=[
        Node("inicio", "start", "Perfil Mixto requerido", A, 0),
        Node(
            "solicitar_perfil_mixto",
            "userTask",
            "Solicitar Perfil Mixto",
            A,
            1,
            doc="Guía §7, nota: el Usuario Administrador solicita a la Mesa de Servicio la activación del "
            "perfil de Proveedor.",
            form="solicitar_perfil_mixto",
            instructions="Solicite la habilitación del perfil de Proveedor"
            "{% if account_name is defined %} para la cuenta {{ account_name }}{% endif %}: por ejemplo, "
            "si la Entidad provee bienes y servicios a otras Entidades Estatales o actúa como parte "
            "proveedora en un convenio interadministrativo.",
        ),
        Node(
            "crear_caso_perfil",
            "serviceTask",
            "Crear caso de soporte",
            A,
            2,
            doc="Guía §7: caso de soporte de tipo Perfil Mixto, con número para hacer seguimiento.",
            operator="create_support_case",
            result="support_case",
            params=[
                ("kind", '"Perfil Mixto"'),
                ("account_id", "account_id"),
                ("request", '{"request_type": request_type, "description": description}'),
            ],
        ),
        Node(
            "validar_perfil_mixto",
            "userTask",
            "Validar solicitud de Perfil Mixto",
            M,
            3,
            doc="Guía §7, nota: la Mesa de Servicio habilita el perfil de Proveedor o rechaza la solicitud.",
            form="validar_perfil_mixto",
            due_in_days=3,
            instructions="Caso {{ support_case['number'] }}: la cuenta {{ support_case['account_name'] }} "
            "solicita el Perfil Mixto. Motivo: {{ description }}",
        ),
        Node("gw_perfil", "exclusiveGateway", "¿Habilitar?", M, 4, default="f_habilitar"),
        Node(
            "habilitar_perfil",
            "serviceTask",
            "Habilitar perfil de Proveedor",
            M,
            5,
            doc="Guía §7, nota: la cuenta puede actuar también como Proveedor.",
            operator="enable_mixed_profile",
            result="mixed_profile",
            params=[("account_id", "account_id"), ("case_id", 'support_case["id"]')],
        ),
        Node("fin", "end", "Perfil Mixto habilitado", M, 6),
        Node(
            "rechazar_perfil",
            "serviceTask",
            "Rechazar solicitud",
            M,
            5,
            1,
            doc="Guía §7: la decisión queda registrada (quién, cuándo y por qué) y se informa a la Entidad.",
            operator="reject_support_case",
            result="support_case_state",
            params=[("case_id", 'support_case["id"]'), ("reason", "reason")],
        ),
        Node("fin_rechazada", "end", "Solicitud rechazada", M, 6, 1),
    ],
    flows=[
        Flow("f_inicio", "inicio", "solicitar_perfil_mixto"),
        Flow("f_solicitada", "solicitar_perfil_mixto", "crear_caso_perfil"),
        Flow("f_caso", "crear_caso_perfil", "validar_perfil_mixto"),
        Flow("f_validada", "validar_perfil_mixto", "gw_perfil"),
        Flow("f_habilitar", "gw_perfil", "habilitar_perfil", name="Habilitar"),
        Flow("f_fin", "habilitar_perfil", "fin"),
        Flow(
            "f_rechazar", "gw_perfil", "rechazar_perfil", name="Rechazar", condition='decision == "rechazar"'
        ),
        Flow("f_fin_rechazada", "rechazar_perfil", "fin_rechazada"),
    ],
)

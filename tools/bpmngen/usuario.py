"""Procedures of the user: registration (§4) and access to an existing account (§8)."""

from __future__ import annotations

from tools.bpmngen.model import Flow
from tools.bpmngen.model import Message
from tools.bpmngen.model import Node
from tools.bpmngen.model import Procedure

U = "Lane_Usuario"
A = "Lane_Administrador"

REGISTRO_USUARIO = Procedure(
    process_id="registro_usuario",
    name="Registro de usuario",
    doc='Guía §4 "Registro de usuarios": secciones 1 (Registrar usuario), 2 (Confirmar registro) '
    "y 3 (Crear o solicitar acceso a una Entidad).",
    lanes=[(U, "Usuario", 2)],
    columns=10,
    correlation_key="clave_activacion",
    messages=[
        Message(
            "msg_activacion_usuario", "activacion_usuario", "activation_token_hash", "activation_token_hash"
        ),
        Message("msg_reenvio_enlace", "reenvio_enlace", "activation_token_hash", "activation_token_hash"),
    ],
    nodes=[
        Node("inicio", "start", "Registro solicitado", U, 0),
        Node(
            "registrar_usuario",
            "userTask",
            "Registrar usuario",
            U,
            1,
            doc='Guía §4, sección 1 "Registrar usuario": datos personales y de contacto, '
            'nombre de usuario, contraseña y aceptación de los términos. Botón "Continuar".',
            form="registrar_usuario",
            instructions="Diligencie sus datos personales y de contacto tal como aparecen en su documento "
            "de identificación. Tenga en cuenta el usuario y la contraseña que asigne: los necesitará "
            "para continuar con el registro.",
        ),
        Node(
            "crear_usuario",
            "serviceTask",
            "Crear usuario",
            U,
            2,
            doc='Guía §4, sección 1: la plataforma crea el usuario en estado "Pendiente de confirmación".',
            operator="create_user",
            result="user_id",
            params=[
                ("first_names", "first_names"),
                ("last_names", "last_names"),
                ("document_type", "document_type"),
                ("document_number", "document_number"),
                ("email", "email"),
                ("phone", "phone"),
                ("username", "username"),
                ("password", "password"),
                ("time_zone", "time_zone"),
                ("organization_name", "entity_name"),
            ],
        ),
        Node(
            "enviar_enlace_activacion",
            "serviceTask",
            "Enviar enlace de activación",
            U,
            3,
            doc='Guía §4, sección 2 "Confirmar registro": correo con el enlace de activación y el '
            "nombre de usuario. Solo se guarda el SHA-256 del enlace.",
            operator="issue_activation_token",
            result="activation_token_hash",
            params=[("user_id", "user_id")],
        ),
        Node(
            "confirmar_registro",
            "receiveTask",
            "Confirmar registro",
            U,
            4,
            doc="Guía §4, sección 2: el usuario hace clic en el enlace del correo (revise también la "
            "bandeja de correo no deseado). El enlace es de un solo uso y vence.",
            message="msg_activacion_usuario",
            message_variable="activation",
            correlation=("activation_token_hash", "activation_token_hash"),
        ),
        Node(
            "enlace_vencido",
            "boundary",
            "Enlace vencido",
            U,
            attached_to="confirmar_registro",
            timer="activation_link_ttl",
        ),
        Node(
            "solicitud_nuevo_enlace",
            "catch",
            "Solicitud de nuevo enlace",
            U,
            3.5,
            1,
            message="msg_reenvio_enlace",
            message_variable="resend_request",
            correlation=("activation_token_hash", "activation_token_hash"),
        ),
        Node(
            "activar_usuario",
            "serviceTask",
            "Activar usuario",
            U,
            5,
            doc='Guía §4, sección 2: con el enlace confirmado el usuario queda activo y puede "Entrar".',
            operator="activate_user",
            result="user_status",
            params=[("user_id", "user_id")],
        ),
        Node(
            "crear_o_solicitar_acceso",
            "userTask",
            "Crear o solicitar acceso a una Entidad",
            U,
            6,
            doc='Guía §4, sección 3 "Crear o solicitar acceso a una Entidad": registrar una nueva cuenta '
            "de Entidad Estatal (§6) o solicitar acceso a una cuenta existente (§8).",
            form="crear_o_solicitar_acceso",
            instructions="Su usuario {{ username }} quedó activo. Si es el Usuario Administrador "
            "responsable de crear la cuenta de la Entidad Estatal, registre la cuenta; si la cuenta ya "
            "existe en la plataforma, solicite acceso a ella.",
        ),
        Node("gw_tipo_registro", "exclusiveGateway", "¿Qué desea hacer?", U, 7, default="f_solicitar"),
        Node(
            "llamar_registro_entidad",
            "callActivity",
            "Registrar cuenta de Entidad Estatal",
            U,
            8,
            doc="Guía §5 y §6: registro de la cuenta de la Entidad Estatal.",
            called="registro_entidad",
        ),
        Node(
            "llamar_solicitud_acceso",
            "callActivity",
            "Solicitar acceso a una cuenta",
            U,
            8,
            1,
            doc="Guía §8: solicitud de acceso a la cuenta de una Entidad Estatal.",
            called="solicitud_acceso",
        ),
        Node("fin", "end", "Registro finalizado", U, 9),
    ],
    flows=[
        Flow("f_inicio", "inicio", "registrar_usuario"),
        Flow("f_registrado", "registrar_usuario", "crear_usuario"),
        Flow("f_creado", "crear_usuario", "enviar_enlace_activacion"),
        Flow("f_enlace_enviado", "enviar_enlace_activacion", "confirmar_registro"),
        Flow("f_confirmado", "confirmar_registro", "activar_usuario"),
        Flow("f_vencido", "enlace_vencido", "solicitud_nuevo_enlace", route="down"),
        Flow("f_nuevo_enlace", "solicitud_nuevo_enlace", "enviar_enlace_activacion", route="hv"),
        Flow("f_activo", "activar_usuario", "crear_o_solicitar_acceso"),
        Flow("f_elegido", "crear_o_solicitar_acceso", "gw_tipo_registro"),
        Flow(
            "f_registrar",
            "gw_tipo_registro",
            "llamar_registro_entidad",
            name="Registrar cuenta",
            condition='registration_path == "registrar"',
        ),
        Flow("f_solicitar", "gw_tipo_registro", "llamar_solicitud_acceso", name="Solicitar acceso"),
        Flow("f_fin_registro", "llamar_registro_entidad", "fin"),
        Flow("f_fin_solicitud", "llamar_solicitud_acceso", "fin", route="hv"),
    ],
)

SOLICITUD_ACCESO = Procedure(
    process_id="solicitud_acceso",
    name="Solicitud de acceso a una cuenta de Entidad Estatal",
    doc='Guía §8 "Solicitud de acceso de un usuario a la cuenta de una Entidad Estatal", incluido el '
    "literal A (usuario ya registrado: Mis registros → Nuevo registro).",
    lanes=[(U, "Usuario", 1), (A, "Administrador de la Entidad", 2)],
    columns=10,
    correlation_key="clave_solicitud_acceso",
    messages=[
        Message("msg_cancelar_solicitud", "cancelar_solicitud", "access_request_ref", "access_request_ref")
    ],
    nodes=[
        Node("inicio", "start", "Nueva solicitud de acceso", U, 0),
        Node(
            "preparar_solicitud",
            "scriptTask",
            "Preparar solicitud",
            U,
            1,
            doc="Guía §8: deja definidos los datos opcionales de la decisión del Usuario Administrador (rol, "
            "permisos, observaciones).",
            script="role = None\npermissions = []\nreason = None",
        ),
        Node(
            "buscar_cuenta",
            "userTask",
            "Buscar cuenta",
            U,
            2,
            doc="Guía §8 y §8 literal A: escriba el nombre completo de la cuenta o su NIT y haga clic en "
            '"Buscar".',
            form="buscar_cuenta",
            instructions="{% if found_account is defined and not found_account %}No se encontró ninguna "
            "cuenta registrada con «{{ entity_name }}». Confirme con el Usuario Administrador de la cuenta "
            "el nombre con el que está registrada o escriba el NIT.{% else %}Confirme con el Usuario "
            "Administrador de la cuenta el nombre con el que se encuentra registrada en la plataforma."
            "{% endif %}",
        ),
        Node(
            "consultar_cuenta",
            "serviceTask",
            "Consultar cuentas registradas",
            U,
            3,
            doc="Guía §8: el SECOP II verifica que la cuenta se encuentra registrada.",
            operator="find_account",
            result="found_account",
            params=[("query", "entity_name")],
        ),
        Node(
            "gw_cuenta_encontrada", "exclusiveGateway", "¿Cuenta registrada?", U, 4, default="f_no_encontrada"
        ),
        Node(
            "seleccionar_cuenta",
            "scriptTask",
            "Seleccionar cuenta encontrada",
            U,
            5,
            doc="Guía §8: la cuenta encontrada decide quién revisa la solicitud (su Usuario Administrador).",
            script='account_id = found_account["id"]',
        ),
        Node(
            "solicitar_acceso",
            "userTask",
            "Solicitar acceso",
            U,
            6,
            doc='Guía §8: verifique la información de la cuenta y haga clic en "Solicitar"; la solicitud '
            'queda "Esperando aprobación".',
            form="solicitar_acceso",
            instructions="Cuenta encontrada: {{ found_account['name'] }} — NIT {{ found_account['nit'] }}"
            " ({{ found_account['state'] }}). Al hacer clic en \"Solicitar\" su solicitud quedará "
            '"Esperando aprobación" del Usuario Administrador de la cuenta.',
        ),
        Node(
            "crear_solicitud_acceso",
            "serviceTask",
            "Registrar solicitud de acceso",
            U,
            7,
            doc="Guía §8: la solicitud queda Pendiente y los administradores de la cuenta reciben un correo.",
            operator="create_access_request",
            result="access_request_id",
            params=[("account_id", "account_id")],
        ),
        Node(
            "revisar_solicitud_acceso",
            "userTask",
            "Revisar solicitud de acceso",
            A,
            7,
            doc="Guía §8 (Contacto con el Usuario Administrador): el administrador acepta o rechaza la "
            "solicitud y, si la acepta, define el rol (Administrador / Comprador) y los permisos.",
            form="revisar_solicitud_acceso",
            due_in_days=5,
            instructions="{{ first_names }} {{ last_names }} ({{ email }}) solicita acceso a la cuenta "
            "{{ found_account['name'] }}. Acepte la solicitud y configure el rol y los permisos, o "
            "recházela.",
        ),
        Node(
            "solicitud_cancelada",
            "boundary",
            "Solicitud cancelada por el usuario",
            A,
            attached_to="revisar_solicitud_acceso",
            message="msg_cancelar_solicitud",
            message_variable="cancellation",
            correlation=("access_request_ref", "str(access_request_id)"),
        ),
        Node(
            "decidir_solicitud",
            "serviceTask",
            "Registrar decisión",
            A,
            8,
            doc="Guía §8: Aceptado o Rechazado; al aceptar se crea el acceso a la cuenta y el usuario "
            "recibe un correo de confirmación.",
            operator="decide_access_request",
            result="access_request_state",
            params=[
                ("access_request_id", "access_request_id"),
                ("decision", "decision"),
                ("role", "role"),
                ("permissions", "permissions"),
                ("reason", "reason"),
            ],
        ),
        Node("fin", "end", "Solicitud decidida", A, 9),
        Node(
            "cancelar_solicitud",
            "serviceTask",
            "Cancelar solicitud",
            A,
            8,
            1,
            doc="Guía §8 literal A (Mis registros): el usuario cancela una solicitud pendiente; estado "
            '"Cancelado".',
            operator="cancel_access_request",
            result="access_request_state",
            params=[("access_request_id", "access_request_id")],
        ),
        Node("fin_cancelada", "end", "Solicitud cancelada", A, 9, 1),
    ],
    flows=[
        Flow("f_inicio", "inicio", "preparar_solicitud"),
        Flow("f_preparada", "preparar_solicitud", "buscar_cuenta"),
        Flow("f_buscar", "buscar_cuenta", "consultar_cuenta"),
        Flow("f_consultada", "consultar_cuenta", "gw_cuenta_encontrada"),
        Flow(
            "f_encontrada",
            "gw_cuenta_encontrada",
            "seleccionar_cuenta",
            name="Sí",
            condition="bool(found_account)",
        ),
        Flow("f_no_encontrada", "gw_cuenta_encontrada", "buscar_cuenta", name="No", route="below"),
        Flow("f_seleccionada", "seleccionar_cuenta", "solicitar_acceso"),
        Flow("f_solicitada", "solicitar_acceso", "crear_solicitud_acceso"),
        Flow("f_pendiente", "crear_solicitud_acceso", "revisar_solicitud_acceso", route="down"),
        Flow("f_revisada", "revisar_solicitud_acceso", "decidir_solicitud"),
        Flow("f_decidida", "decidir_solicitud", "fin"),
        Flow("f_cancelada", "solicitud_cancelada", "cancelar_solicitud", route="down"),
        Flow("f_fin_cancelada", "cancelar_solicitud", "fin_cancelada"),
    ],
)

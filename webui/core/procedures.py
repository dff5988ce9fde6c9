"""Procedures people start by hand from the UI, until the diagrams declare it themselves."""

# Procedures a logged-in user may start from the UI (R5), with their Spanish names.
STARTABLE = {
    "registro_entidad": "Registrar cuenta de Entidad Estatal",
    "solicitud_acceso": "Solicitud de acceso",
    "perfil_mixto": "Solicitar Perfil Mixto",
    "solicitud_telefonica": "Registrar solicitud telefónica",
}
# Procedures started for one account: only its Administrador may start them.
FOR_ACCOUNT = {"perfil_mixto"}
# Procedures only holders of a platform role start: their first task is in that role's lane.
FOR_ROLE = {"solicitud_telefonica": "mesa_servicio"}

"""Procedures people start by hand from the UI, until the diagrams declare it themselves."""

# Procedures a logged-in user may start from the UI (R5), with their Spanish names.
STARTABLE = {
    "registro_entidad": "Registrar cuenta de Entidad Estatal",
    "solicitud_acceso": "Solicitud de acceso",
    "perfil_mixto": "Solicitar Perfil Mixto",
}
# Procedures started for one account: only its Administrador may start them.
FOR_ACCOUNT = {"perfil_mixto"}

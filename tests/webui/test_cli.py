"""flask --app webui init-demo / create-user / grant-role."""

from __future__ import annotations

import re

from tests.webui.helpers import login


def test_init_demo_is_idempotent_and_prints_login(deployed, cli):
    result = cli.invoke(args=["init-demo"])
    assert result.exit_code == 0, result.output
    password = re.search(r"usuario 'mesa' contraseña (\S+)", result.output).group(1)
    again = cli.invoke(args=["init-demo"])
    assert again.exit_code == 0 and "sin cambios" in again.output
    client = deployed.test_client()
    assert login(client, "mesa", password).status_code == 302
    assert client.get("/mesa/").status_code == 200
    client.post("/salir")
    admin_password = re.search(r"usuario 'admin.demo' contraseña (\S+)", result.output).group(1)
    login(client, "admin.demo", admin_password)
    client.get("/cuenta/despues-de-entrar")
    client.post("/cuenta/elegir", data={"cuenta": 1})
    assert "<h1>Escritorio</h1>" in client.get("/cuenta/").get_data(as_text=True)
    assert "MUNICIPIO DE MEDELLIN" in client.get("/cuenta/directorio").get_data(as_text=True)


def test_create_user_and_grant_role(app, cli):
    result = cli.invoke(
        args=["create-user", "operadora", "op@example.gov.co", "--password", "Clave-segura-9"]
    )
    assert result.exit_code == 0, result.output
    assert cli.invoke(args=["create-user", "x", "x@example.gov.co", "--password", "corta"]).exit_code != 0
    for username, email in (("mal\tusuario", "m@example.gov.co"), ("<script>", "s@example.gov.co"),
                            ("bien.usuario", "no-es-correo"), ("ab", "a@example.gov.co")):  # fmt: skip
        refused = cli.invoke(args=["create-user", username, email, "--password", "Clave-segura-9"])
        assert refused.exit_code != 0 and "Invalid value" in refused.output, (username, refused.output)
    assert cli.invoke(args=["grant-role", "operadora", "mesa_servicio"]).exit_code == 0
    assert cli.invoke(args=["grant-role", "nadie", "mesa_servicio"]).exit_code != 0
    client = app.test_client()
    assert login(client, "operadora", "Clave-segura-9").status_code == 302
    assert client.get("/mesa/").status_code == 200


def test_revoke_role_keeps_the_last_platform_administrator(app, cli):
    password = "Clave-segura-1"
    made = cli.invoke(args=["create-user", "unica.admin", "ua@example.gov.co", "--password", password])
    assert made.exit_code == 0, made.output
    assert cli.invoke(args=["grant-role", "unica.admin", "admin"]).exit_code == 0
    refused = cli.invoke(args=["revoke-role", "unica.admin", "admin"])
    assert refused.exit_code != 0
    assert "al menos un Administrador de la plataforma" in refused.output

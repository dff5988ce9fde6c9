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
    assert cli.invoke(args=["grant-role", "operadora", "mesa_servicio"]).exit_code == 0
    assert cli.invoke(args=["grant-role", "nadie", "mesa_servicio"]).exit_code != 0
    client = app.test_client()
    assert login(client, "operadora", "Clave-segura-9").status_code == 302
    assert client.get("/mesa/").status_code == 200

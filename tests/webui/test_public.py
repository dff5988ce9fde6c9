"""Public pages, the factory, CSRF and security basics."""

from __future__ import annotations

import pytest


def test_factory_defaults_and_env(monkeypatch, tmp_path):
    import webui

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("SMTP_HOST", "smtp.example")
    monkeypatch.setenv("SMTP_PORT", "2525")
    app = webui.create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert app.config["SMTP_PORT"] == 2525 and app.config["MAIL_BACKEND"] == "smtp"
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("SMTP_HOST")
    app = webui.create_app({"TESTING": True})
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and app.config["MAIL_BACKEND"] == "dev"
    )
    assert "runner" in app.extensions


def test_home_has_registro_and_entrar(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="es-CO">' in html  # native controls (date pickers) in Colombian Spanish
    assert ">Registro</button>" in html and ">Entrar</a>" in html
    assert 'href="#contenido"' in html  # skip link
    assert "/soporte-tecnico" in html


@pytest.mark.parametrize(
    "path", ["/", "/soporte-tecnico", "/entrar", "/recuperar", "/registro/confirmar", "/correo/"]
)
def test_every_public_page_links_support_and_has_no_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/soporte-tecnico"' in html
    assert "<script>" not in html and "onclick=" not in html


def test_support_page_lists_channels(client):
    html = client.get("/soporte-tecnico").get_data(as_text=True)
    for text in ("Soporte técnico", "01 8000 520808", "(601) 745 6788", "PQRSD", "formulario de soporte"):
        assert text in html


def test_csrf_is_enforced_on_posts(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/entrar", data={"usuario": "x", "contrasena": "y"})
    assert response.status_code == 400
    assert "venció" in response.get_data(as_text=True)


def test_unknown_page_is_spanish_404(client):
    response = client.get("/no-existe")
    assert response.status_code == 404 and "Página no encontrada" in response.get_data(as_text=True)


def test_mailbox_disabled_with_smtp(app):
    app.config["MAIL_BACKEND"] = "smtp"
    assert app.test_client().get("/correo/").status_code == 404

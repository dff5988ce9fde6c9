"""Helpers for web tests: domain rows made directly (World) and the procedures driven
through the test client (Actions)."""

from __future__ import annotations

import io
import itertools
import re

PASSWORD = "Clave-segura-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TASK_LINK = re.compile(r'href="(/tareas/[0-9a-f-]{36})"')
_counter = itertools.count(1)


class World:
    """Make domain rows directly (the procedures themselves are tested elsewhere)."""

    def __init__(self, app):
        self.app = app

    def user(self, username=None, roles=(), status=None, password=PASSWORD):
        from engine.domain import models as m
        from webui.core import users
        from webui.core.extensions import db

        n = next(_counter)
        username = username or f"usuario{n}"
        with self.app.app_context():
            row = m.User(
                username=username,
                email=f"{username}@example.gov.co",
                first_names="Nombre",
                last_names=f"Apellido {n}",
                document_type="Cédula de ciudadanía",
                document_number=f"10{n:08d}",
                phone="3001234567",
                time_zone="(UTC-05:00) Bogotá, Lima, Quito",
                status=status or m.USER_ACTIVE,
                password_hash="",
            )
            users.set_password(row, password)
            db.session.add(row)
            db.session.flush()
            for role in roles:
                db.session.add(m.UserRole(user_id=row.id, role=role))
            db.session.commit()
            return row.id

    def account(self, name=None, state=None, admin=None, members=()):
        from engine.domain import models as m
        from engine.domain import rules
        from webui.core.extensions import db

        n = next(_counter)
        nit = f"8{n:08d}"
        with self.app.app_context():
            row = m.Account(
                nit=nit,
                nit_check_digit=rules.nit_check_digit(nit),
                name=name or f"ENTIDAD DE PRUEBA {n}",
                short_name="EP",
                state=state or m.ACCOUNT_ACTIVE,
                business_area="Público",
                organization_type="Otras Entidades públicas",
                department_code="05",
                municipality_code="05001",
                order="Territorial",
                branch="Ejecutiva",
                sector="Salud",
                entity_type="Entidad",
                address="Calle 1",
                phone="6041234567",
                notification_email=f"notif{n}@example.gov.co",
            )
            db.session.add(row)
            db.session.flush()
            if admin:
                db.session.add(
                    m.Membership(user_id=admin, account_id=row.id, role=m.ROLE_ADMIN, permissions=[])
                )
            for user_id, role in members:
                db.session.add(m.Membership(user_id=user_id, account_id=row.id, role=role, permissions=[]))
            db.session.commit()
            return row.id

    def document(self, account_id, uploaded_by=None, content=b"%PDF-1.4 demo", state="attached"):
        from engine import uploads
        from engine.domain import models as m
        from webui.core.extensions import db

        with self.app.app_context():
            stored, sha = uploads.store(self.app.extensions["runner"].config.upload_dir, content)
            row = m.Document(
                account_id=account_id,
                slot="rut",
                original_filename="rut.pdf",
                stored_name=stored,
                content_type="application/pdf",
                size=len(content),
                sha256=sha,
                uploaded_by=uploaded_by,
                state=state,
            )
            db.session.add(row)
            db.session.commit()
            return row.public_id


def login(client, username, password=PASSWORD):
    """POST "Entrar" and return the response (not followed)."""
    return client.post("/entrar", data={"usuario": username, "contrasena": password})


def change_password(client, current=PASSWORD, new="Otra-clave-3"):
    """ "Accesos del usuario" → "Cambiar contraseña" (not followed)."""
    return client.post(
        "/usuario/accesos",
        data={
            "formulario": "contrasena",
            "contrasena_actual": current,
            "contrasena_nueva": new,
            "confirmacion": new,
        },
    )


def username_of(app, user_id):
    from engine.domain.models import User
    from webui.core.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).username


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", text)


def errors_in(html: str) -> list[str]:
    """The messages of the error summary at the top of a form."""
    if 'id="resumen-errores"' not in html:
        return []
    block = html.split('id="resumen-errores"', 1)[1].split("</div>", 1)[0]
    return re.findall(r"<li>(?:<a [^>]*>)?([^<]+)", block)


class Actions:
    """InboxActions in the STYLE sense: drive the procedures through the test client."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def post(self, url, data=None, files=None):
        payload = dict(data or {})
        for name, (content, filename) in (files or {}).items():
            payload[name] = (io.BytesIO(content), filename)
        return self.client.post(url, data=payload, content_type="multipart/form-data" if files else None)

    def tasks(self, page="/cuenta/"):
        return TASK_LINK.findall(self.client.get(page).get_data(as_text=True))

    def start(self, label, page="/cuenta/"):
        """Click the start button ``label`` of ``page`` (section 3 of the start page: "Registrar
        cuenta de Entidad Estatal"; Mis registros: "Nuevo registro"); returns where it leads
        (the first task)."""
        html = self.client.get(page).get_data(as_text=True)
        found = re.search(
            r'<form method="post" action="(/tareas/iniciar/[^"]+)">\s*<input [^>]*>\s*'
            r"<button type=\"submit\">" + re.escape(label) + "</button>",
            html,
        )
        assert found, f"no button {label!r} on {page}"
        response = self.client.post(found.group(1))
        assert response.status_code == 302, response.status_code
        return response.headers["Location"]

    def register_user(self, username, email, password=PASSWORD, entity="ALCALDIA DE PRUEBA", activate=True):
        """Registro → Continuar → activation link from the dev mailbox (followed unless
        ``activate`` is false). Leaves the client logged out; returns the link."""
        location = self.client.post("/registro").headers["Location"]
        response = self.post(
            location,
            {
                "first_names": "Ana",
                "last_names": "Pérez",
                "document_type": "Cédula de ciudadanía",
                "document_number": str(abs(hash(username)) % 10**9),
                "email": email,
                "phone": "3001234567",
                "username": username,
                "password": password,
                "password_confirmation": password,
                "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
                "entity_name": entity,
                "accept_terms": "true",
            },
        )
        assert response.headers["Location"] == "/registro/confirmar", errors_in(
            response.get_data(as_text=True)
        )
        mailbox = self.client.get(f"/correo/?para={email}").get_data(as_text=True)
        email_id = re.findall(r"/correo/(\d+)", mailbox)[0]
        body = self.client.get(f"/correo/{email_id}").get_data(as_text=True)
        link = re.findall(r'href="http://localhost(/activar/[^"]+)"', body)[0]
        if not activate:
            return link
        response = self.client.get(link)
        assert response.status_code == 302 and "/entrar" in response.headers["Location"]
        return link

    def login(self, username, password=PASSWORD):
        response = login(self.client, username, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.client.get("/cuenta/despues-de-entrar")

    def logout(self):
        self.client.post("/salir")

    def register_entity(self, nit="800197268", name="ALCALDIA DE PRUEBA"):
        """Logged-in user with no account: section 3 → Validar → Generar formulario → Anexar → Finalizar."""
        nxt = self.start("Registrar cuenta de Entidad Estatal")
        nxt = self.post(nxt, {"entity_name": name, "nit": nit}).headers["Location"]
        nxt = self.post(nxt, {"next_step": "registrar"}).headers["Location"]  # "Registrar"
        nxt = self.post(
            nxt,
            {
                "country": "Colombia",
                "account_type": "Entidad Estatal",
                "business_area": "Público",
                "organization_type": "Otras Entidades públicas",
            },
        ).headers["Location"]
        response = self.post(
            nxt,
            {
                "account_name": name,
                "short_name": name,
                "entity_document_type": "NIT",
                "department": "05",
                "municipality": "05001",
                "decentralized": "false",
                "order": "Territorial",
                "branch": "Ejecutivo",
                "sector": "Servicio Público",
                "entity_type": "Municipio (Alcaldía)",
                "account_address": "Calle 10 # 20-30",
                "account_phone": "6041234567",
                "notification_email": f"contratacion{nit}@prueba.gov.co",
                "action": "continuar",
            },
        )
        nxt = response.headers["Location"]
        docs = {
            n: (PDF, f"{n}.pdf")
            for n in ("acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut")
        }
        response = self.post(nxt, {}, docs)
        assert response.status_code == 302, errors_in(response.get_data(as_text=True))
        return response.headers["Location"]  # solicitar activación

    def request_activation(self, task_url):
        return self.post(
            task_url,
            {
                "first_names": "Ana",
                "last_names": "Pérez",
                "document_number": "1234567",
                "account_name": "ALCALDIA DE PRUEBA",
                "department": "05",
                "municipality": "05001",
                "email": "ana@example.gov.co",
                "phone": "3001234567",
                "information_system": "SECOP II",
                "request_type": "Solicitud",
                "subject": "Gestión de registro y configuración de Entidades Estatales",
                "user_type": "Comprador",
                "description": "Solicito la activación de la cuenta de la Entidad Estatal.",
            },
        )

    def reach_general_information(self, name="ALCALDIA DE PRUEBA", nit="800197268"):
        """Logged-in user with no account: section 3 → Validar → Generar formulario; returns the
        URL of "Información general"."""
        nxt = self.start("Registrar cuenta de Entidad Estatal")
        nxt = self.post(nxt, {"entity_name": name, "nit": nit}).headers["Location"]
        nxt = self.post(nxt, {"next_step": "registrar"}).headers["Location"]  # "Registrar"
        first_part = {"country": "Colombia", "account_type": "Entidad Estatal", "business_area": "Público",
                      "organization_type": "Otras Entidades públicas"}  # fmt: skip
        return self.post(nxt, first_part).headers["Location"]

    def correction_requested(self, agent, reason="El RUT no es legible."):
        """ana.perez registers ALCALDIA DE PRUEBA and asks for activation; the Mesa de Servicio
        agent ``agent`` (an existing user) asks for a correction. Leaves the client logged out."""
        self.register_user("ana.perez", "ana@example.gov.co")
        self.login("ana.perez")
        self.request_activation(self.register_entity())
        self.logout()
        self.login(agent)
        task = self.tasks("/tareas/")[0]
        self.client.post(task, data={"decision": "corregir", "reason": reason})
        self.logout()
        return task

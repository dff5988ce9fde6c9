"""Issue 7: every route x every kind of person, pages and API alike, on SQLite and
PostgreSQL. Each person gets exactly what they may: ids that aren't theirs answer 404 (never
someone else's data), role pages 403/404, and anonymous visitors are sent to "Entrar".

Every route and every method it takes (HEAD and OPTIONS aside) must be in RULES, or a test
fails: new routes, and new methods on old ones, must state who may use them. An endpoint's
first method is keyed by its name; another method of the same endpoint by "name:METHOD"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import incidents
from engine.db import utcnow
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import support_form
from tests.webui.helpers import PASSWORD
from tests.webui.helpers import World

PERSONAS = ["anonimo", "ajeno", "comprador_a", "admin_b", "admin_a", "mesa", "analista", "operador",
            "supervisor"]  # fmt: skip
EVERYONE = set(PERSONAS)
LOGGED_IN = EVERYONE - {"anonimo"}
MEMBERS = {"comprador_a", "admin_a", "admin_b"}
STAFF = {"mesa", "analista", "operador", "supervisor"}  # platform roles
DIRECTORY = MEMBERS | STAFF  # access to an active account, or a platform role
NOBODY: set[str] = set()
# Public forms anyone may post, whose answer is about what was posted (a wrong password, "we
# sent an email if it exists"), not about who asks: every person gets an answer, never a
# 5xx. Checked apart, on fresh clients, since a login attempt may touch the session.
ANYONE_MAY_POST = frozenset(EVERYONE)

# endpoint -> (method, url template, form data, who may)
RULES = {
    "public.home": ("GET", "/", None, EVERYONE),
    "public.support": ("GET", "/soporte-tecnico", None, EVERYONE),
    "public.register_page": ("GET", "/registro", None, EVERYONE),
    "public.register": ("POST", "/registro", {}, EVERYONE),
    "public.registration_sent": ("GET", "/registro/confirmar", None, EVERYONE),
    "public.login": ("GET", "/entrar", None, EVERYONE),
    "public.login:POST": ("POST", "/entrar", {"usuario": "nadie", "contrasena": "x"}, ANYONE_MAY_POST),
    "public.logout": ("POST", "/salir", {}, EVERYONE),
    "public.recover": ("GET", "/recuperar", None, EVERYONE),
    "public.recover:POST": ("POST", "/recuperar", {"correo": "nadie@example.gov.co"}, ANYONE_MAY_POST),
    "public.reset": ("GET", "/recuperar/no-es-un-token", None, EVERYONE),
    "public.reset:POST": ("POST", "/recuperar/no-es-un-token", {}, EVERYONE),
    "public.activate": ("GET", "/activar/no-es-un-token", None, EVERYONE),
    "public.resend": ("POST", "/activar/no-es-un-token/reenviar", {}, EVERYONE),
    "core.healthz": ("GET", "/healthz", None, EVERYONE),
    "core.readyz": ("GET", "/readyz", None, EVERYONE),
    # Prometheus: only with METRICS_TOKEN set and sent (tests/webui/test_metrics.py); off here.
    "core.metrics": ("GET", "/metrics", None, NOBODY),
    "dev.index": ("GET", "/correo/", None, EVERYONE),  # development mailbox (no SMTP_HOST)
    "dev.show": ("GET", "/correo/{email_id}", None, EVERYONE),
    "api.v1.openapi": ("GET", "/api/v1/openapi.json", None, EVERYONE),
    # Anyone logged in: their own inbox, home, settings.
    "tasks.inbox": ("GET", "/tareas/", None, LOGGED_IN),
    "tasks.start": ("POST", "/tareas/iniciar/no_existe", {}, NOBODY),
    "accounts.home": ("GET", "/cuenta/", None, LOGGED_IN),
    "accounts.after_login": ("GET", "/cuenta/despues-de-entrar", None, LOGGED_IN),
    "accounts.choose": ("GET", "/cuenta/elegir", None, LOGGED_IN),
    "accounts.choose:POST": ("POST", "/cuenta/elegir", {"cuenta": "{account_a}"}, {"comprador_a", "admin_a"}),
    "people.index": ("GET", "/usuario/", None, LOGGED_IN),
    "people.profile": ("GET", "/usuario/datos", None, LOGGED_IN),
    "people.profile:POST": ("POST", "/usuario/datos", {}, LOGGED_IN),
    "people.confirm_email": ("GET", "/usuario/datos/correo/no-es-un-token", None, LOGGED_IN),
    "people.confirm_email:POST": ("POST", "/usuario/datos/correo/no-es-un-token", {}, LOGGED_IN),
    "people.access": ("GET", "/usuario/accesos", None, LOGGED_IN),
    "people.access:POST": ("POST", "/usuario/accesos", {}, LOGGED_IN),
    # Their own sessions only (tests/webui/test_sessions.py posts other people's ids).
    "people.close_session": ("POST", "/usuario/accesos/sesiones/999999/cerrar", {}, LOGGED_IN),
    "people.close_other_sessions": ("POST", "/usuario/accesos/sesiones/cerrar-las-demas", {}, LOGGED_IN),
    "accounts.requests": ("GET", "/usuario/registros", None, LOGGED_IN),
    "accounts.cancel_request": (
        "POST",
        "/usuario/registros/{request_id}/cancelar",
        {},
        NOBODY,
    ),  # the requester's
    "api.v1.tasks": ("GET", "/api/v1/tasks", None, LOGGED_IN),
    # The Directorio and documents (A3): users with access to an active account.
    "accounts.directory": ("GET", "/cuenta/directorio", None, DIRECTORY),
    "accounts.directory_entry": ("GET", "/cuenta/directorio/{account_a}", None, DIRECTORY),
    "accounts.download_document": (
        "GET",
        "/documentos/{document_a}",
        None,
        {"comprador_a", "admin_a", "admin_b", "mesa"},
    ),
    # Tasks: only whoever the lane gives them to; a supervisor of the queue sees who has it.
    "tasks.task": ("GET", "/tareas/{admin_task}", None, {"admin_a", "supervisor"}),
    "tasks.complete": ("POST", "/tareas/{admin_task}", {}, {"admin_a"}),
    "tasks.claim": ("POST", "/tareas/{mesa_task}/tomar", {}, {"mesa"}),
    "tasks.release": ("POST", "/tareas/{mesa_task}/liberar", {}, {"mesa"}),
    # Delegate (whoever may work it) or reassign (its queue's supervisors); unclaim: supervisors.
    "tasks.reassign": ("POST", "/tareas/{mesa_task}/reasignar", {}, {"mesa", "supervisor"}),
    "tasks.unclaim": ("POST", "/tareas/{mesa_task}/quitar", {}, {"supervisor"}),
    "tasks.options": ("GET", "/tareas/{options_task}/opciones/department", None, {"admin_a"}),
    # Discard an unfinished procedure: only its owner (the confirmation page, then the post).
    "tasks.discard": ("GET", "/tareas/{own_task}/descartar", None, {"ajeno"}),
    "tasks.discard:POST": ("POST", "/tareas/{own_task}/descartar", {}, {"ajeno"}),
    "api.v1.task": ("GET", "/api/v1/tasks/{admin_task}", None, {"admin_a"}),
    "api.v1.complete": ("POST", "/api/v1/tasks/{mesa_task}/complete", {}, {"mesa"}),
    "api.v1.claim": ("POST", "/api/v1/tasks/{mesa_task}/claim", {}, {"mesa"}),
    "api.v1.release": ("POST", "/api/v1/tasks/{mesa_task}/release", {}, {"mesa"}),
    "api.v1.reassign": ("POST", "/api/v1/tasks/{mesa_task}/reassign", {}, {"mesa", "supervisor"}),
    "api.v1.unclaim": ("POST", "/api/v1/tasks/{mesa_task}/unclaim", {}, {"supervisor"}),
    "api.v1.start": ("POST", "/api/v1/processes/no_existe/instances", {}, NOBODY),
    # Mesa de Servicio.
    "desk.cases": ("GET", "/mesa/", None, {"mesa"}),
    "desk.case": ("GET", "/mesa/casos/{case_id}", None, {"mesa"}),
    # Analysts: process models.
    "staff.models.index": ("GET", "/modelos/", None, {"analista"}),
    "staff.models.process": ("GET", "/modelos/registro_usuario", None, {"analista"}),
    "staff.models.modeler": ("GET", "/modelos/registro_usuario/modelador", None, {"analista"}),
    "staff.models.save": ("POST", "/modelos/registro_usuario/modelador", {}, {"analista"}),
    "staff.models.upload": ("POST", "/modelos/registro_usuario/subir", {}, {"analista"}),
    "staff.models.draft": ("GET", "/modelos/registro_usuario/borrador", None, {"analista"}),
    # No draft in the scene: its files are 404 to everyone (tests/analyst/test_drafts.py).
    "staff.models.draft_file": ("GET", "/modelos/registro_usuario/borrador/archivos/x.bpmn", None, NOBODY),
    "staff.models.deploy_draft": ("POST", "/modelos/registro_usuario/borrador/desplegar", {}, {"analista"}),
    "staff.models.discard_draft": ("POST", "/modelos/registro_usuario/borrador/descartar", {}, {"analista"}),
    # Play (issue 16.4): the analyst's own sandbox run; nothing real changes.
    "staff.models.play": ("GET", "/modelos/registro_usuario/probar", None, {"analista"}),
    "staff.models.play_start": ("POST", "/modelos/registro_usuario/probar/iniciar", {}, {"analista"}),
    "staff.models.play_complete": (
        "POST", "/modelos/registro_usuario/probar/tareas/no_espera", {}, {"analista"},
    ),
    "staff.models.play_deliver": ("POST", "/modelos/registro_usuario/probar/mensaje", {}, {"analista"}),
    "staff.models.play_fire": ("POST", "/modelos/registro_usuario/probar/temporizador", {}, {"analista"}),
    "staff.models.play_save": ("POST", "/modelos/registro_usuario/probar/escenario", {}, {"analista"}),
    "staff.models.play_stop": ("POST", "/modelos/registro_usuario/probar/terminar", {}, {"analista"}),
    # No saved scenario, no such waiting task in the scene: 404 to everyone
    # (tests/analyst/test_play_pages.py uses them).
    "staff.models.play_delete": ("POST", "/modelos/registro_usuario/probar/escenario/borrar", {}, NOBODY),
    "staff.models.play_download": ("GET", "/modelos/registro_usuario/probar/escenarios/x.json", None, NOBODY),
    "staff.models.play_options": (
        "GET", "/modelos/registro_usuario/probar/tareas/no_espera/opciones/x", None, NOBODY,
    ),
    "staff.models.version": ("GET", "/modelos/versiones/{version_id}", None, {"analista"}),
    "staff.models.download": (
        "GET",
        "/modelos/versiones/{version_id}/archivos/lanes.json",
        None,
        {"analista"},
    ),
    "staff.models.package": ("GET", "/modelos/versiones/{version_id}/paquete.zip", None, {"analista"}),
    "staff.models.restore": ("POST", "/modelos/versiones/{version_id}/restaurar", {}, {"analista"}),
    "staff.models.catalog": ("GET", "/modelos/catalogo", None, {"analista"}),
    "staff.models.check_bundle": ("POST", "/modelos/registro_usuario/verificar", {}, {"analista"}),
    "staff.models.try_decision": ("POST", "/modelos/decisiones/probar", {}, {"analista"}),
    "staff.models.decisions": ("GET", "/modelos/registro_entidad/decisiones", None, {"analista"}),
    "staff.models.decision_editor": (
        "GET",
        "/modelos/registro_entidad/decisiones/documentos_requeridos.dmn",
        None,
        {"analista"},
    ),
    "staff.models.save_decision": (
        "POST",
        "/modelos/registro_entidad/decisiones/documentos_requeridos.dmn",
        {},
        {"analista"},
    ),
    "staff.models.form_preview": ("POST", "/modelos/formularios/vista-previa", {}, {"analista"}),
    "staff.models.forms": ("GET", "/modelos/registro_usuario/formularios", None, {"analista"}),
    "staff.models.form_editor": ("GET", "/modelos/registro_usuario/formularios/editor", None, {"analista"}),
    "staff.models.save_form": ("POST", "/modelos/registro_usuario/formularios/editor", {}, {"analista"}),
    "api.v1.processes": ("GET", "/api/v1/processes", None, {"analista"}),
    "api.v1.process_versions": (
        "GET",
        "/api/v1/processes/registro_usuario/versions",
        None,
        {"analista"},
    ),
    "api.v1.deploy": ("POST", "/api/v1/processes/registro_usuario/versions", {}, {"analista"}),
    "api.v1.draft": ("GET", "/api/v1/processes/registro_usuario/draft", None, {"analista"}),
    "api.v1.save_draft": ("PUT", "/api/v1/processes/registro_usuario/draft", {}, {"analista"}),
    "api.v1.deploy_draft": ("POST", "/api/v1/processes/registro_usuario/draft/deploy", {}, {"analista"}),
    "api.v1.discard_draft": ("POST", "/api/v1/processes/registro_usuario/draft/discard", {}, {"analista"}),
    "api.v1.version": ("GET", "/api/v1/versions/{version_id}", None, {"analista"}),
    "api.v1.version_file": (
        "GET",
        "/api/v1/versions/{version_id}/files/lanes.json",
        None,
        {"analista"},
    ),
    # Operators: instances.
    "staff.instances.index": ("GET", "/instancias/", None, {"operador"}),
    "staff.instances.dashboard": ("GET", "/instancias/tablero", None, {"operador"}),
    "staff.instances.show": ("GET", "/instancias/{instance_id}", None, {"operador"}),
    "staff.instances.cancel": ("POST", "/instancias/{instance_id}/cancelar", {}, {"operador"}),
    "staff.instances.retry": ("POST", "/instancias/{instance_id}/reintentar", {}, {"operador"}),
    "staff.instances.incidents": ("GET", "/instancias/incidentes", None, {"operador"}),
    "staff.instances.edit_variables": ("POST", "/instancias/{instance_id}/datos", {}, {"operador"}),
    "staff.instances.suspend": ("POST", "/instancias/{instance_id}/suspender", {}, {"operador"}),
    "staff.instances.resume": ("POST", "/instancias/{instance_id}/reanudar", {}, {"operador"}),
    "staff.instances.skip": ("POST", "/instancias/{instance_id}/omitir", {}, {"operador"}),
    "staff.instances.move": ("POST", "/instancias/{instance_id}/mover", {}, {"operador"}),
    "staff.instances.called": (
        "GET",
        "/instancias/{called_instance}/llamados/{called_task}",
        None,
        {"operador"},
    ),
    "staff.instances.migration_check": ("GET", "/instancias/migrar", None, {"operador"}),
    "staff.instances.migrate": ("POST", "/instancias/migrar", {}, {"operador"}),
    "staff.instances.heatmap": (
        "GET",
        "/instancias/procesos/registro_usuario/mapa-de-calor",
        None,
        {"operador"},
    ),
    "api.v1.instances": ("GET", "/api/v1/instances", None, {"operador"}),
    "api.v1.instance": ("GET", "/api/v1/instances/{instance_id}", None, {"operador"}),
    "api.v1.cancel": ("POST", "/api/v1/instances/{instance_id}/cancel", {}, {"operador"}),
    "api.v1.edit_variables": ("POST", "/api/v1/instances/{instance_id}/variables", {}, {"operador"}),
    "api.v1.suspend": ("POST", "/api/v1/instances/{instance_id}/suspend", {}, {"operador"}),
    "api.v1.resume": ("POST", "/api/v1/instances/{instance_id}/resume", {}, {"operador"}),
    "api.v1.incidents": ("GET", "/api/v1/incidents", None, {"operador"}),
    "api.v1.retry_incident": ("POST", "/api/v1/incidents/{incident_id}/retry", {}, {"operador"}),
    "api.v1.retry": ("POST", "/api/v1/instances/{instance_id}/retry", {}, {"operador"}),
    "api.v1.migrations": ("POST", "/api/v1/migrations", {}, {"operador"}),
    "api.v1.heatmap": ("GET", "/api/v1/processes/registro_usuario/heatmap", None, {"operador"}),
    "api.v1.deliver": ("POST", "/api/v1/messages/no_existe", {}, {"operador"}),
    # Platform administration (nobody here holds the "admin" role).
    "staff.admin.roles": ("GET", "/admin/roles", None, NOBODY),
    "staff.admin.change_role": ("POST", "/admin/roles", {}, NOBODY),
}
REFUSED = {401, 403, 404}


@pytest.fixture
def scene(app):
    """The shared app (SQLite and PostgreSQL, CSRF off, development mailbox) with people,
    accounts, a document, a waiting access request and a case at the Mesa de Servicio."""
    runner = app.extensions["runner"]
    runner.deploy()
    world = World(app)
    users = {name: world.user(name.replace("_", ".")) for name in PERSONAS if name != "anonimo"}
    for name, role in (("mesa", "mesa_servicio"), ("analista", "analista"), ("operador", "operador"),
                       ("supervisor", "supervisor")):  # fmt: skip
        with runner.transaction() as session:
            from engine.domain.models import UserRole

            session.add(UserRole(user_id=users[name], role=role))
    account_a = world.account(admin=users["admin_a"], members=[(users["comprador_a"], "Comprador")])
    world.account(admin=users["admin_b"])
    document_a = world.document(account_a, uploaded_by=users["admin_a"])
    # An access request waiting for account A's administrator.
    requester = runner.actor_for_user(world.user("solicitante"))
    started = runner.start("solicitud_acceso", requester)
    from engine.domain.models import AccessRequest
    from engine.domain.models import Account
    from engine.domain.models import SupportCase
    from engine.models import OutboxEmail

    with runner.transaction() as session:
        nit_a = session.get(Account, account_a).nit
    task = runner.inbox(requester, instance_id=started.instance_id)[0]
    runner.complete_task(requester, task.id, {"entity_name": nit_a})
    runner.complete_task(requester, runner.inbox(requester, instance_id=started.instance_id)[0].id, {})
    admin_a = runner.actor_for_user(users["admin_a"])
    admin_task = runner.inbox(admin_a, instance_id=started.instance_id)[0].id
    # An activation request waiting at the Mesa de Servicio.
    activation = runner.start("activacion_cuenta", admin_a, {"account_id": account_a, "account_name": "A"})
    runner.complete_task(
        admin_a, runner.inbox(admin_a, instance_id=activation.instance_id)[0].id, support_form()
    )
    mesa = runner.actor_for_user(users["mesa"])
    mesa_task = runner.inbox(mesa, instance_id=activation.instance_id)[0].id
    # A second request, left at its form: a task with option lists (Departamento).
    waiting = runner.start("activacion_cuenta", admin_a, {"account_id": account_a, "account_name": "A"})
    options_task = runner.inbox(admin_a, instance_id=waiting.instance_id)[0].id
    # "ajeno" began registering an Entidad and stopped at "Validar": a task only they may discard.
    outsider = runner.actor_for_user(users["ajeno"])
    own = runner.start("registro_entidad", outsider)
    own_task = runner.inbox(outsider, instance_id=own.instance_id)[0].id
    # A registered Entidad waiting inside its called process (Solicitar activación).
    walk = Onboarding(runner)
    _registration, registrant = walk.register_user("registrante.uno")
    called_instance = walk.start(registrant, "registro_entidad")
    walk.register_entity(registrant, called_instance, nit="830054060")
    [called] = runner.called_processes(called_instance)
    with runner.transaction() as session:
        incident, _ = incidents.record(  # as the step path opens one
            session, instance_id=waiting.instance_id, process_id="activacion_cuenta", element_id="x",
            element_name="X", step="timer", message="m", detail="d", data_keys=[], now=utcnow(),
        )  # fmt: skip
        ids = {
            "called_instance": called_instance,
            "called_task": called.task_id,
            "incident_id": incident.id,
            "request_id": session.scalar(select(AccessRequest.id)),
            "case_id": session.scalar(select(SupportCase.id)),
            "email_id": session.scalar(select(OutboxEmail.id)),
        }
    ids.update(
        account_a=account_a,
        document_a=document_a,
        admin_task=admin_task,
        mesa_task=mesa_task,
        options_task=options_task,
        own_task=own_task,
        instance_id=activation.instance_id,
        version_id=runner.latest_versions()[0].id,
    )
    return app, ids


def _client(app, persona):
    client = app.test_client()
    if persona != "anonimo":
        response = client.post("/entrar", data={"usuario": persona.replace("_", "."), "contrasena": PASSWORD})
        assert response.status_code == 302, persona
    return client


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and "/entrar" in response.headers.get("Location", "")


def test_every_route_is_in_the_table(tmp_path):
    import webui

    app = webui.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
            "UPLOAD_DIR": str(tmp_path),
        }
    )
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    table = {(key.split(":")[0], method) for key, (method, *_rest) in RULES.items()}
    assert routes - table == set(), "state who may use these routes (and methods)"
    assert table - routes == set(), "these routes (or methods) no longer exist"


def test_each_person_gets_exactly_what_they_may(scene):
    """One seeded scene per database; every route for every person, then foreign ids, then
    logout (last, since it ends sessions)."""
    app, ids = scene
    wrong = []
    for persona in PERSONAS:
        wrong += _mismatches(app, ids, persona)
    assert wrong == [], "\n".join(wrong)
    _foreign_ids_answer_404_without_data(app, ids)
    for key, (_method, url, data, allowed) in RULES.items():
        if allowed is ANYONE_MAY_POST:
            answers = {
                persona: _client(app, persona).post(url, data=data).status_code for persona in PERSONAS
            }
            assert max(answers.values()) < 500, (key, answers)
    for persona in PERSONAS:
        assert _client(app, persona).post("/salir").status_code == 302


def _mismatches(app, ids, persona) -> list[str]:
    client = _client(app, persona)
    wrong = []
    for endpoint, (method, template, data, allowed) in RULES.items():
        if endpoint == "public.logout" or allowed is ANYONE_MAY_POST:
            continue  # would touch this persona's session; checked on its own below
        url = template.format(**ids)
        if data:  # ids in form values too ({account_a})
            data = {key: str(value).format(**ids) for key, value in data.items()}
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.open(url, method=method, json=data)
        else:
            response = client.post(url, data=data)
        response.close()  # downloads stream from files
        refused = _refused(response)
        if refused == (persona in allowed):
            expected = "allowed" if persona in allowed else "refused"
            wrong.append(f"{persona}: {method} {url} answered {response.status_code}, expected {expected}")
        if refused and persona != "anonimo" and response.status_code == 302:
            wrong.append(f"{persona}: {method} {url}: a logged-in person was sent to Entrar")
    return wrong


def _foreign_ids_answer_404_without_data(app, ids):
    urls = [f"/tareas/{ids['admin_task']}", f"/api/v1/tasks/{ids['admin_task']}"]
    for persona in ("ajeno", "admin_b", "mesa", "analista", "operador"):
        client = _client(app, persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (persona, url)
            assert "Revisar solicitud de acceso" not in response.get_data(as_text=True)
        cancel = client.post(f"/usuario/registros/{ids['request_id']}/cancelar")
        assert cancel.status_code == 404, persona


def test_only_a_task_of_the_owners_lane_is_discarded(scene):
    """Discarding is the owner's, from a task of their own lane, on the page and on the post
    alike: admin_a's own activation request waits on the Administrador's lane (they may work
    it, it is no unfinished form of theirs) and the access request they decide is someone
    else's. Both are 404 and nothing is cancelled; the owner's own form is discarded."""
    app, ids = scene
    admin = _client(app, "admin_a")
    for task in ("options_task", "admin_task"):
        assert admin.get(f"/tareas/{ids[task]}").status_code == 200  # theirs to work
        assert admin.get(f"/tareas/{ids[task]}/descartar").status_code == 404
        assert admin.post(f"/tareas/{ids[task]}/descartar").status_code == 404
        assert admin.get(f"/tareas/{ids[task]}").status_code == 200  # still there
    owner = _client(app, "ajeno")
    assert owner.get(f"/tareas/{ids['own_task']}/descartar").status_code == 200
    response = owner.post(f"/tareas/{ids['own_task']}/descartar")
    assert response.status_code == 302
    assert owner.get(f"/tareas/{ids['own_task']}").status_code == 409  # cancelled: no longer pending

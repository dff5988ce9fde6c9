"""Issue 13, dead ends in registering an Entidad (points 6, 7, 8, 9), walked in chromium.

As in test_guide_walks.py: what came before is prepared directly (World) or through the
procedures (the test client), the part under test is clicked through by visible labels and
text, every page is checked with axe-core (any violation fails) at 390 px and 1280 px, and
the screenshots land in tests/artifacts/.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.browser.test_guide_walks import Walk
from tests.browser.test_guide_walks import release
from tests.browser.test_guide_walks import seed
from tests.browser.test_journeys import ENTITY


def nit_of(app, account_id: int) -> str:
    from engine.domain.models import Account
    from webui.core.extensions import db

    with app.app_context():
        return db.session.scalar(select(Account.nit).where(Account.id == account_id))


def begin_validar(j: Walk):
    """From the start page of a user without an account to the guide's "Validar"."""
    j.click("Registrar cuenta de Entidad Estatal")
    assert j.h1() == "Validar"


# --------------------------------------------------------------------------- 6


def test_a_registered_entity_is_said_so_and_offers_solicitud_de_acceso(
    page, live_server, tmp_path, artifacts_dir
):
    """13.6: "Validar" with the NIT of a registered Entidad says so in words and offers
    "Solicitud de acceso" to it (never "Buscar cuenta"); "Esperando aprobación", "Finalizar";
    the request reaches "Mis registros" and the administrator's tasks."""
    config, app, _actions, world = seed(tmp_path)
    admin = world.user("admin.gobernacion")
    account_id = world.account("GOBERNACION DE PRUEBA", admin=admin)
    nit = nit_of(app, account_id)
    world.user("nuevo.usuario")
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "d6")
    j.login("nuevo.usuario")
    begin_validar(j)
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría", "Gobernación de prueba")
    j.fill("Número de documento", nit)
    j.click("Validar")

    assert j.h1() == "Solicitud de acceso"
    said = page.locator(".instructions").inner_text()
    assert f"La Entidad Estatal GOBERNACION DE PRUEBA (NIT {nit}) ya está registrada en el SECOP II" in said
    assert "Buscar cuenta" not in page.content()
    assert page.get_by_role("button", name="Validar otra Entidad").is_visible()
    j.both_widths("ya-registrada")
    j.click("Solicitud de acceso")

    assert j.h1() == "Esperando aprobación"
    assert "Estado: Esperando aprobación" in page.locator(".instructions").inner_text()
    j.both_widths("esperando-aprobacion")
    j.click("Finalizar")
    assert "quedó «Esperando aprobación»" in j.flash()
    assert page.get_by_role("heading", name="Tareas pendientes").count() == 0  # nothing left behind
    j.goto("/usuario/registros")
    row = page.locator("tr", has_text="GOBERNACION DE PRUEBA").inner_text()
    assert "Pendiente" in row
    j.both_widths("mis-registros")
    j.logout()

    j.login("admin.gobernacion")
    j.link("Bandeja de tareas")
    j.open_task("Revisar solicitud de acceso")
    j.step("revisar")
    j.done()


def test_a_new_nit_shows_registrar_and_the_nit_stays_fixed(page, live_server, tmp_path, artifacts_dir):
    """13.6: a NIT nobody registered shows the guide's "Registrar" before the first part;
    "Validar otra Entidad" goes back. 13.7: "Información general" shows the validated NIT
    fixed, with no field to change it, and the account is registered with it."""
    config, app, _actions, world = seed(tmp_path)
    world.user("ana.perez")
    release(app)
    j = Walk(page, live_server(config), artifacts_dir, "d7")
    j.login("ana.perez")
    begin_validar(j)
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría", "ALCALDIA DE PRUEBA")
    j.fill("Número de documento", "800197261")
    j.click("Validar")
    assert j.h1() == "Registrar"
    assert "No se encontró ninguna Entidad Estatal" in page.locator(".instructions").inner_text()
    j.click("Validar otra Entidad")  # a typo in the NIT
    assert j.h1() == "Validar"
    assert j.field("Número de documento").input_value() == "800197261"  # kept, to correct
    j.fill("Número de documento", "800197268")
    j.click("Validar")
    assert j.h1() == "Registrar" and "800197268" in page.locator(".instructions").inner_text()
    j.both_widths("registrar")
    j.click("Registrar")

    assert j.h1() == "Registrar – primera parte"
    page.get_by_label("Público", exact=True).check()
    page.get_by_label("Otras Entidades públicas").check()
    j.click("Generar formulario")
    assert j.h1() == "Información general"
    fixed = "NIT de la Entidad (validado, no se puede cambiar): 800197268"
    assert fixed in page.locator(".instructions").inner_text()
    assert page.get_by_label("NIT", exact=False).count() == 0  # no field to type another NIT
    j.both_widths("informacion-general-nit-fijo")
    j.fill_general_information()
    j.click("Continuar")
    assert j.h1() == "Anexar documentos"
    j.done()


# --------------------------------------------------------------------------- 9


def test_section_three_shows_once_after_entrar_and_a_second_start_resumes(
    page, live_server, tmp_path, artifacts_dir
):
    """13.9 (§4, §8): registered and activated, the user clicks "Entrar" and sees section 3,
    "Crear o solicitar acceso a una Entidad", once: one start (from the diagrams'
    startableBy/startLabel/startDescription/startOn) whose "Validar" leads to the registration
    or to the access request (R1), and no task to choose between them. Clicking it a second
    time goes back to the unfinished one: one pending task, not two. The §8 "usuario ya
    registrado" path (Mis registros → Nuevo registro) is another procedure and behaves alike."""
    config, _app, _actions, _world = seed(tmp_path)
    j = Walk(page, live_server(config), artifacts_dir, "d9")
    j.register_user("ana.perez", "ana.perez@alcaldia.gov.co")  # ends clicking "Entrar"
    assert page.get_by_role("heading", name="Crear o solicitar acceso a una Entidad").count() == 1
    assert page.get_by_role("heading", name="Tareas pendientes").count() == 0  # no radio task
    heading = page.get_by_role("heading", name="Crear o solicitar acceso a una Entidad")
    section = page.locator("section", has=heading)
    assert section.get_by_role("button").all_inner_texts() == ["Registrar cuenta de Entidad Estatal"]
    said = section.inner_text()
    assert "empiece por “Validar”" in said and "se le habilita la “Solicitud de acceso”" in said
    assert page.get_by_role("button", name="Solicitud de acceso").count() == 0  # R1 starts at "Validar"
    j.both_widths("seccion-3")

    j.click("Registrar cuenta de Entidad Estatal")
    assert j.h1() == "Validar"
    # prefilled with the Entidad written in section 1 (§6: "confirme el nombre diligenciado")
    assert j.field("Entidad/Proveedor/Persona Natural/Veedor/Veeduría").input_value() == ENTITY
    j.link("Inicio")
    assert page.locator("#titulo-tareas + ul li").count() == 1
    j.click("Registrar cuenta de Entidad Estatal")  # again: back to the same "Validar"
    assert j.h1() == "Validar"
    assert "Ya tiene este trámite sin terminar" in j.flash()
    j.both_widths("tramite-retomado")
    j.link("Inicio")
    assert page.locator("#titulo-tareas + ul li").count() == 1  # still one: nothing orphaned

    j.goto("/usuario/registros")
    j.click("Nuevo registro")  # the other path is another procedure: it starts
    assert j.h1() == "Buscar cuenta"
    j.link("Inicio")
    assert page.locator("#titulo-tareas + ul li").count() == 2
    j.goto("/usuario/registros")
    j.click("Nuevo registro")
    assert j.h1() == "Buscar cuenta" and "Ya tiene este trámite sin terminar" in j.flash()
    j.link("Inicio")
    assert page.locator("#titulo-tareas + ul li").count() == 2
    j.done()


# --------------------------------------------------------------------------- 8


def test_an_unfinished_registration_is_discarded_with_its_uploads(
    page, live_server, tmp_path, artifacts_dir
):
    """13.8: the registrant who stopped at "Anexar documentos" (one file attached, the form
    never sent) finds it on the start page, "Descartar" asks first, and afterwards nothing
    is left: no pending task, no staged document, no account."""
    from engine.domain.models import Account
    from engine.domain.models import Document

    config, app, actions, world = seed(tmp_path)
    world.user("ana.perez")
    actions.login("ana.perez")  # "Validar" and "Registrar" as before; the browser goes on
    validated = actions.post("/tareas/iniciar/registro_entidad", {"entity_name": "ALCALDIA DE PRUEBA",
                                                                   "nit": "800197268"})  # fmt: skip
    actions.post(validated.headers["Location"], {"next_step": "registrar"})
    actions.logout()
    release(app)
    pdf = tmp_path / "acto.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    j = Walk(page, live_server(config), artifacts_dir, "d8")
    j.login("ana.perez")
    j.open_task("Registrar – primera parte")
    page.get_by_label("Público", exact=True).check()
    page.get_by_label("Otras Entidades públicas").check()
    j.click("Generar formulario")
    j.fill_general_information()
    j.click("Continuar")
    assert j.h1() == "Anexar documentos"
    for label in (
        "Último acto de estructura y organización o Acta de creación (obligatorio)",
        "Acta de posesión del Ordenador del Gasto (obligatorio)",
        "Documento de autorización de usuario administrador (obligatorio)",
    ):
        j.field(label).set_input_files(str(pdf))
    exe = tmp_path / "rut.exe"
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00")
    j.field("Registro Único Tributario (RUT) de la Entidad").set_input_files(str(exe))
    j.click("Finalizar")  # the RUT is refused: the form stays, the three files are kept (staged)
    page.wait_for_selector("#resumen-errores")
    assert page.locator(".document-ok").count() == 3
    j.link("Inicio")
    item = page.locator("li", has_text="Anexar documentos")
    assert item.get_by_role("link", name="Descartar Anexar documentos").is_visible()
    j.both_widths("inicio-con-tramite-sin-terminar")
    item.get_by_role("link", name="Descartar Anexar documentos").click()
    assert j.h1() == "¿Descartar este trámite?"
    assert "no queda ningún borrador" in page.locator("main").inner_text()
    j.both_widths("confirmar-descartar")
    j.click("Descartar")
    assert "Descartó el trámite" in j.flash()
    assert page.get_by_role("heading", name="Tareas pendientes").count() == 0
    j.both_widths("inicio-tras-descartar")
    j.done()
    with app.app_context():
        from webui.core.extensions import db

        assert db.session.scalars(select(Document)).all() == []
        assert db.session.scalars(select(Account)).all() == []

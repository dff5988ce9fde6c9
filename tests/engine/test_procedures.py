"""Issue 3: every path of the guide's procedures, walked through the Runner on SQLite and
PostgreSQL with the project's own workflows/ and forms/."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func
from sqlalchemy import select

from engine import Actor
from engine.domain.checks import today_in_colombia
from engine.domain.models import AccessRequest
from engine.domain.models import Account
from engine.domain.models import Document
from engine.domain.models import Membership
from engine.domain.models import SupportCase
from engine.domain.models import SupportCaseDecision
from engine.domain.models import User
from engine.errors import DomainError
from engine.errors import FormInvalid
from engine.errors import MessageNotExpected
from engine.models import ProcessInstance
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info
from tests.engine.onboarding import recent_date
from tests.engine.onboarding import support_form


@pytest.fixture
def walk(runner) -> Onboarding:
    return Onboarding(runner)


def _one(runner, model, *where):
    with runner.transaction() as session:
        return session.scalars(select(model).where(*where)).one()


def _count(runner, model, *where) -> int:
    with runner.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _status(runner, instance_id) -> str:
    with runner.transaction() as session:
        return session.get(ProcessInstance, instance_id).status


def _registered_account(walk: Onboarding):
    """A user registered (§4), an entity registered (§6): the admin and the account id."""
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")  # section 3, "Registrar cuenta de Entidad Estatal"
    account_id = walk.register_entity(user, instance_id)
    return instance_id, walk.actor(user.user_id), account_id


def test_registration_new_entity_and_activation_happy_path(walk, runner):
    registration, user = walk.register_user()
    assert _one(runner, User, User.id == user.user_id).status == "Activo"
    email = walk.emails("activacion_usuario")[0]
    assert "ana.perez" in email.body and "/activar/" in email.body
    assert _status(runner, registration) == "completed"  # sections 1 and 2; section 3 is the start page

    instance_id = walk.start(user, "registro_entidad")
    view = runner.task(user, walk.task(user, "validar_entidad", instance_id).id)
    assert view.data["entity_name"] == "Alcaldía Municipal de Chía"  # prefilled from section 1
    account_id = walk.register_entity(user, instance_id)

    account = _one(runner, Account, Account.id == account_id)
    assert (account.state, account.nit, account.nit_check_digit) == (
        "Pendiente de activación",
        "899999172",
        "8",
    )
    assert _one(runner, Membership, Membership.account_id == account_id).role == "Administrador"
    assert _count(runner, Document, Document.account_id == account_id, Document.state == "attached") == 4
    assert walk.emails("cuenta_registrada")[0].to_addr == "contratacion@chia.gov.co"

    admin = walk.actor(user.user_id)  # memberships are read again: now Administrador of the account
    walk.complete(admin, "solicitar_activacion", support_form(), instance_id)
    case = _one(runner, SupportCase, SupportCase.account_id == account_id)
    assert case.number == f"CASO-{dt.datetime.now(dt.UTC).year}-{case.id:06d}"

    mesa = walk.mesa()
    result = walk.complete(mesa, "validar_documentos", {"decision": "activar"}, instance_id)
    assert result.status == "completed"
    assert _one(runner, Account, Account.id == account_id).state == "Activa"
    decision = _one(runner, SupportCaseDecision, SupportCaseDecision.case_id == case.id)
    assert (decision.decision, decision.decided_by) == ("Activar cuenta", mesa.user_id)
    assert walk.emails("cuenta_activada")[0].to_addr == "contratacion@chia.gov.co"


def test_unconfirmed_user_stays_pending_and_the_link_is_single_use(walk, runner):
    started = runner.start("registro_usuario", Actor.anonymous())
    anonymous = Actor.anonymous(started.anonymous_token)
    from tests.engine.onboarding import user_form

    result = walk.complete(anonymous, "registrar_usuario", user_form(), started.instance_id)
    assert "activation_token_hash" in result.data  # only the hash, never the raw token
    assert _one(runner, User, User.id == result.data["user_id"]).status == "Pendiente de confirmación"
    link_hash = walk.activation_hash()
    runner.deliver_message("activacion_usuario", link_hash)
    with pytest.raises(MessageNotExpected):
        runner.deliver_message("activacion_usuario", link_hash)


def test_expired_link_offers_a_new_one(make_runner):
    runner = make_runner(process_defaults={"activation_link_ttl": "PT0.5S"})
    walk = Onboarding(runner)
    from tests.engine.onboarding import user_form

    started = runner.start("registro_usuario", Actor.anonymous())
    anonymous = Actor.anonymous(started.anonymous_token)
    result = walk.complete(anonymous, "registrar_usuario", user_form(), started.instance_id)
    old_hash = walk.activation_hash()
    time.sleep(0.7)
    assert runner.fire_due_timers() == 1
    with pytest.raises(MessageNotExpected):
        runner.deliver_message("activacion_usuario", old_hash)  # expired
    runner.deliver_message("reenvio_enlace", old_hash)
    new_email = walk.emails("nuevo_enlace")[-1]
    assert "ana.perez" in new_email.body
    new_hash = walk.activation_hash("nuevo_enlace")
    assert new_hash != old_hash
    runner.deliver_message("activacion_usuario", new_hash)
    assert _one(runner, User, User.id == result.data["user_id"]).status == "Activo"
    assert runner.inbox(walk.actor(result.data["user_id"])) == []  # section 3 is the start page
    assert _status(runner, started.instance_id) == "completed"


def test_activation_filed_by_phone_follows_the_entitys_path(walk, runner):
    """13.14 (§7): the Mesa de Servicio files the request for a caller; the case is validated,
    corrected by the entity's administrator and activated as one the entity sent."""
    instance_id, admin, account_id = _registered_account(walk)
    mesa = walk.mesa()
    started = runner.start("solicitud_telefonica", mesa)
    call = walk.task(mesa, "registrar_llamada", started.instance_id)
    offered = runner.task_options(mesa, call.id, "account_id")
    assert offered == [(str(account_id), "ALCALDIA MUNICIPAL DE CHIA (NIT 899999172-8)")]
    result = walk.complete(mesa, "registrar_llamada", {"account_id": account_id, **support_form()})
    case = _one(runner, SupportCase, SupportCase.account_id == account_id)
    assert (case.kind, case.state, case.created_by) == ("Activación de cuenta", "Abierto", mesa.user_id)
    assert [t.name for t in result.next_tasks] == ["validar_documentos"]
    walk.complete(mesa, "validar_documentos", {"decision": "corregir", "reason": "El RUT no es legible."})
    assert _one(runner, Account, Account.id == account_id).state == "En corrección"
    walk.complete(walk.actor(admin.user_id), "corregir_documentos", {"correction_notes": "RUT legible."},
                  started.instance_id)  # fmt: skip
    walk.complete(mesa, "validar_documentos", {"decision": "activar"})
    assert _one(runner, Account, Account.id == account_id).state == "Activa"
    assert _status(runner, started.instance_id) == "completed"
    another = runner.start("solicitud_telefonica", mesa).next_tasks[0]
    assert runner.task_options(mesa, another.id, "account_id") == []  # it has its case now


def test_the_entitys_own_form_after_a_phone_request_joins_its_case(walk, runner):
    """13.14 (§7): the Mesa de Servicio filed the activation by phone; the administrator later
    sends the form still waiting on their start page: no second case, they are told the
    phone case's number, and the Mesa has one task for the account, not two."""
    instance_id, admin, account_id = _registered_account(walk)
    mesa = walk.mesa()
    runner.start("solicitud_telefonica", mesa)
    walk.complete(mesa, "registrar_llamada", {"account_id": account_id, **support_form()})
    phone_case = _one(runner, SupportCase, SupportCase.account_id == account_id)

    own = walk.complete(admin, "solicitar_activacion", support_form(), instance_id)
    assert _count(runner, SupportCase, SupportCase.account_id == account_id) == 1
    assert own.data["support_case"]["number"] == phone_case.number
    assert own.message == (
        "La Mesa de Servicio ya había registrado por teléfono la solicitud de activación de esta "
        f"cuenta: su formulario se unió a ese caso, número {phone_case.number}."
    )
    assert [t.name for t in runner.inbox(mesa)] == ["validar_documentos"]  # the phone case's only
    assert _status(runner, instance_id) == "completed"  # the registration is done; the case goes on
    walk.complete(mesa, "validar_documentos", {"decision": "activar"})
    assert _one(runner, Account, Account.id == account_id).state == "Activa"


def test_existing_nit_leads_to_an_access_request_not_a_second_account(walk, runner):
    """13.6: "Validar" with a registered NIT says so and offers "Solicitud de acceso" to that
    account (no "Buscar cuenta"); "Esperando aprobación" → "Finalizar" sends it."""
    owner = walk.make_user("admin.existente")
    account_id = walk.make_active_account(owner, nit="899999172", name="ALCALDIA MUNICIPAL DE CHIA")
    _registration, user = walk.register_user()
    instance_id = walk.start(user, "registro_entidad")
    walk.complete(user, "validar_entidad", {"entity_name": "Otro nombre", "nit": "899999172"}, instance_id)

    offer = runner.task(user, walk.task(user, "entidad_registrada", instance_id).id)
    assert offer.summary.title == "Solicitud de acceso"
    assert "ALCALDIA MUNICIPAL DE CHIA" in offer.instructions and "ya está registrada" in offer.instructions
    assert offer.form.submit_text == "Solicitud de acceso"
    walk.complete(user, "entidad_registrada", {"next_step": "solicitar"}, instance_id)
    waiting = runner.task(user, walk.task(user, "esperando_aprobacion", instance_id).id)
    assert "Esperando aprobación" in waiting.instructions and waiting.form.submit_text == "Finalizar"
    assert walk.emails("solicitud_acceso_recibida") == []  # nothing is sent before "Finalizar"
    walk.complete(user, "esperando_aprobacion", {}, instance_id)
    assert [t.name for t in runner.inbox(user)] == []  # no "Buscar cuenta", no "Solicitar acceso"
    assert walk.emails("solicitud_acceso_recibida")[0].to_addr == "admin.existente@example.gov.co"

    owner = walk.actor(owner.user_id)
    walk.complete(
        owner,
        "revisar_solicitud_acceso",
        {"decision": "aceptar", "role": "Comprador", "permissions": ["Procesos de Contratación"]},
    )
    assert _count(runner, Account) == 1
    member = _one(runner, Membership, Membership.user_id == user.user_id)
    assert (member.account_id, member.role, member.permissions) == (
        account_id,
        "Comprador",
        ["Procesos de Contratación"],
    )
    assert _one(runner, AccessRequest, AccessRequest.user_id == user.user_id).state == "Aceptado"
    assert walk.emails("acceso_aceptado")[0].to_addr == "ana.perez@example.gov.co"
    assert _status(runner, instance_id) == "completed"


def test_validar_otra_entidad_and_the_validated_nit_is_fixed(walk, runner):
    """13.6 and 13.7: a new NIT says nothing was found and offers "Registrar"; either page goes
    back to "Validar"; the NIT validated is the one registered whatever the form posts later."""
    owner = walk.make_user("admin.existente")
    walk.make_active_account(owner, nit="899999172", name="ALCALDIA MUNICIPAL DE CHIA")
    user = walk.make_user("registradora")
    iid = runner.start("registro_entidad", user).instance_id
    by_name = {"entity_name": "ALCALDIA MUNICIPAL DE CHIA", "nit": "900000001"}
    walk.complete(user, "validar_entidad", by_name, iid)
    walk.complete(user, "entidad_registrada", {"next_step": "validar"}, iid)  # found by name
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Cota", "nit": "899999173"}, iid)
    offer = runner.task(user, walk.task(user, "registrar_entidad", iid).id)
    assert offer.summary.title == "Registrar" and offer.form.submit_text == "Registrar"
    assert "No se encontró ninguna Entidad Estatal" in offer.instructions
    assert "899999173" in offer.instructions
    walk.complete(user, "registrar_entidad", {"next_step": "validar"}, iid)
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Cota", "nit": "899999174"}, iid)
    walk.complete(user, "registrar_entidad", {}, iid)  # the hidden field says "registrar" again
    walk.complete(user, "registrar_primera_parte", first_part(), iid)
    general = runner.task(user, walk.task(user, "informacion_general", iid).id)
    assert general.form.field("nit") is None and "899999174" in general.instructions
    walk.complete(user, "informacion_general", general_info(nit="899999172"), iid)  # a forged NIT
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    walk.complete(user, "anexar_documentos", walk.upload(user, "anexar_documentos", slots, iid), iid)
    assert walk.account_id("899999174") is not None and _count(runner, Account) == 2


def test_search_not_found_returns_to_search_with_a_message(walk, runner):
    user = walk.make_user("buscador")
    started = runner.start("solicitud_acceso", user)
    walk.complete(user, "buscar_cuenta", {"entity_name": "ENTIDAD QUE NO EXISTE"}, started.instance_id)
    again = runner.task(user, walk.task(user, "buscar_cuenta", started.instance_id).id)
    assert "No se encontró ninguna cuenta registrada" in again.instructions


BY_NAME = "AGENCIA NACIONAL DE PRUEBA"  # the name of make_active_account's account


def _pending_request(walk, runner, owner_name: str, user_name: str, query: str = "800197268"):
    """``user_name`` asks, on its own (Mis registros), for access to the active account of
    ``owner_name``: (owner, user, started)."""
    owner = walk.make_user(owner_name)
    walk.make_active_account(owner)
    user = walk.make_user(user_name)
    started = runner.start("solicitud_acceso", user)
    walk.complete(user, "buscar_cuenta", {"entity_name": query}, started.instance_id)
    walk.complete(user, "solicitar_acceso", {}, started.instance_id)
    return owner, user, started


def test_access_request_rejected(walk, runner):
    owner, user, started = _pending_request(walk, runner, "admin.cuenta", "solicitante")
    walk.complete(
        walk.actor(owner.user_id),
        "revisar_solicitud_acceso",
        {"decision": "rechazar", "reason": "No trabaja en la Entidad."},
    )
    request = _one(runner, AccessRequest, AccessRequest.user_id == user.user_id)
    assert (request.state, request.decided_by, request.reason) == (
        "Rechazado",
        owner.user_id,
        "No trabaja en la Entidad.",
    )
    assert _count(runner, Membership, Membership.user_id == user.user_id) == 0
    assert "No trabaja en la Entidad." in walk.emails("acceso_rechazado")[0].body


def test_review_names_the_requester_when_asked_from_mis_registros(walk, runner):
    """13.1: started on its own (Mis registros → Nuevo registro), not inside a registration
    that carries the person's data: the reviewer still reads who asks."""
    owner, user, started = _pending_request(walk, runner, "admin.revisa", "pedro.gomez")
    review = walk.task(walk.actor(owner.user_id), "revisar_solicitud_acceso")
    instructions = runner.task(walk.actor(owner.user_id), review.id).instructions
    assert instructions.startswith(
        "<p>Pedro.Gomez Prueba (Cédula de ciudadanía 1000000, pedro.gomez@example.gov.co) solicita acceso"
    )


@pytest.mark.parametrize("already", ["pending", "member"])
def test_a_second_request_ends_at_once_with_the_reason(walk, runner, already):
    """13.10: a pending request (or a membership) for the account found ends the new
    procedure after "Buscar" with a reason; no task is left to fail on "Solicitar"."""
    owner = walk.make_user("admin.duplicado")
    account_id = walk.make_active_account(owner)
    user = walk.make_user("insistente")
    if already == "pending":
        first = runner.start("solicitud_acceso", user)
        walk.complete(user, "buscar_cuenta", {"entity_name": "800197268"}, first.instance_id)
        walk.complete(user, "solicitar_acceso", {}, first.instance_id)
    else:
        with runner.transaction() as session:
            session.add(
                Membership(user_id=user.user_id, account_id=account_id, role="Comprador", permissions=[])
            )
    second = runner.start("solicitud_acceso", user)
    result = walk.complete(user, "buscar_cuenta", {"entity_name": "800197268"}, second.instance_id)
    assert result.status == "completed" and result.next_tasks == []
    reasons = {"pending": "Ya tiene una solicitud de acceso pendiente", "member": "Usted ya tiene acceso"}
    assert result.data["user_notice"].startswith(reasons[already])
    assert _status(runner, second.instance_id) == "completed"
    assert runner.inbox(user) == []
    assert _count(runner, AccessRequest, AccessRequest.user_id == user.user_id) == (already == "pending")


def test_accepting_requires_a_role(walk, runner):
    owner, user, started = _pending_request(walk, runner, "admin.rol", "sin.rol", BY_NAME)
    with pytest.raises(FormInvalid) as caught:
        walk.complete(walk.actor(owner.user_id), "revisar_solicitud_acceso", {"decision": "aceptar"})
    assert caught.value.errors == {"role": ["Seleccione el rol del usuario en la cuenta."]}


def test_user_cancels_a_pending_request(walk, runner):
    owner, user, started = _pending_request(walk, runner, "admin.cancela", "arrepentido", BY_NAME)
    request = _one(runner, AccessRequest, AccessRequest.user_id == user.user_id)
    runner.deliver_message("cancelar_solicitud", str(request.id), actor=user)
    assert _one(runner, AccessRequest, AccessRequest.id == request.id).state == "Cancelado"
    assert runner.inbox(walk.actor(owner.user_id)) == []
    assert _status(runner, started.instance_id) == "completed"


def test_correction_loop_two_rounds_then_activation(walk, runner):
    instance_id, admin, account_id = _registered_account(walk)
    walk.complete(admin, "solicitar_activacion", support_form(), instance_id)
    mesa = walk.mesa()
    first_rut = _one(runner, Document, Document.account_id == account_id, Document.slot == "rut").public_id
    for round_number in (1, 2):
        walk.complete(
            mesa,
            "validar_documentos",
            {"decision": "corregir", "reason": f"RUT ilegible ({round_number})"},
            instance_id,
        )
        assert _one(runner, Account, Account.id == account_id).state == "En corrección"
        fix = runner.task(admin, walk.task(admin, "corregir_documentos", instance_id).id)
        assert f"RUT ilegible ({round_number})" in fix.instructions
        documents = walk.upload(admin, "corregir_documentos", ["rut"], instance_id)
        walk.complete(
            admin, "corregir_documentos", {**documents, "correction_notes": "RUT nuevo"}, instance_id
        )
        assert _one(runner, Account, Account.id == account_id).state == "Pendiente de activación"
    walk.complete(mesa, "validar_documentos", {"decision": "activar"}, instance_id)
    assert _one(runner, Account, Account.id == account_id).state == "Activa"
    with runner.transaction() as session:
        decisions = session.scalars(
            select(SupportCaseDecision.decision).order_by(SupportCaseDecision.id)
        ).all()
        ruts = session.execute(select(Document.public_id, Document.state).where(Document.slot == "rut")).all()
    assert decisions == ["Solicitar corrección", "Documentos corregidos"] * 2 + ["Activar cuenta"]
    assert sorted(state for _id, state in ruts) == ["attached", "replaced", "replaced"]
    assert dict(ruts)[first_rut] == "replaced"
    assert len(walk.emails("correccion_solicitada")) == 4  # notification address + administrator, twice


def test_correction_requires_a_reason(walk, runner):
    instance_id, admin, _account_id = _registered_account(walk)
    walk.complete(admin, "solicitar_activacion", support_form(), instance_id)
    with pytest.raises(FormInvalid) as caught:
        walk.complete(walk.mesa(), "validar_documentos", {"decision": "corregir"}, instance_id)
    assert caught.value.errors == {"reason": ["Indique qué documentos debe corregir la Entidad y por qué."]}


def test_modify_returns_to_the_first_part_keeping_what_was_typed(walk, runner):
    user = walk.make_user("modifica")
    started = runner.start("registro_entidad", user)
    iid = started.instance_id
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": "899999172"}, iid)
    walk.complete(user, "registrar_entidad", {}, iid)
    walk.complete(user, "registrar_primera_parte", first_part(), iid)
    walk.complete(user, "informacion_general", {"action": "modificar", "account_phone": "6018844444"}, iid)
    again = runner.task(user, walk.task(user, "registrar_primera_parte", iid).id)
    assert again.data["spgr_code"] == "2517501" and again.data["business_area"] == "Público"
    walk.complete(user, "registrar_primera_parte", {**again.data, "business_area": "Público y Privado"}, iid)
    info = runner.task(user, walk.task(user, "informacion_general", iid).id)
    assert info.data["account_phone"] == "6018844444" and info.data["action"] == "continuar"
    assert info.data["account_name"] == "ALCALDIA DE CHIA"  # the normalised form is proposed


def test_private_entity_needs_a_recent_certificate(walk, runner):
    user = walk.make_user("privada")
    iid = runner.start("registro_entidad", user).instance_id
    walk.complete(user, "validar_entidad", {"entity_name": "Fundación Privada", "nit": "900123456"}, iid)
    walk.complete(user, "registrar_entidad", {}, iid)
    walk.complete(user, "registrar_primera_parte", first_part(business_area="Privado"), iid)
    walk.complete(
        user,
        "informacion_general",
        general_info(account_name="FUNDACION PRIVADA", short_name="FUNDACION PRIVADA"),
        iid,
    )
    view = runner.task(user, walk.task(user, "anexar_documentos", iid).id)
    assert "certificado_existencia" in view.schema["required"]
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    documents = walk.upload(user, "anexar_documentos", slots, iid)
    with pytest.raises(FormInvalid) as caught:
        walk.complete(user, "anexar_documentos", documents, iid)
    assert caught.value.errors == {
        "certificado_existencia": [
            "Anexe el documento obligatorio: Certificado de existencia y representación legal."
        ]
    }
    documents.update(walk.upload(user, "anexar_documentos", ["certificado_existencia"], iid))
    old = (today_in_colombia() - dt.timedelta(days=120)).isoformat()
    with pytest.raises(FormInvalid) as caught:
        walk.complete(user, "anexar_documentos", {**documents, "certificado_fecha_expedicion": old}, iid)
    assert list(caught.value.errors) == ["certificado_fecha_expedicion"]
    assert caught.value.errors["certificado_fecha_expedicion"][0].startswith(
        "El certificado de existencia y representación legal debe haber sido expedido hace no más de 90 días"
    )
    walk.complete(
        user, "anexar_documentos", {**documents, "certificado_fecha_expedicion": recent_date()}, iid
    )
    assert _one(runner, Account, Account.id == walk.account_id("900123456")).business_area == "Privado"


def test_delegation_adds_documents(walk, runner):
    user = walk.make_user("delega")
    iid = runner.start("registro_entidad", user).instance_id
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": "899999172"}, iid)
    walk.complete(user, "registrar_entidad", {}, iid)
    walk.complete(user, "registrar_primera_parte", first_part(), iid)
    walk.complete(user, "informacion_general", general_info(delegated=True), iid)
    view = runner.task(user, walk.task(user, "anexar_documentos", iid).id)
    assert view.schema["required"] == [
        "acto_estructura",
        "acta_posesion_ordenador",
        "acto_delegacion",
        "acta_posesion_delegado",
        "autorizacion_administrador",
        "rut",
    ]


def test_one_account_per_nit(walk, runner):
    first = walk.make_user("primero")
    second = walk.make_user("segundo")
    instances = []
    for user in (first, second):  # both pass "Validar" before either finishes
        iid = runner.start("registro_entidad", user).instance_id
        walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": "899999172"}, iid)
        walk.complete(user, "registrar_entidad", {}, iid)
        walk.complete(user, "registrar_primera_parte", first_part(), iid)
        walk.complete(user, "informacion_general", general_info(), iid)
        instances.append(iid)
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    walk.complete(
        first, "anexar_documentos", walk.upload(first, "anexar_documentos", slots, instances[0]), instances[0]
    )
    documents = walk.upload(second, "anexar_documentos", slots, instances[1])
    with pytest.raises(DomainError) as caught:
        walk.complete(second, "anexar_documentos", documents, instances[1])
    assert caught.value.message.startswith("Ya existe una cuenta registrada con el NIT 899999172.")
    assert _count(runner, Account) == 1
    assert _count(runner, Membership, Membership.user_id == second.user_id) == 0  # nothing of the step kept


def test_perfil_mixto_enabled_and_rejected(walk, runner):
    admin = walk.make_user("admin.mixto")
    account_id = walk.make_active_account(admin)
    admin = walk.actor(admin.user_id)
    mesa = walk.mesa()
    for decision in ("rechazar", "habilitar"):
        iid = runner.start(
            "perfil_mixto", admin, {"account_id": account_id, "account_name": "AGENCIA"}
        ).instance_id
        walk.complete(
            admin,
            "solicitar_perfil_mixto",
            {"request_type": "Solicitud", "description": "Provee servicios de impresión a otras entidades."},
            iid,
        )
        walk.complete(mesa, "validar_perfil_mixto", {"decision": decision, "reason": "Sin soporte"}, iid)
        assert _status(runner, iid) == "completed"
        assert _one(runner, Account, Account.id == account_id).mixed_profile is (decision == "habilitar")
    with runner.transaction() as session:
        cases = session.execute(select(SupportCase.kind, SupportCase.state).order_by(SupportCase.id)).all()
    assert cases == [("Perfil Mixto", "Rechazado"), ("Perfil Mixto", "Resuelto")]
    assert walk.emails("perfil_mixto_habilitado")[0].to_addr == "notificaciones@prueba.gov.co"


def test_perfil_mixto_needs_an_active_account(walk, runner):
    admin = walk.make_user("admin.pendiente")
    account_id = walk.make_active_account(admin)
    with runner.transaction() as session:
        session.get(Account, account_id).state = "Pendiente de activación"
    admin = walk.actor(admin.user_id)
    iid = runner.start("perfil_mixto", admin, {"account_id": account_id}).instance_id
    with pytest.raises(DomainError) as caught:
        walk.complete(
            admin,
            "solicitar_perfil_mixto",
            {"request_type": "Solicitud", "description": "Provee servicios de impresión a otras entidades."},
            iid,
        )
    assert caught.value.message == "El Perfil Mixto solo se habilita en cuentas de Entidad Estatal activas."


def test_last_administrator_cannot_be_removed_or_demoted(walk, runner):
    from engine.context import StepContext
    from engine.db import utcnow
    from engine.domain.access import LAST_ADMIN_MESSAGE
    from engine.domain.access import change_membership
    from engine.domain.access import remove_membership

    first = walk.make_user("primer.admin")
    account_id = walk.make_active_account(first)
    second = walk.make_user("segundo.admin")

    def membership_of(session, actor):
        return session.scalar(select(Membership.id).where(Membership.user_id == actor.user_id))

    with runner.transaction() as session:
        ctx = StepContext(session, first, runner.config, utcnow())
        only = membership_of(session, first)
        with pytest.raises(DomainError) as caught:
            remove_membership(ctx, only)
        assert caught.value.message == LAST_ADMIN_MESSAGE
        with pytest.raises(DomainError) as caught:
            change_membership(ctx, only, "Comprador")
        assert (caught.value.message, caught.value.field) == (LAST_ADMIN_MESSAGE, "role")
        session.add(
            Membership(user_id=second.user_id, account_id=account_id, role="Administrador", permissions=[])
        )
        session.flush()
        assert change_membership(ctx, only, "Comprador", ["Procesos de Contratación"]) == "Comprador"
        assert remove_membership(ctx, only) is True
        with pytest.raises(DomainError):
            remove_membership(ctx, membership_of(session, second))
    assert _count(runner, Membership, Membership.account_id == account_id) == 1


def test_registered_user_requests_access_from_section_three(walk, runner):
    owner = walk.make_user("admin.chia")
    account_id = walk.make_active_account(owner, nit="899999172", name="ALCALDIA MUNICIPAL DE CHIA")
    _registration, user = walk.register_user(entity_name="ALCALDIA MUNICIPAL DE CHIA")  # chosen from the list
    instance_id = walk.start(user, "solicitud_acceso")
    search = runner.task(user, walk.task(user, "buscar_cuenta", instance_id).id)
    assert search.data == {"entity_name": "ALCALDIA MUNICIPAL DE CHIA"}
    walk.complete(user, "buscar_cuenta", search.data, instance_id)
    walk.complete(user, "solicitar_acceso", {}, instance_id)
    review = walk.task(walk.actor(owner.user_id), "revisar_solicitud_acceso")
    assert (review.lane, review.account_id) == ("Administrador de la Entidad", account_id)
    assert runner.inbox(walk.mesa()) == []  # nobody else sees it
    walk.complete(
        walk.actor(owner.user_id),
        "revisar_solicitud_acceso",
        {"decision": "aceptar", "role": "Administrador"},
    )
    assert _one(runner, Membership, Membership.user_id == user.user_id).role == "Administrador"
    assert _status(runner, instance_id) == "completed"


def test_one_account_per_nit_under_concurrent_finalizar(walk, runner):
    import threading

    users = [walk.make_user("concurrente.uno"), walk.make_user("concurrente.dos")]
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    ready = []
    for user in users:
        iid = runner.start("registro_entidad", user).instance_id
        walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": "899999172"}, iid)
        walk.complete(user, "registrar_entidad", {}, iid)
        walk.complete(user, "registrar_primera_parte", first_part(), iid)
        walk.complete(user, "informacion_general", general_info(), iid)
        task = walk.task(user, "anexar_documentos", iid)
        ready.append((user, task.id, walk.upload(user, "anexar_documentos", slots, iid)))
    barrier = threading.Barrier(len(ready))
    outcomes = []

    def finalizar(user, task_id, documents):
        barrier.wait()
        try:
            runner.complete_task(user, task_id, documents)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=finalizar, args=args) for args in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[0].startswith("Ya existe una cuenta registrada con el NIT 899999172.")
    assert sorted(outcomes)[1] == "ok"
    assert _count(runner, Account) == 1
    assert _count(runner, Membership) == 1

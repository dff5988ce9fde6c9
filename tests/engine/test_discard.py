"""Issue 13.8: abandoned work does not pile up. The owner discards an unfinished procedure
(the instance is cancelled, its staged uploads deleted, rows and files); nobody else can;
nor can a task of an account's lane be discarded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.domain.models import Account
from engine.domain.models import Document
from engine.errors import NotFound
from engine.models import ProcessInstance
from engine.uploads import path_of
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info

SLOTS = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]


def at_documents(walk: Onboarding, user, nit: str = "899999172") -> int:
    """A registration of the user's own waiting at "Anexar documentos"; its instance id."""
    iid = walk.runner.start("registro_entidad", user).instance_id
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": nit}, iid)
    walk.complete(user, "registrar_entidad", {}, iid)
    walk.complete(user, "registrar_primera_parte", first_part(), iid)
    walk.complete(user, "informacion_general", general_info(), iid)
    return iid


def status(runner, iid) -> str:
    with runner.transaction() as session:
        return session.get(ProcessInstance, iid).status


def staged_of(runner, iid) -> list[Document]:
    with runner.transaction() as session:
        return list(session.scalars(select(Document).where(Document.instance_id == iid)))


def test_the_owner_discards_and_nothing_is_left_behind(runner):
    walk = Onboarding(runner)
    user = walk.make_user("ana.descarta")
    iid = at_documents(walk, user)
    walk.upload(user, "anexar_documentos", SLOTS[:2], iid)
    staged = staged_of(runner, iid)
    assert len(staged) == 2 and all(path_of(runner.config.upload_dir, d.stored_name).exists() for d in staged)

    runner.discard(user, walk.task(user, "anexar_documentos", iid).id)

    assert status(runner, iid) == "cancelled"
    assert runner.inbox(user) == []
    assert staged_of(runner, iid) == []
    assert not any(path_of(runner.config.upload_dir, d.stored_name).exists() for d in staged)
    with runner.transaction() as session:
        assert session.scalar(select(Account.id)) is None
    assert [e["kind"] for e in runner.instance(iid).events if e["kind"] == "discarded"] == ["discarded"]


def test_only_the_owner_and_only_from_their_own_lane(runner):
    walk = Onboarding(runner)
    owner = walk.make_user("ana.duena")
    other = walk.make_user("otro.usuario")
    iid = at_documents(walk, owner)
    task_id = walk.task(owner, "anexar_documentos", iid).id
    for stranger in (other, walk.mesa()):
        with pytest.raises(NotFound):
            runner.discard(stranger, task_id)
    assert status(runner, iid) == "running"

    # Past "Finalizar" the account exists: its activation request (the Administrador's lane)
    # cannot be discarded, it is no longer the registrant's own unfinished form.
    walk.complete(owner, "anexar_documentos", walk.upload(owner, "anexar_documentos", SLOTS, iid), iid)
    admin = walk.actor(owner.user_id)
    with pytest.raises(NotFound):
        runner.discard(admin, walk.task(admin, "solicitar_activacion", iid).id)
    assert status(runner, iid) == "running"

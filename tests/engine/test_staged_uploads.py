"""Issue 17 point 16: staged uploads are a quota. Ten 1 MB files staged and never submitted
were kept forever; now the worker deletes them after a configurable age (rows and files),
and nobody may keep more than a configurable number per task and per person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from engine.domain.models import Document
from engine.errors import UploadRefused
from engine.worker import Worker
from tests.engine.onboarding import PDF
from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info

MEGABYTE_PDF = PDF + b"%" * (1024 * 1024 - len(PDF))
SLOT = "rut"


def _at_documents(runner, nit: str = "899999172", username: str = "ana.perez"):
    """A registered user whose entity registration waits at "Anexar documentos"."""
    walk = Onboarding(runner)
    instance_id, user = walk.register_user(username)
    started = runner.start("registro_entidad", user)
    walk.complete(
        user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": nit}, started.instance_id
    )
    walk.complete(user, "registrar_entidad", {}, started.instance_id)
    walk.complete(user, "registrar_primera_parte", first_part(), started.instance_id)
    walk.complete(user, "informacion_general", general_info(), started.instance_id)
    return walk, user, walk.task(user, "anexar_documentos", started.instance_id)


def _staged(runner) -> list[Document]:
    with runner.transaction() as session:
        return list(session.scalars(select(Document).where(Document.state == "staged")))


def _age(runner, hours: float) -> None:
    with runner.transaction() as session:
        session.execute(update(Document).values(uploaded_at=Document.uploaded_at - dt.timedelta(hours=hours)))


def test_the_worker_deletes_staged_uploads_past_their_age(make_runner, tmp_path):
    runner = make_runner(staged_upload_ttl=dt.timedelta(hours=6))
    _walk, user, task = _at_documents(runner)
    for _ in range(10):
        runner.stage_document(user, task.id, SLOT, "rut.pdf", MEGABYTE_PDF)
    files = [runner.config.upload_dir / doc.stored_name for doc in _staged(runner)]
    assert len(files) == 10 and all(f.stat().st_size == 1024 * 1024 for f in files)

    Worker(runner).run_once()  # younger than six hours: kept
    assert len(_staged(runner)) == 10
    _age(runner, 7)
    fresh = runner.stage_document(user, task.id, SLOT, "rut.pdf", PDF)
    Worker(runner).run_once()
    assert [doc.public_id for doc in _staged(runner)] == [fresh["id"]]
    assert not any(f.exists() for f in files)
    assert sorted(p.name for p in runner.config.upload_dir.iterdir()) == [_staged(runner)[0].stored_name]


def test_an_expired_upload_must_be_attached_again(runner):
    walk, user, task = _at_documents(runner)
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    documents = walk.upload(user, "anexar_documentos", slots)
    _age(runner, 25)  # the default age is 24 hours
    assert runner.expire_staged_uploads() == 4
    from engine.errors import FormInvalid

    with pytest.raises(FormInvalid) as refused:
        runner.complete_task(user, task.id, documents)
    assert refused.value.errors["rut"] == ["Anexe el documento de nuevo."]


def test_attached_documents_are_never_expired(runner):
    walk, user, task = _at_documents(runner)
    slots = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
    walk.complete(user, "anexar_documentos", walk.upload(user, "anexar_documentos", slots))
    _age(runner, 24 * 30)
    assert runner.expire_staged_uploads() == 0
    with runner.transaction() as session:
        attached = session.scalar(select(func.count(Document.id)).where(Document.state == "attached"))
    assert attached == 4
    assert len(list(runner.config.upload_dir.iterdir())) == 4


def test_staged_uploads_are_capped_per_task_and_per_person(make_runner):
    runner = make_runner(max_staged_per_task=3, max_staged_per_user=5)
    walk, user, task = _at_documents(runner)
    for _ in range(3):
        runner.stage_document(user, task.id, SLOT, "rut.pdf", PDF)
    with pytest.raises(UploadRefused) as refused:
        runner.stage_document(user, task.id, SLOT, "rut.pdf", PDF)
    assert refused.value.message.startswith("Ya cargó 3 documentos en este trámite sin enviar el formulario")
    assert "se eliminan después de 24 horas" in refused.value.message
    # A second registration of the same person: two more, then the personal cap.
    started = runner.start("registro_entidad", user)
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Cota", "nit": "899999173"},
                  started.instance_id)  # fmt: skip
    walk.complete(user, "registrar_entidad", {}, started.instance_id)
    walk.complete(user, "registrar_primera_parte", first_part(), started.instance_id)
    walk.complete(user, "informacion_general", general_info(), started.instance_id)
    second = walk.task(user, "anexar_documentos", started.instance_id)
    for _ in range(2):
        runner.stage_document(user, second.id, SLOT, "rut.pdf", PDF)
    with pytest.raises(UploadRefused) as refused:
        runner.stage_document(user, second.id, SLOT, "rut.pdf", PDF)
    assert refused.value.message.startswith("Tiene 5 documentos cargados sin enviar en sus trámites")
    assert len(_staged(runner)) == 5
    assert len(list(runner.config.upload_dir.iterdir())) == 5  # nothing written for a refusal
    # What a step attached (the form was sent) no longer counts.
    with runner.transaction() as session:
        session.execute(update(Document).values(state="attached"))
    assert runner.stage_document(user, second.id, SLOT, "rut.pdf", PDF)["id"]

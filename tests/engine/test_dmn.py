"""The mandatory documents come from the DMN table workflows/documentos_requeridos.dmn (guide
§5): analysts change the table, deploy, and the "Anexar documentos" form follows — no code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from tests.engine.onboarding import Onboarding
from tests.engine.onboarding import first_part
from tests.engine.onboarding import general_info

ROOT = Path(__file__).resolve().parents[2]
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
BASE = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]


def _required_documents(runner, username: str, **answers) -> list[str]:
    """Walk registro_entidad up to "Anexar documentos" and read the form's mandatory slots."""
    walk = Onboarding(runner)
    user = walk.make_user(username)
    iid = runner.start("registro_entidad", user).instance_id
    walk.complete(user, "validar_entidad", {"entity_name": "Alcaldía de Chía", "nit": "899999172"}, iid)
    walk.complete(user, "registrar_entidad", {}, iid)
    walk.complete(user, "registrar_primera_parte", first_part(**answers.get("first", {})), iid)
    walk.complete(user, "informacion_general", general_info(**answers.get("info", {})), iid)
    view = runner.task(user, walk.task(user, "anexar_documentos", iid).id)
    return view.schema["required"]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, BASE),
        ({"info": {"delegated": True}}, BASE[:2] + ["acto_delegacion", "acta_posesion_delegado"] + BASE[2:]),
        ({"first": {"business_area": "Privado"}}, BASE + ["certificado_existencia"]),
        (
            {
                "first": {
                    "business_area": "Público y Privado",
                    "organization_type": "Otras Entidades públicas",
                }
            },
            BASE,
        ),
    ],
    ids=["publica", "delegacion", "privada", "publica-y-privada"],
)
def test_documents_follow_the_decision_table(runner, answers, expected):
    assert _required_documents(runner, "registrante", **answers) == expected


def test_editing_the_table_changes_the_form_without_code(make_runner, tmp_path):
    before = make_runner()  # the project's own table, deployed first
    assert _required_documents(before, "antes") == BASE

    workflows = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", workflows)
    dmn = workflows / "documentos_requeridos.dmn"
    tree = etree.parse(str(dmn))
    # The analyst's change: the RUT is no longer asked for, and every entity (not only private
    # ones) must attach the certificado de existencia y representación legal.
    rut = tree.find(".//dmn:rule[@id='regla_rut']", DMN_NS)
    rut.getparent().remove(rut)
    area = tree.find(".//dmn:inputEntry[@id='regla_certificado_existencia_area']/dmn:text", DMN_NS)
    area.text = ""
    tree.write(str(dmn), xml_declaration=True, encoding="UTF-8")

    after = make_runner(workflows, ROOT / "forms")  # same database: a new version is deployed
    assert _required_documents(after, "despues") == [
        "acto_estructura",
        "acta_posesion_ordenador",
        "autorizacion_administrador",
        "certificado_existencia",
    ]

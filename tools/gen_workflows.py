"""Regenerate workflows/*.bpmn from tools/bpmngen (layout + XML).

The committed .bpmn files are the artefact analysts edit in bpmn.io afterwards; this script
only saved drawing by hand the first version. Run: .venv/bin/python -m tools.gen_workflows
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.bpmngen.emit import build
from tools.bpmngen.entidad import ACTIVACION_CUENTA
from tools.bpmngen.entidad import PERFIL_MIXTO
from tools.bpmngen.entidad import REGISTRO_ENTIDAD
from tools.bpmngen.usuario import REGISTRO_USUARIO
from tools.bpmngen.usuario import SOLICITUD_ACCESO

PROCEDURES = [REGISTRO_USUARIO, REGISTRO_ENTIDAD, ACTIVACION_CUENTA, SOLICITUD_ACCESO, PERFIL_MIXTO]


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for procedure in PROCEDURES:
        path = target / f"{procedure.process_id}.bpmn"
        path.write_bytes(build(procedure))
        print(f"escrito {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "workflows")

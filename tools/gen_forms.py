"""Regenerate forms/*-schema.json and *-uischema.json from tools/formgen.

The committed JSON files are what the engine reads and analysts edit; this script wrote their
first version (option lists come from shared/data). Run: .venv/bin/python -m tools.gen_forms
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tools.formgen import entidad
from tools.formgen import mesa
from tools.formgen import usuario

FORMS = {**usuario.FORMS, **entidad.FORMS, **mesa.FORMS}


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, build in FORMS.items():
        schema, uischema = build()
        for suffix, content in (("schema", schema), ("uischema", uischema)):
            path = target / f"{name}-{suffix}.json"
            path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"escrito {name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "forms")

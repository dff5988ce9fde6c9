"""A diagram set (BPMN + DMN + lanes.json + forms), parsed into deployable versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.serialization import spec_to_dict

LANES_FILE = "lanes.json"
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")


@dataclass
class DiagramSet:
    """Files by name: ``workflows`` holds *.bpmn, *.dmn and lanes.json; ``forms`` the form files."""

    workflows: dict[str, bytes]
    forms: dict[str, bytes]

    @classmethod
    def from_dirs(cls, workflows_dir: Path, forms_dir: Path | None = None) -> DiagramSet:
        workflows_dir = Path(workflows_dir)
        workflows = {
            path.name: path.read_bytes()
            for path in sorted(workflows_dir.iterdir())
            if path.suffix in (".bpmn", ".dmn") or path.name == LANES_FILE
        }
        forms = {}
        if forms_dir is not None and Path(forms_dir).is_dir():
            forms = {path.name: path.read_bytes() for path in sorted(Path(forms_dir).glob("*.json"))}
        return cls(workflows, forms)

    def bpmn_files(self) -> dict[str, bytes]:
        return {name: data for name, data in self.workflows.items() if name.endswith(".bpmn")}

    def dmn_files(self) -> dict[str, bytes]:
        return {name: data for name, data in self.workflows.items() if name.endswith(".dmn")}

    def lanes(self) -> dict:
        raw = self.workflows.get(LANES_FILE)
        return json.loads(raw) if raw else {}

    def with_files(self, workflows: dict[str, bytes] | None = None, forms: dict[str, bytes] | None = None):
        """A copy with some files replaced or added (an analyst's upload)."""
        return DiagramSet({**self.workflows, **(workflows or {})}, {**self.forms, **(forms or {})})


def new_parser() -> SpiffBpmnParser:
    return SpiffBpmnParser(validator=VALIDATOR)


def parse(diagrams: DiagramSet) -> SpiffBpmnParser:
    """Parse every file into one parser (raises ValidationException / XMLSyntaxError)."""
    parser = new_parser()
    for name, data in diagrams.bpmn_files().items():
        parser.add_bpmn_str(data, filename=name)
    for name, data in diagrams.dmn_files().items():
        parser.add_dmn_str(data, filename=name)
    return parser


@dataclass
class VersionDraft:
    process_id: str
    name: str
    content_hash: str
    spec: dict
    files: dict[str, str]
    source_file: str


def referenced_forms(specs) -> set[str]:
    names = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            properties = getattr(task_spec, "extensions", {}).get("properties", {})
            names.update(properties[key] for key in FORM_PROPERTIES if properties.get(key))
    return names


def used_decision_files(parser: SpiffBpmnParser, specs) -> set[str]:
    """The DMN files whose decisions the business rule tasks of ``specs`` call."""
    tables = {
        task_spec.dmnEngine.decision_table.id
        for spec in specs
        for task_spec in spec.task_specs.values()
        if getattr(task_spec, "dmnEngine", None) is not None
    }
    return {
        dmn.filename
        for dmn in parser.dmn_parsers.values()
        if dmn.decision is not None and dmn.decision.decisionTables[0].id in tables
    }


def build_versions(diagrams: DiagramSet) -> list[VersionDraft]:
    """One draft per process. Its hash covers every file the process depends on, so a change
    to a diagram, a called subprocess, a DMN table it calls, a form or the lanes makes a new
    version; a table no task of the process calls does not."""
    parser = parse(diagrams)
    drafts = []
    for process_id in sorted(parser.get_process_ids()):
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        used_processes = [process_id, *subprocess_specs]
        files = {parser.get_process_parser(pid).filename: None for pid in used_processes}
        files.update(dict.fromkeys(sorted(used_decision_files(parser, [spec, *subprocess_specs.values()]))))
        files[LANES_FILE] = None
        content = {name: diagrams.workflows.get(name, b"").decode() for name in files}
        for form in sorted(referenced_forms([spec, *subprocess_specs.values()])):
            content[f"forms/{form}"] = diagrams.forms.get(form, b"").decode()
        digest = hashlib.sha256()
        for name in sorted(content):
            digest.update(name.encode() + b"\0" + content[name].encode() + b"\0")
        drafts.append(
            VersionDraft(
                process_id=process_id,
                name=spec.description or process_id,
                content_hash=digest.hexdigest(),
                spec=spec_to_dict(spec, subprocess_specs),
                files=content,
                source_file=parser.get_process_parser(process_id).filename,
            )
        )
    return drafts


ACCEPTED_UPLOADS = "diagramas .bpmn, tablas de decisión .dmn, lanes.json y formularios .json"


def sort_uploads(files: dict[str, bytes]) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """An analyst's extra files by name -> (workflows, forms, refusals): .dmn and lanes.json
    go with the workflows, any other .json is a form; anything else is refused by name."""
    workflows: dict[str, bytes] = {}
    forms: dict[str, bytes] = {}
    refusals = []
    for name, data in files.items():
        lowered = name.lower()
        if name == LANES_FILE or lowered.endswith(".dmn"):
            workflows[name] = data
        elif lowered.endswith(".json"):
            forms[name] = data
        elif lowered.endswith(".bpmn"):
            refusals.append(f"«{name}»: un diagrama .bpmn se sube en la página de su proceso.")
        else:
            refusals.append(f"«{name}»: no se puede usar; se aceptan {ACCEPTED_UPLOADS}.")
    return workflows, forms, refusals


def unused_uploads(diagrams: DiagramSet, names: set[str]) -> list[str]:
    """Refusals for the uploaded DMN files and forms of ``names`` that no process of the set
    uses: deploying them would change nothing, and an analyst must not believe otherwise.
    A set that does not parse returns none: the checker reports why."""
    try:
        parser = parse(diagrams)
        used: set[str] = set()
        for process_id in parser.get_process_ids():
            specs = [parser.get_spec(process_id), *parser.get_subprocess_specs(process_id).values()]
            used |= used_decision_files(parser, specs) | referenced_forms(specs)
    except Exception:  # noqa: BLE001 — any parse error is the checker's to report
        return []
    unused = sorted(name for name in names if name != LANES_FILE and name not in used)
    return [f"«{name}»: ningún proceso lo usa; no se desplegó nada." for name in unused]

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


def build_versions(diagrams: DiagramSet) -> list[VersionDraft]:
    """One draft per process. Its hash covers every file the process depends on, so a change
    to a diagram, a called subprocess, a DMN table, a form or the lanes makes a new version."""
    parser = parse(diagrams)
    drafts = []
    for process_id in sorted(parser.get_process_ids()):
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        used_processes = [process_id, *subprocess_specs]
        files = {parser.get_process_parser(pid).filename: None for pid in used_processes}
        files.update(dict.fromkeys(diagrams.dmn_files()))
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

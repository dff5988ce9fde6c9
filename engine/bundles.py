"""What changes between two file sets of a process (a version, a draft, a folder): the text
diff of every file, and which BPMN elements were added, removed or changed, for the deploy
page, the conflict message of a stale draft and ``flask deploy-diagrams``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from dataclasses import field

from lxml import etree

BPMN_DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DIAGRAM_NAMESPACES = (BPMN_DI, "http://www.omg.org/spec/DD/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC")


@dataclass
class ElementChanges:
    """BPMN ids, each with its name (or its id when unnamed)."""

    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def touched(self) -> set[str]:
        """Where a waiting token would find something different: changed or gone."""
        return set(self.changed) | set(self.removed)

    def as_dict(self) -> dict:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass
class BundleChanges:
    """Files added, removed and changed (with a unified diff each) and the diagram's elements."""

    files_added: list[str]
    files_removed: list[str]
    file_diffs: dict[str, str]
    elements: ElementChanges

    def __bool__(self) -> bool:
        return bool(self.files_added or self.files_removed or self.file_diffs)

    def summary(self) -> list[str]:
        """One Spanish line per change, for a message or a terminal."""
        lines = [f"archivo nuevo: {name}" for name in self.files_added]
        lines += [f"archivo quitado: {name}" for name in self.files_removed]
        lines += [f"archivo modificado: {name}" for name in self.file_diffs]
        for label, items in (
            ("elemento nuevo", self.elements.added),
            ("elemento quitado", self.elements.removed),
            ("elemento modificado", self.elements.changed),
        ):
            lines += [f"{label}: {name} ({element_id})" if name != element_id else f"{label}: {element_id}"
                      for element_id, name in items.items()]  # fmt: skip
        return lines

    def as_dict(self) -> dict:
        return {
            "files_added": self.files_added, "files_removed": self.files_removed,
            "file_diffs": self.file_diffs, "elements": self.elements.as_dict(), "summary": self.summary(),
        }  # fmt: skip


def _semantic_elements(xml: str) -> dict[str, tuple[str, str]]:
    """id -> (name, signature) of every element outside the drawing (shapes and edges only
    move things): the signature covers its attributes, text and id-less children, so a changed
    condition, script, form property or label changes it; a moved shape does not."""
    if not xml.strip():
        return {}
    try:
        root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    found = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace in DIAGRAM_NAMESPACES:
            continue
        element_id = element.get("id")
        if element_id and element is not root:
            found[element_id] = (element.get("name") or element_id, _signature(element))
    return found


def _signature(element) -> str:
    parts = [element.tag, repr(sorted(element.attrib.items())), (element.text or "").strip()]
    for child in element:
        if isinstance(child.tag, str) and not child.get("id"):
            parts.append(_signature(child))
        elif isinstance(child.tag, str):
            parts.append(f"ref:{child.get('id')}")
    return "\x1f".join(parts)


def element_changes(old_xml: str, new_xml: str) -> ElementChanges:
    old, new = _semantic_elements(old_xml), _semantic_elements(new_xml)
    return ElementChanges(
        added={k: new[k][0] for k in new if k not in old},
        removed={k: old[k][0] for k in old if k not in new},
        changed={k: new[k][0] for k in new if k in old and old[k][1] != new[k][1]},
    )


FORMAT_ONLY = "Solo cambia el formato del archivo (espacios, orden de atributos); el contenido es el mismo.\n"


def readable(name: str, text: str) -> str:
    """A file as its diff compares it: a decision table canonicalised and indented (dmn-js
    writes the whole table again, with its own spacing and attribute order, so a one-cell
    edit would otherwise show as every line changed); other files as they are."""
    if not name.endswith(".dmn"):
        return text
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    try:
        tree = etree.fromstring(text.encode(), parser)
        canonical = etree.canonicalize(etree.tostring(tree, encoding="unicode"), strip_text=True)
        tree = etree.fromstring(canonical.encode(), parser)
    except (etree.XMLSyntaxError, ValueError):
        return text
    return etree.tostring(tree, pretty_print=True, encoding="unicode")


def bundle_changes(old: dict[str, str], new: dict[str, str], diagram: str | None = None) -> BundleChanges:
    """From file set ``old`` to ``new``; ``diagram`` names the BPMN file whose elements to compare."""
    diffs = {}
    for name in sorted(set(old) & set(new)):
        if old[name] != new[name]:
            before, after = readable(name, old[name]), readable(name, new[name])
            diffs[name] = "".join(difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True),
                fromfile=f"vigente/{name}", tofile=f"nuevo/{name}",
            )) or FORMAT_ONLY  # fmt: skip
    elements = element_changes(old.get(diagram, ""), new.get(diagram, "")) if diagram else ElementChanges()
    return BundleChanges(
        files_added=sorted(set(new) - set(old)),
        files_removed=sorted(set(old) - set(new)),
        file_diffs=diffs,
        elements=elements,
    )

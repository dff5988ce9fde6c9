"""Analysts' drafts: a change to a process bundle (diagram, forms, decision tables, lanes)
saved without going live, reviewed against the live version, then deployed with a reason.

One draft per process, shared by its analysts. Every save names what it started from (the
version it was built on and the draft's revision): a save from a stale start is refused with
both changes, the other person's and this one's, so nothing is silently overwritten."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.bundles import BundleChanges
from engine.bundles import bundle_changes
from engine.checker import check
from engine.db import utcnow
from engine.diagrams import DiagramSet
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import FormInvalid
from engine.errors import NotFound
from engine.models import HumanTask
from engine.models import ProcessDraft
from engine.models import ProcessVersion
from engine.store import Store
from engine.versions import NewProcessRefused
from engine.versions import PlannedVersion
from engine.versions import VersionCache

FORMS_PREFIX = "forms/"
BPMN_PROCESS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}process"
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def declared_processes(changed: dict[str, str]) -> set[str]:
    """The process ids the changed diagrams declare (one that does not parse: the checker's)."""
    found = set()
    for name, text in changed.items():
        if name.endswith(".bpmn"):
            try:
                root = etree.fromstring(text.encode(), SAFE_XML)
            except (etree.XMLSyntaxError, ValueError):
                continue
            found |= {element.get("id") for element in root.iter(BPMN_PROCESS) if element.get("id")}
    return found


@dataclass
class DraftView:
    process_id: str
    base_version_id: int
    base_number: int
    revision: int
    files: dict[str, str]
    source_file: str
    updated_by: int | None
    updated_at: dt.datetime
    stale: bool  # another version went live after the draft was started


@dataclass
class AffectedWait:
    """Running instances of ``process_id`` waiting at a changed element or a changed form."""

    process_id: str
    instances: int
    elements: dict[str, int]  # bpmn id -> instances waiting there


@dataclass
class DeployPreview:
    draft: DraftView
    planned: list[PlannedVersion]
    affected: list[AffectedWait]
    problems: list  # the checker's; a draft with problems cannot be deployed


class DraftConflict(Conflict):
    """A save or deploy that did not start from the draft's current state: ``theirs`` is what
    changed since (another analyst's save, or a deploy), ``yours`` what this save changes."""

    def __init__(self, message: str, theirs: BundleChanges, yours: BundleChanges | None,
                 by: int | None, at: dt.datetime | None):  # fmt: skip
        super().__init__(message)
        self.theirs, self.yours, self.by, self.at = theirs, yours, by, at


def diagram_set(deployed: DiagramSet, files: dict[str, str]) -> DiagramSet:
    """The deployed set with a bundle's files (as keyed in a version: ``forms/`` for forms)."""
    workflows = {name: text.encode() for name, text in files.items() if not name.startswith(FORMS_PREFIX)}
    forms = {name.removeprefix(FORMS_PREFIX): text.encode() for name, text in files.items()
             if name.startswith(FORMS_PREFIX)}  # fmt: skip
    return deployed.with_files(workflows=workflows, forms=forms)


class Drafts:
    def __init__(self, store: Store, versions: VersionCache, gate=None):
        self.store = store
        self.versions = versions
        self.gate = gate  # run before every deploy of a draft (the scenario tests)

    def get(self, process_id: str) -> DraftView | None:
        with self.store.transaction() as session:
            row = session.get(ProcessDraft, process_id)
            return self._view(session, row) if row is not None else None

    def _view(self, session, row: ProcessDraft) -> DraftView:
        base = session.get(ProcessVersion, row.base_version_id)
        return DraftView(
            process_id=row.process_id, base_version_id=base.id, base_number=base.number,
            revision=row.revision, files=dict(row.files), source_file=base.source_file,
            updated_by=row.updated_by, updated_at=row.updated_at,
            stale=self.store.newest_version_id(session, row.process_id) != base.id,
        )  # fmt: skip

    def save(self, process_id: str, changed: dict[str, str], base_version_id: int, base_revision: int,
             user_id: int | None) -> tuple[DraftView, list]:  # fmt: skip
        """Store ``changed`` files (names as in a version: ``x.bpmn``, ``forms/y.json``) over the
        draft -> (the draft, the checker's problems: a draft may have some, a deploy may not).

        ``base_version_id`` and ``base_revision`` (0: no draft yet) are what the editor
        started from; anything else is refused (DraftConflict) with both changes. A diagram
        declaring a process that is not deployed is refused (NewProcessRefused)."""
        try:
            with self.store.transaction() as session:
                newest_id = self.store.newest_version_id(session, process_id)
                if newest_id is None:
                    raise NotFound(f"El proceso {process_id!r} no está desplegado.")
                row = session.scalar(
                    select(ProcessDraft).where(ProcessDraft.process_id == process_id).with_for_update()
                )
                declared = declared_processes(changed)
                new = sorted(p for p in declared if self.store.newest_version_id(session, p) is None)
                if new:  # a changed process id starts another process: only as an explicit new one
                    raise NewProcessRefused(new)
                current_revision = row.revision if row is not None else 0
                stale_draft = row is not None and row.base_version_id != newest_id
                if base_version_id != newest_id or base_revision != current_revision or stale_draft:
                    raise self._conflict(session, process_id, row, newest_id, base_version_id, changed)
                if row is None:
                    base = session.get(ProcessVersion, newest_id)
                    row = ProcessDraft(process_id=process_id, base_version_id=newest_id, revision=0,
                                       files=dict(base.files))  # fmt: skip
                    session.add(row)
                row.files = {**row.files, **changed}
                row.revision = current_revision + 1
                row.updated_by, row.updated_at = user_id, utcnow()
                session.flush()
                view = self._view(session, row)
        except IntegrityError:  # two first saves at once: the process_id key took one
            raise Conflict(
                "Otra persona empezó un borrador al mismo tiempo. Cargue el borrador de nuevo."
            ) from None
        problems = check(diagram_set(self.versions.deployed_diagrams(), view.files), self.versions.domain)
        return view, problems

    def _conflict(self, session, process_id, row, newest_id, base_version_id, changed) -> DraftConflict:
        start = session.get(ProcessVersion, base_version_id) if base_version_id else None
        if start is None or start.process_id != process_id:
            start = session.get(ProcessVersion, newest_id)
        started_from = dict(start.files)
        source = start.source_file
        if row is not None and row.base_version_id == start.id:
            # The draft moved on since this editor loaded it: theirs is the draft now.
            theirs_files, by, at = row.files, row.updated_by, row.updated_at
            message = (
                f"Otra persona guardó el borrador (revisión {row.revision}) después de que usted lo abrió. "
                "No se guardó su cambio: compare los dos cambios, cargue el borrador y aplique el suyo."
            )
        else:
            newest = session.get(ProcessVersion, newest_id)
            theirs_files, by, at = (row.files, row.updated_by, row.updated_at) if row else (
                newest.files, newest.deployed_by, newest.deployed_at)  # fmt: skip
            message = (
                f"La versión vigente cambió (versión {newest.number}) después de que usted empezó. No se "
                "guardó su cambio: compare los dos cambios, cargue la versión nueva y aplique el suyo."
            )
        theirs = bundle_changes(started_from, theirs_files, source)
        yours = bundle_changes(started_from, {**started_from, **changed}, source)
        return DraftConflict(message, theirs, yours, by, at)

    def discard(self, process_id: str, revision: int) -> None:
        with self.store.transaction() as session:
            row = session.get(ProcessDraft, process_id)
            if row is None:
                raise NotFound("No hay borrador de este proceso.")
            if row.revision != revision:
                raise Conflict("El borrador cambió desde que lo abrió; no se descartó. Revíselo de nuevo.")
            session.delete(row)

    def preview(self, process_id: str) -> DeployPreview:
        """What deploying the draft would change, the checker's problems, and how many
        running instances wait at the elements (or forms) it changes."""
        draft = self.get(process_id)
        if draft is None:
            raise NotFound("No hay borrador de este proceso.")
        diagrams = diagram_set(self.versions.deployed_diagrams(), draft.files)
        try:
            planned = self.versions.plan(diagrams)
        except DiagramInvalid as exc:
            return DeployPreview(draft, [], [], exc.problems)
        with self.store.transaction() as session:
            affected = [self._affected(session, item) for item in planned if item.newest is not None]
        return DeployPreview(draft, planned, [a for a in affected if a.instances], [])

    @staticmethod
    def _affected(session, item: PlannedVersion) -> AffectedWait:
        changes = item.changes
        elements = changes.elements.touched()
        # A task row names its JSON Schema; a changed UI schema changes the same task's page.
        forms = {name.removeprefix(FORMS_PREFIX).replace("-uischema.json", "-schema.json")
                 for name in [*changes.file_diffs, *changes.files_removed]
                 if name.startswith(FORMS_PREFIX)}  # fmt: skip
        waiting = or_(false(), HumanTask.name.in_(elements), HumanTask.form_schema.in_(forms))
        rows = session.execute(
            select(HumanTask.name, func.count(func.distinct(HumanTask.instance_id)))
            .where(HumanTask.process_id == item.draft.process_id, HumanTask.status == "ready", waiting)
            .group_by(HumanTask.name)
        ).all()
        total = session.scalar(
            select(func.count(func.distinct(HumanTask.instance_id)))
            .where(HumanTask.process_id == item.draft.process_id, HumanTask.status == "ready", waiting)
        )  # fmt: skip
        return AffectedWait(item.draft.process_id, total or 0, dict(rows))

    def deploy(self, process_id: str, revision: int, user_id: int | None,
               comment: str | None, origin: str = "browser") -> list[ProcessVersion]:  # fmt: skip
        """Deploy the draft the person reviewed (``revision``) with their reason; the draft is
        then gone. The gate (the scenario tests of the changed processes) runs first and may
        refuse. Raises DiagramInvalid, Conflict (a stale draft), FormInvalid (no reason)."""
        if not (comment or "").strip():
            raise FormInvalid({"comentario": ["Indique qué cambia y por qué."]})
        draft = self.get(process_id)
        if draft is None:
            raise NotFound("No hay borrador de este proceso.")
        if draft.revision != revision:
            raise Conflict(f"El borrador cambió (revisión {draft.revision}) desde que lo revisó: "
                           "revise los cambios de nuevo antes de desplegar.")  # fmt: skip
        if draft.stale:
            raise Conflict("Otra versión se desplegó después de empezar este borrador: descártelo o "
                           "guarde su cambio sobre la versión vigente.")  # fmt: skip
        diagrams = diagram_set(self.versions.deployed_diagrams(), draft.files)
        created = self.versions.deploy(diagrams, user_id, origin=origin, comment=comment.strip(),
                                       new_processes=False, gate=self.gate)  # fmt: skip
        with self.store.transaction() as session:
            row = session.get(ProcessDraft, process_id)
            if row is not None and row.revision == revision:
                session.delete(row)
        return created

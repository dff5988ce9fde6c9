"""Deployed versions: deploying a diagram set, and the cache of parsed specs per version.

A deploy compares each process with its *newest* version only: re-uploading an earlier
set after a bad one is how an analyst rolls back, and makes a new version with the old
content (version 3 = version 1's files); ``restore`` does the same in one call.

The repository's folders seed a new installation; after that the database holds the
versions. A deploy from the folders (``origin="repository"``) refuses to replace a version
made in the browser, through the API or by a restore unless forced, and a deploy from the
browser refuses a process id that is not deployed yet unless it is explicitly a new process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.bundles import BundleChanges
from engine.bundles import bundle_changes
from engine.checker import check
from engine.config import EngineConfig
from engine.diagrams import DiagramSet
from engine.diagrams import VersionDraft
from engine.diagrams import build_versions
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import NotFound
from engine.instances import LoadedVersion
from engine.models import ProcessVersion
from engine.registry import Domain
from engine.serialization import spec_from_dict
from engine.store import Store

REPOSITORY = "repository"
ORIGINS = (REPOSITORY, "browser", "api", "restore")


@dataclass
class PlannedVersion:
    """A process whose files differ from its newest version (``newest`` None: a new process)."""

    draft: VersionDraft
    newest: ProcessVersion | None
    changes: BundleChanges


class BrowserVersionKept(Conflict):
    """A deploy from the repository would replace versions made in the browser."""

    def __init__(self, kept: list[PlannedVersion]):
        names = ", ".join(f"{p.draft.process_id} (versión {p.newest.number})" for p in kept)
        super().__init__(
            f"No se desplegó nada: la versión vigente de {names} se hizo fuera del repositorio "
            "(en el navegador, por la API o restaurando otra). Exporte esa versión al repositorio, "
            "o reemplácela con --force."
        )
        self.kept = kept


class NewProcessRefused(Conflict):
    """The diagram declares a process that is not deployed (a changed process id)."""

    def __init__(self, process_ids: list[str]):
        super().__init__(
            "El diagrama declara " + ", ".join(f"«{p}»" for p in process_ids) + ", que no es un proceso "
            "desplegado. Cambiar el id de un proceso crea otro proceso: si eso quiere, súbalo como "
            "proceso nuevo; si no, conserve el id."
        )
        self.process_ids = process_ids


class VersionCache:
    """Every version's parsed spec, forms and lanes, parsed once per process (a version
    never changes), and deployment of new versions checked against the domain."""

    def __init__(self, store: Store, domain: Domain, config: EngineConfig):
        self.store = store
        self.domain = domain
        self.config = config
        self._loaded: dict[int, LoadedVersion] = {}

    def get(self, session, version_id: int) -> LoadedVersion:
        loaded = self._loaded.get(version_id)
        if loaded is None:
            row = session.get(ProcessVersion, version_id)
            if row is None:
                raise NotFound("La versión no existe.")
            spec, subprocess_specs = spec_from_dict(row.spec)
            loaded = self._loaded[version_id] = LoadedVersion.from_files(row, spec, subprocess_specs)
        return loaded

    def newest(self, session, process_id: str) -> LoadedVersion:
        version_id = self.store.newest_version_id(session, process_id)
        if version_id is None:
            raise NotFound(f"El proceso {process_id!r} no está desplegado.")
        return self.get(session, version_id)

    def newest_all(self, session) -> list[LoadedVersion]:
        """The newest version of every deployed process (one query; parsed versions cached)."""
        newest = (
            select(ProcessVersion.process_id, func.max(ProcessVersion.number).label("number"))
            .group_by(ProcessVersion.process_id)
            .subquery()
        )
        query = select(ProcessVersion.id).join(
            newest,
            (ProcessVersion.process_id == newest.c.process_id) & (ProcessVersion.number == newest.c.number),
        )
        ids = session.scalars(query.order_by(ProcessVersion.process_id))
        return [self.get(session, version_id) for version_id in ids]

    def current_diagrams(self) -> DiagramSet:
        """The diagram set in the configured directories."""
        return DiagramSet.from_dirs(Path(self.config.workflows_dir), Path(self.config.forms_dir))

    def plan(self, diagrams: DiagramSet | None = None) -> list[PlannedVersion]:
        """The processes a deploy of the set would make a new version of, with what changes.

        Raises DiagramInvalid with the checker's problems."""
        diagrams = diagrams or self.current_diagrams()
        problems = check(diagrams, self.domain)
        if problems:
            raise DiagramInvalid(problems)
        planned = []
        with self.store.transaction() as session:
            for draft in build_versions(diagrams):
                newest_id = self.store.newest_version_id(session, draft.process_id)
                newest = session.get(ProcessVersion, newest_id) if newest_id is not None else None
                if newest is not None and newest.content_hash == draft.content_hash:
                    continue  # unchanged; an *older* version's content is a rollback: deployed
                old_files = newest.files if newest is not None else {}
                changes = bundle_changes(old_files, draft.files, draft.source_file)
                planned.append(PlannedVersion(draft, newest, changes))
        return planned

    def deploy(
        self, diagrams: DiagramSet | None = None, deployed_by: int | None = None, *,
        origin: str = REPOSITORY, comment: str | None = None, force: bool = False,
        new_processes: bool = True, planned: list[PlannedVersion] | None = None, gate=None,
    ) -> list[ProcessVersion]:
        """Check the set and store a new version of every process whose files changed.

        Raises DiagramInvalid with the checker's problems, BrowserVersionKept when a
        repository deploy would replace another origin's version (unless ``force``),
        NewProcessRefused when ``new_processes`` is False and the set declares a process
        that is not deployed; deploys nothing in those cases. ``planned`` is a ``plan`` of the
        same set already shown to the person deploying. ``gate(diagrams, planned)`` may refuse
        by raising (the scenario tests: ``Runner.scenario_gate``).
        """  # fmt: skip
        if origin not in ORIGINS:
            raise ValueError(origin)
        planned = self.plan(diagrams) if planned is None else planned
        if not new_processes and (new := [p.draft.process_id for p in planned if p.newest is None]):
            raise NewProcessRefused(new)
        kept = [p for p in planned if p.newest is not None and p.newest.origin != REPOSITORY]
        if origin == REPOSITORY and kept and not force:
            raise BrowserVersionKept(kept)
        if gate is not None and planned:
            gate(diagrams or self.current_diagrams(), planned)
        created = []
        try:
            with self.store.transaction() as session:
                for item in planned:
                    newest = self.store.newest_version(session, item.draft.process_id)
                    if newest is not None and newest.content_hash == item.draft.content_hash:
                        continue
                    note = comment
                    if origin == REPOSITORY and item in kept:
                        replaced = f"--force: reemplaza la versión {newest.number} ({item.newest.origin})"
                        note = f"{comment} ({replaced})" if comment else replaced
                    row = self._new_version(item.draft, (newest.number if newest else 0) + 1, deployed_by)
                    row.origin, row.comment = origin, note
                    session.add(row)
                    created.append(row)
        except IntegrityError:  # (process_id, number) is unique: another deploy took the number
            raise Conflict("Otra persona desplegó una versión al mismo tiempo. Intente de nuevo.") from None
        return created

    def restore(self, version_id: int, deployed_by: int | None = None) -> ProcessVersion | None:
        """Make an earlier version's files the newest version again (a new number, the same
        content); None when it already is the newest content."""
        try:
            with self.store.transaction() as session:
                old = session.get(ProcessVersion, version_id)
                if old is None:
                    raise NotFound("La versión no existe.")
                newest = self.store.newest_version(session, old.process_id)
                if newest.content_hash == old.content_hash:
                    return None
                row = ProcessVersion(
                    process_id=old.process_id, number=newest.number + 1, name=old.name,
                    content_hash=old.content_hash, spec=old.spec, files=old.files,
                    source_file=old.source_file, deployed_by=deployed_by, origin="restore",
                    comment=f"Restaura la versión {old.number}.",
                )  # fmt: skip
                session.add(row)
        except IntegrityError:
            raise Conflict("Otra persona desplegó una versión al mismo tiempo. Intente de nuevo.") from None
        return row

    @staticmethod
    def _new_version(draft, number: int, deployed_by: int | None) -> ProcessVersion:
        return ProcessVersion(
            process_id=draft.process_id,
            number=number,
            name=draft.name,
            content_hash=draft.content_hash,
            spec=draft.spec,
            files=draft.files,
            source_file=draft.source_file,
            deployed_by=deployed_by,
        )

    def latest_rows(self) -> list[ProcessVersion]:
        """The newest version row of every process."""
        with self.store.transaction() as session:
            newest = (
                select(ProcessVersion.process_id, func.max(ProcessVersion.number).label("number"))
                .group_by(ProcessVersion.process_id)
                .subquery()
            )
            query = select(ProcessVersion).join(
                newest,
                (ProcessVersion.process_id == newest.c.process_id)
                & (ProcessVersion.number == newest.c.number),
            )
            return list(session.scalars(query.order_by(ProcessVersion.process_id)))

    def deployed_diagrams(self) -> DiagramSet:
        """The files of every process's newest version: what an analyst's change applies to."""
        workflows: dict[str, bytes] = {}
        forms: dict[str, bytes] = {}
        for version in self.latest_rows():
            for name, text in version.files.items():
                target = forms if name.startswith("forms/") else workflows
                target.setdefault(name.removeprefix("forms/"), text.encode())
        return DiagramSet(workflows, forms)

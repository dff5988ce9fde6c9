"""Deployed versions: deploying a diagram set, and the cache of parsed specs per version.

A deploy compares each process with its *newest* version only: re-uploading an earlier
set after a bad one is how an analyst rolls back, and makes a new version with the old
content (version 3 = version 1's files)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.checker import check
from engine.config import EngineConfig
from engine.diagrams import DiagramSet
from engine.diagrams import build_versions
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import NotFound
from engine.instances import LoadedVersion
from engine.models import ProcessVersion
from engine.registry import Domain
from engine.serialization import spec_from_dict
from engine.store import Store


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

    def current_diagrams(self) -> DiagramSet:
        """The diagram set in the configured directories."""
        return DiagramSet.from_dirs(Path(self.config.workflows_dir), Path(self.config.forms_dir))

    def deploy(
        self, diagrams: DiagramSet | None = None, deployed_by: int | None = None
    ) -> list[ProcessVersion]:
        """Check the set and store a new version of every process whose files changed.

        Raises DiagramInvalid with the checker's problems; deploys nothing in that case.
        """
        diagrams = diagrams or self.current_diagrams()
        problems = check(diagrams, self.domain)
        if problems:
            raise DiagramInvalid(problems)
        drafts = build_versions(diagrams)
        created = []
        try:
            with self.store.transaction() as session:
                for draft in drafts:
                    newest = self.store.newest_version(session, draft.process_id)
                    if newest is not None and newest.content_hash == draft.content_hash:
                        continue  # unchanged; an *older* version's content is a rollback: deployed
                    row = self._new_version(draft, (newest.number if newest else 0) + 1, deployed_by)
                    session.add(row)
                    created.append(row)
        except IntegrityError:  # (process_id, number) is unique: another deploy took the number
            raise Conflict("Otra persona desplegó una versión al mismo tiempo. Intente de nuevo.") from None
        return created

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

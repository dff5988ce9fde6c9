"""Deploying diagram sets as versions, and the per-version cache of parsed specs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from engine.checker import check
from engine.diagrams import DiagramSet
from engine.diagrams import build_versions
from engine.errors import DiagramInvalid
from engine.errors import NotFound
from engine.instances import LoadedVersion
from engine.models import ProcessVersion
from engine.serialization import spec_from_dict

NEWEST_VERSION = (  # built once: every start asks
    select(ProcessVersion.id)
    .where(ProcessVersion.process_id == bindparam("process_id"))
    .order_by(ProcessVersion.number.desc())
    .limit(1)
)


class Deployer:
    """Mixed into Runner: needs ``transaction()``, ``config`` and ``_versions``."""

    def current_diagrams(self) -> DiagramSet:
        return DiagramSet.from_dirs(Path(self.config.workflows_dir), Path(self.config.forms_dir))

    def deploy(
        self, diagrams: DiagramSet | None = None, deployed_by: int | None = None
    ) -> list[ProcessVersion]:
        """Check the set and store a new version of every process whose files changed.

        Raises DiagramInvalid with the checker's problems; deploys nothing in that case.
        """
        diagrams = diagrams or self.current_diagrams()
        problems = check(diagrams)
        if problems:
            raise DiagramInvalid(problems)
        drafts = build_versions(diagrams)
        created = []
        with self.transaction() as session:
            for draft in drafts:
                exists = session.scalar(
                    select(ProcessVersion.id).where(
                        ProcessVersion.process_id == draft.process_id,
                        ProcessVersion.content_hash == draft.content_hash,
                    )
                )
                if exists:
                    continue
                number = session.scalar(
                    select(func.coalesce(func.max(ProcessVersion.number), 0)).where(
                        ProcessVersion.process_id == draft.process_id
                    )
                )
                row = ProcessVersion(
                    process_id=draft.process_id,
                    number=number + 1,
                    name=draft.name,
                    content_hash=draft.content_hash,
                    spec=draft.spec,
                    files=draft.files,
                    source_file=draft.source_file,
                    deployed_by=deployed_by,
                )
                session.add(row)
                created.append(row)
        return created

    def latest_versions(self) -> list[ProcessVersion]:
        with self.transaction() as session:
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

    def _latest_version(self, session, process_id: str) -> LoadedVersion:
        version_id = session.scalar(NEWEST_VERSION, {"process_id": process_id})
        if version_id is None:
            raise NotFound(f"El proceso {process_id!r} no está desplegado.")
        return self._version(session, version_id)

    def _version(self, session, version_id: int) -> LoadedVersion:
        loaded = self._versions.get(version_id)
        if loaded is None:
            row = session.get(ProcessVersion, version_id)
            spec, subprocess_specs = spec_from_dict(row.spec)
            loaded = LoadedVersion.from_files(row, spec, subprocess_specs)
            self._versions[version_id] = loaded
        return loaded

"""What analysts and operators ask of the engine: versions, the deployed diagram set,
instance lists, element states, heatmaps, migration and retry. Lists read index tables only."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import diff_workflow
from SpiffWorkflow.bpmn.util.diff import filter_tasks
from SpiffWorkflow.bpmn.util.diff import migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select

from engine import instances
from engine.actors import Actor
from engine.db import utcnow
from engine.diagrams import DiagramSet
from engine.errors import Conflict
from engine.errors import FormInvalid
from engine.errors import NotFound
from engine.models import ElementVisit
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import ProcessInstance
from engine.models import ProcessVersion
from engine.serialization import serializer

SORTABLE = {"id", "created_at", "updated_at", "process_id", "status"}


# Counting every match costs as much as the list at 100k instances; past this many a list
# says "more than" instead of an exact count.
COUNT_CAP = 10_000


@dataclass
class InstancePage:
    rows: list[ProcessInstance]
    total: int  # exact up to COUNT_CAP, else COUNT_CAP + 1 with total_capped set
    page: int
    per_page: int
    total_capped: bool = False


@dataclass
class MigrationCheck:
    instance_id: int
    can_move: bool
    reason: str


class Operations:
    """Mixed into Runner."""

    def versions(self, process_id: str) -> list[tuple[ProcessVersion, int]]:
        """Every version of a process, newest first, with its number of instances."""
        with self.transaction() as session:
            counts = (
                select(ProcessInstance.version_id, func.count().label("n"))
                .group_by(ProcessInstance.version_id)
                .subquery()
            )
            query = (
                select(ProcessVersion, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.version_id == ProcessVersion.id)
                .where(ProcessVersion.process_id == process_id)
                .order_by(ProcessVersion.number.desc())
            )
            return [(version, count) for version, count in session.execute(query)]

    def version(self, version_id: int) -> ProcessVersion:
        with self.transaction() as session:
            row = session.get(ProcessVersion, version_id)
            if row is None:
                raise NotFound("La versión no existe.")
            return row

    def deployed_diagrams(self) -> DiagramSet:
        """The files of every process's newest version: what an analyst's change applies to."""
        workflows: dict[str, bytes] = {}
        forms: dict[str, bytes] = {}
        for version in self.latest_versions():
            for name, text in version.files.items():
                target = forms if name.startswith("forms/") else workflows
                target.setdefault(name.removeprefix("forms/"), text.encode())
        return DiagramSet(workflows, forms)

    def list_instances(self, process_id=None, version_id=None, status=None, account_id=None,
                       started_from=None, started_to=None, waiting_role=None, sort="-created_at",
                       page=1, per_page=50) -> InstancePage:  # fmt: skip
        """Instances matching the filters, sorted and paginated, from index columns only."""
        query = select(ProcessInstance.id)
        if process_id:
            query = query.where(ProcessInstance.process_id == process_id)
        if version_id:
            query = query.where(ProcessInstance.version_id == version_id)
        if status:
            query = query.where(ProcessInstance.status == status)
        if account_id:
            query = query.where(ProcessInstance.account_id == account_id)
        if started_from:
            query = query.where(ProcessInstance.created_at >= started_from)
        if started_to:
            query = query.where(ProcessInstance.created_at < started_to)
        if waiting_role:
            # EXISTS, probed per instance in list order: a page stops after 50 matches
            # (IN (subquery) made SQLite collect and sort every match: 177 ms at 100k).
            query = query.where(
                exists().where(
                    HumanTask.instance_id == ProcessInstance.id,
                    HumanTask.status == "ready",
                    HumanTask.role == waiting_role,
                )
            )
        column = sort.lstrip("-")
        if column not in SORTABLE:
            column = "created_at"
        order = getattr(ProcessInstance, column)
        order = order.desc() if sort.startswith("-") else order.asc()
        page, per_page = max(1, int(page)), min(200, max(1, int(per_page)))
        with self.transaction() as session:
            total = session.scalar(select(func.count()).select_from(query.limit(COUNT_CAP + 1).subquery()))
            columns = select(ProcessInstance).where(ProcessInstance.id.in_(
                query.order_by(order, ProcessInstance.id.desc()).limit(per_page).offset((page - 1) * per_page)
            )).order_by(order, ProcessInstance.id.desc())  # fmt: skip
            rows = list(session.scalars(columns.execution_options(populate_existing=True)))
            for row in rows:
                session.expunge(row)
        return InstancePage(rows, total, page, per_page, total_capped=total > COUNT_CAP)

    def element_states(self, instance_id: int) -> dict[str, str]:
        """bpmn id -> completed | active | failed, for colouring the instance's diagram.

        "completed" comes from the visit log (the task tree forgets long histories, see
        engine.compaction); "active" and "failed" from the live tree and the last failure.
        """
        with self.transaction() as session:
            instance = self._instance_or_404(session, instance_id)
            version, workflow = self._workflow(session, instance)
            passed = session.scalars(
                select(ElementVisit.element_id).where(ElementVisit.instance_id == instance_id).distinct()
            ).all()
            failed = None
            if instance.status == "error":
                failed = session.scalar(
                    select(InstanceEvent.element_id)
                    .where(InstanceEvent.instance_id == instance_id, InstanceEvent.kind == "step_failed")
                    .order_by(InstanceEvent.id.desc())
                    .limit(1)
                )
        states = dict.fromkeys(passed, "completed")
        for task in instances._all_tasks(workflow):
            if task.task_spec.bpmn_id and task.state in (
                TaskState.READY,
                TaskState.WAITING,
                TaskState.STARTED,
            ):
                states[task.task_spec.bpmn_id] = "active"
        if failed:
            states[failed] = "failed"
        return states

    def heatmap(self, process_id: str, since: dt.datetime | None = None, until: dt.datetime | None = None):
        """bpmn id -> (instances that passed, median seconds spent there) over the period."""
        query = select(ElementVisit.element_id, ElementVisit.instance_id, ElementVisit.seconds).where(
            ElementVisit.process_id == process_id
        )
        if since:
            query = query.where(ElementVisit.completed_at >= since)
        if until:
            query = query.where(ElementVisit.completed_at < until)
        passed: dict[str, set[int]] = {}
        seconds: dict[str, list[float]] = {}
        with self.transaction() as session:
            for element, instance_id, spent in session.execute(query):
                passed.setdefault(element, set()).add(instance_id)
                seconds.setdefault(element, []).append(spent)
        return {element: (len(passed[element]), statistics.median(seconds[element])) for element in passed}

    def check_migration(
        self, instance_ids: list[int], target_version_id: int | None = None
    ) -> list[MigrationCheck]:
        """Dry run: which instances can move to the newest (or given) version, and why not."""
        return [self._migrate(instance_id, target_version_id, Actor.system(), dry_run=True)
                for instance_id in instance_ids]  # fmt: skip

    def migrate(self, actor: Actor, instance_ids: list[int], reason: str,
                target_version_id: int | None = None) -> list[MigrationCheck]:  # fmt: skip
        """Move running instances to the newest version; those that cannot move stay as they are."""
        if not (reason or "").strip():
            raise FormInvalid({"reason": ["Indique el motivo."]})
        return [self._migrate(instance_id, target_version_id, actor, dry_run=False, reason=reason.strip())
                for instance_id in instance_ids]  # fmt: skip

    def _migrate(self, instance_id, target_version_id, actor, dry_run, reason=None) -> MigrationCheck:
        with self.transaction() as session:
            instance = self._lock(session, instance_id)
            if instance.status not in ("running", "error"):
                return MigrationCheck(instance_id, False, "La instancia ya terminó.")
            target = (
                self._version(session, target_version_id)
                if target_version_id
                else self._latest_version(session, instance.process_id)
            )
            if target.process_id != instance.process_id:
                return MigrationCheck(instance_id, False, "La versión es de otro proceso.")
            if target.id == instance.version_id:
                return MigrationCheck(instance_id, False, "Ya está en esa versión.")
            version, workflow = self._workflow(session, instance)
            top_diff, sub_diffs = diff_workflow(
                serializer().registry, workflow, target.spec, target.subprocess_specs
            )
            problem = _migration_problem(top_diff, sub_diffs)
            if problem or dry_run:
                return MigrationCheck(instance_id, not problem, problem or "Puede migrarse.")
            before = instances.Snapshot.of(workflow)
            migrate_workflow(top_diff, workflow, target.spec)
            for sub_id, sub_diff in sub_diffs.items():
                migrate_workflow(
                    sub_diff,
                    workflow.subprocesses[sub_id],
                    target.subprocess_specs[sub_diff_name(workflow, sub_id)],
                )
            workflow.subprocess_specs = target.subprocess_specs
            ctx = self._context(session, actor, instance, utcnow())
            ctx.record("migrated", from_version=version.id, to_version=target.id, reason=reason)
            self._advance(workflow, ctx, lambda wf: None)
            instances.save(session, instance, target, workflow, before, ctx)
            return MigrationCheck(instance_id, True, f"Migrada a la versión {target.id}.")

    def retry(self, actor: Actor, instance_id: int, reason: str) -> None:
        """Run a failed instance's engine steps again (after the cause was fixed)."""
        if not (reason or "").strip():
            raise FormInvalid({"reason": ["Indique el motivo."]})
        with self._failures_recorded(actor) as failing:
            failing["instance_id"] = instance_id
            with self.transaction() as session:
                instance = self._lock(session, instance_id)
                if instance.status != "error":
                    raise Conflict("Solo se reintentan instancias con error.")
                version, workflow = self._workflow(session, instance)
                before = instances.Snapshot.of(workflow)
                ctx = self._context(session, actor, instance, utcnow())
                ctx.record("retried", reason=reason.strip())
                self._advance(workflow, ctx, lambda wf: None)
                instances.save(session, instance, version, workflow, before, ctx)


def sub_diff_name(workflow, sub_id) -> str:
    return workflow.subprocesses[sub_id].spec.name


def _migration_problem(top_diff, sub_diffs) -> str | None:
    """Moving is safe only if no element the instance already went through changed or vanished
    (the rule of SpiffWorkflow's own example runner)."""
    for diff in [top_diff, *sub_diffs.values()]:
        if diff is None:
            return "Un subproceso en curso no existe en la nueva versión."
        touched = filter_tasks(diff.changed + diff.removed, state=TaskState.COMPLETED | TaskState.STARTED)
        if touched:
            names = sorted(
                {t.task_spec.bpmn_name or t.task_spec.bpmn_id or t.task_spec.name for t in touched}
            )
            return "Ya pasó por elementos que cambiaron en la nueva versión: " + ", ".join(names) + "."
    return None

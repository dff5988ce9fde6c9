"""What analysts and operators read: versions, instance lists, element states, heatmaps, and
whether an instance may migrate. Lists read index tables only. Each function works inside
the caller's transaction (the Runner's)."""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import filter_tasks
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all

from engine import instances
from engine.models import ElementVisit
from engine.models import HumanTask
from engine.models import InstanceEvent
from engine.models import ProcessInstance
from engine.models import ProcessVersion

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


def versions_of(session, process_id: str) -> list[tuple[ProcessVersion, int]]:
    """Every version of a process, newest first, with its number of instances: exact up to
    COUNT_CAP, else COUNT_CAP + 1 ("más de 10.000", as the instance list says). Each version's
    count reads at most COUNT_CAP + 1 entries of the version index, all versions in one
    statement: counting a million entries took ~190 ms on either database."""
    versions = list(session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.number.desc())
    ))  # fmt: skip
    if not versions:
        return []
    capped = [
        select(literal(version.id).label("version_id"), func.count().label("n")).select_from(
            select(literal(1)).where(ProcessInstance.version_id == version.id).limit(COUNT_CAP + 1).subquery()
        )
        for version in versions
    ]
    counts = dict(session.execute(union_all(*capped)).all())
    return [(version, counts.get(version.id, 0)) for version in versions]


def list_instances(session, process_id=None, version_id=None, status=None, account_id=None,
                   started_from=None, started_to=None, waiting_role=None, sort="-created_at",
                   page=1, per_page=50) -> InstancePage:  # fmt: skip
    """Instances matching the filters, sorted and paginated, from index columns only."""
    query = select(ProcessInstance.id)
    if process_id:
        # The process itself, or one that called it: its elements' visits carry its id.
        called = exists().where(
            ElementVisit.instance_id == ProcessInstance.id, ElementVisit.process_id == process_id
        )
        query = query.where(or_(ProcessInstance.process_id == process_id, called))
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
    total = session.scalar(select(func.count()).select_from(query.limit(COUNT_CAP + 1).subquery()))
    columns = select(ProcessInstance).where(ProcessInstance.id.in_(
        query.order_by(order, ProcessInstance.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )).order_by(order, ProcessInstance.id.desc())  # fmt: skip
    rows = list(session.scalars(columns.execution_options(populate_existing=True)))
    for row in rows:
        session.expunge(row)
    return InstancePage(rows, total, page, per_page, total_capped=total > COUNT_CAP)


def element_states(session, instance: ProcessInstance, workflow) -> dict[str, str]:
    """bpmn id -> completed | active | failed, for colouring the instance's diagram.

    "completed" comes from the visit log (the task tree forgets long histories, see
    engine.compaction); "active" and "failed" from the live tree and the last failure.
    """
    passed = session.scalars(
        select(ElementVisit.element_id).where(ElementVisit.instance_id == instance.id).distinct()
    ).all()
    failed = None
    if instance.status == "error":
        failed = session.scalar(
            select(InstanceEvent.element_id)
            .where(InstanceEvent.instance_id == instance.id, InstanceEvent.kind == "step_failed")
            .order_by(InstanceEvent.id.desc())
            .limit(1)
        )
    states = dict.fromkeys(passed, "completed")
    for task in instances.all_tasks(workflow):
        if task.task_spec.bpmn_id and task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            states[task.task_spec.bpmn_id] = "active"
    if failed:
        states[failed] = "failed"
    return states


def migration_problem(top_diff, sub_diffs) -> str | None:
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


@dataclass
class CalledProcess:
    """A call activity of an instance and the process it runs (a subprocess of the same
    instance): its state, the tasks waiting inside it, and its elements' states."""

    task_id: str  # the call activity's task: the subprocess's key
    element_id: str
    element_name: str
    process_id: str  # the called process
    caller_process_id: str  # the process whose diagram holds the call activity
    state: str  # active | completed | failed | cancelled
    waiting: list[str]
    element_states: dict[str, str]


def called_processes(workflow) -> list[CalledProcess]:
    """Every call activity the instance entered, in the order it entered them."""
    found = []
    for task_id, sub in workflow.subprocesses.items():
        try:
            caller = workflow.get_task_from_id(task_id)
        except Exception:  # noqa: BLE001  (a subprocess whose caller was compacted away)
            continue
        tasks = list(sub.get_tasks())
        states = {}
        for task in tasks:
            bpmn_id = task.task_spec.bpmn_id
            if not bpmn_id:
                continue
            if task.state == TaskState.ERROR:
                states[bpmn_id] = "failed"
            elif task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
                states.setdefault(bpmn_id, "active")
            elif task.state == TaskState.COMPLETED:
                states.setdefault(bpmn_id, "completed")
        if "failed" in states.values():
            state = "failed"
        elif sub.is_completed():
            state = "completed" if sub.success else "cancelled"
        else:
            state = "active"
        waiting = [t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in tasks
                   if t.state == TaskState.READY and t.task_spec.manual]  # fmt: skip
        found.append(CalledProcess(
            str(task_id), caller.task_spec.bpmn_id, caller.task_spec.bpmn_name or caller.task_spec.bpmn_id,
            sub.spec.name, caller.workflow.spec.name, state, waiting, states,
        ))  # fmt: skip
    found.sort(key=lambda c: c.task_id)
    return found


def waiting_tasks(session, instance_ids) -> dict[int, list[str]]:
    """instance id -> titles of its ready tasks (those inside called processes too)."""
    if not instance_ids:
        return {}
    rows = session.execute(
        select(HumanTask.instance_id, HumanTask.title)
        .where(HumanTask.instance_id.in_(list(instance_ids)), HumanTask.status == "ready")
        .order_by(HumanTask.created_at)
    )
    found: dict[int, list[str]] = {}
    for instance_id, title in rows:
        found.setdefault(instance_id, []).append(title)
    return found

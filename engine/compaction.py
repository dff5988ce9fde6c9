"""Keep a long-running instance's task tree shallow.

SpiffWorkflow keeps every task an instance ever ran, so a loop grows the tree without end:
state size and step time grow with history, and past depth 1000 ``TaskIterator`` stops
looking (its ``max_depth``) — live tasks become invisible and the workflow *looks*
completed. When the deepest live task is more than ``MAX_DEPTH`` levels down, the finished
history above the lowest completed ancestor shared by every live task is dropped and that
ancestor is re-attached under the root. In memory every task holds its full data, so the
re-attached task keeps everything it knew. The history itself is not lost: the
``element_visit`` and ``instance_event`` tables keep it.
"""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

MAX_DEPTH = 20
FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


def _chain(task) -> list:
    """Ancestors of ``task`` from the root down to the task itself."""
    chain = []
    while task is not None:
        chain.append(task)
        task = task.parent
    return chain[::-1]


def _deeper_than(workflow, tasks, depth: int) -> bool:
    """Whether the chain (``_chain``) of one of ``tasks`` is longer than ``depth``, without
    building every chain: a chain holds distinct tasks of the workflow, so one with at most
    ``depth`` tasks never is, and the shared ancestors of the rest are walked once."""
    if len(workflow.tasks) <= depth:
        return False
    lengths: dict = {}
    for task in tasks:
        walked = []
        while task is not None and task.id not in lengths:
            walked.append(task)
            task = task.parent
        length = lengths[task.id] if task is not None else 0
        for ancestor in reversed(walked):
            length += 1
            lengths[ancestor.id] = length
        if length > depth:
            return True
    return False


def compact(workflow) -> int:
    """Compact the workflow and its subprocesses; returns how many tasks were dropped."""
    dropped = _compact_one(workflow)
    for subprocess in list(getattr(workflow, "subprocesses", {}).values()):
        dropped += _compact_one(subprocess)
    return dropped


def _compact_one(workflow) -> int:
    live = [t for t in workflow.tasks.values() if not t.has_state(FINISHED)]
    if not live or not _deeper_than(workflow, live, MAX_DEPTH):
        return 0
    chains = [_chain(task) for task in live]
    shared = []
    for level in zip(*chains, strict=False):
        if any(task is not level[0] for task in level):
            break
        shared.append(level[0])
    completed = [task for task in shared if task.state == TaskState.COMPLETED]
    if len(completed) < 2:
        return 0
    root, cut = workflow.task_tree, completed[-1]
    if cut is root or cut.parent is root:
        return 0
    keep = {root.id}
    stack = [cut]
    while stack:
        task = stack.pop()
        keep.add(task.id)
        stack.extend(task.children)
    dropped = [task_id for task_id in workflow.tasks if task_id not in keep]
    root.children = [cut]
    cut.parent = root
    for task_id in dropped:
        del workflow.tasks[task_id]
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = cut
    return len(dropped)

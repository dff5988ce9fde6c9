"""Workflow state <-> JSON, with the spec kept apart (stored once per version).

The serializer flips a shared flag while encoding, so each thread gets its own.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_local = threading.local()


class _Ids:
    """Task ids as text and back, each converted once per save or load: every id is written
    (and read) four times — the task's own, its key in the task table, its parent's list of
    children, its children's parent — and converting them was a third of the CPU of saving a
    state and a fifth of loading one. Active (``uuids``/``names`` not None) only inside
    ``dump_state``/``load_state``; the ids are equal either way, only converted fewer times."""

    def __init__(self):
        self.uuids: dict[str, UUID] | None = None
        self.names: dict[UUID, str] | None = None

    def uuid(self, text: str) -> UUID:
        found = self.uuids.get(text)
        if found is None:
            found = self.uuids[text] = UUID(text)
        return found

    def name(self, uuid: UUID) -> str:
        found = self.names.get(uuid)
        if found is None:
            found = self.names[uuid] = str(uuid)
        return found


class StateConverter(BpmnWorkflowConverter):
    """A workflow's state without its spec: converting the spec on every save only to
    throw it away was a sixth of a step's CPU (the version row keeps the spec once)."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def mapping_to_dict(self, mapping, **kwargs):
        ids = self.registry.ids
        if ids.names is None:
            return super().mapping_to_dict(mapping, **kwargs)
        convert = self.registry.convert
        return {ids.name(k) if type(k) is UUID else str(k): convert(v, **kwargs) for k, v in mapping.items()}

    def mapping_from_dict(self, mapping, key_class=None, **kwargs):
        ids = self.registry.ids
        if key_class is not UUID or ids.uuids is None:
            return super().mapping_from_dict(mapping, key_class, **kwargs)
        restore = self.registry.restore
        return {ids.uuid(k): restore(v, **kwargs) for k, v in mapping.items()}


class StateTaskConverter(TaskConverter):
    """SpiffWorkflow's TaskConverter, with the ids converted once (``_Ids``): the same dict
    (keys in the same order) and the same restored task."""

    def to_dict(self, task):
        ids = self.registry.ids
        if ids.names is None:
            return super().to_dict(task)
        parent = task.parent
        if parent is None:
            data = task.data
            delta = {}
        else:
            data = {}
            delta = {
                "updates": DeepMerge.get_updated_keys(parent.data, task.data),
                "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
            }
        return {
            "id": ids.name(task.id),
            "parent": ids.name(task._parent) if parent is not None else None,
            "children": [ids.name(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct, workflow):
        ids = self.registry.ids
        if ids.uuids is None:
            return super().from_dict(dct, workflow)
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=ids.uuid(dct["id"]))
        task._parent = ids.uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [ids.uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent = task.parent
        if delta and parent is not None:
            data = DeepMerge.merge({}, parent.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


def _build() -> tuple[BpmnWorkflowSerializer, type[json.JSONEncoder]]:
    registry = BpmnWorkflowSerializer.configure(
        {**SPIFF_CONFIG, BpmnWorkflow: StateConverter, Task: StateTaskConverter}
    )
    registry.ids = _Ids()
    registry.register(
        dt.date, lambda v: {"value": v.isoformat()}, lambda d: dt.date.fromisoformat(d["value"])
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    return BpmnWorkflowSerializer(registry), create_encoder(registry)


def serializer() -> BpmnWorkflowSerializer:
    if not hasattr(_local, "serializer"):
        _local.serializer, _local.encoder = _build()
    return _local.serializer


def _encoder() -> type[json.JSONEncoder]:
    serializer()
    return _local.encoder


SERIALIZER_VERSION = BpmnWorkflowSerializer().VERSION


def spec_to_dict(spec, subprocess_specs) -> dict:
    ser = serializer()
    return {
        "spec": ser.to_dict(spec),
        "subprocess_specs": {name: ser.to_dict(sub) for name, sub in subprocess_specs.items()},
    }


def spec_from_dict(stored: dict):
    ser = serializer()
    spec = ser.from_dict(stored["spec"])
    subprocess_specs = {name: ser.from_dict(sub) for name, sub in stored["subprocess_specs"].items()}
    return spec, subprocess_specs


def dump_state(workflow: BpmnWorkflow) -> str:
    """The instance state without its spec (the version row holds that)."""
    ser = serializer()
    ser.registry._encoder_mode = True
    ser.registry.ids.names = {}
    try:
        data = ser.to_dict(workflow)
        return json.dumps(data, cls=_encoder(), separators=(",", ":"))
    finally:
        ser.registry._encoder_mode = False
        ser.registry.ids.names = None


def load_state(state: str, version: str, spec, subprocess_specs) -> BpmnWorkflow:
    ser = serializer()
    data = json.loads(state)
    # Already-restored spec objects pass through the registry untouched, so the parsed
    # spec is shared by every instance of a version instead of rebuilt per load.
    data["spec"] = spec
    data["subprocess_specs"] = subprocess_specs
    data["serializer_version"] = version
    if version != SERIALIZER_VERSION:
        ser.migrate(data)
    ser.registry.ids.uuids = {}
    try:
        return ser.from_dict(data)
    finally:
        ser.registry.ids.uuids = None


def ready_task_data(state: str, version: str, spec, task_id: str):
    """``(task_spec, data)`` of the READY manual task ``task_id`` of the top-level workflow,
    read from the saved state without restoring the workflow: a task page needs only these,
    and restoring every task (objects, UUIDs, data merges) was a sixth of the page's CPU.
    The data is rebuilt exactly as SpiffWorkflow's task converter does (a task stores its
    changes against its parent's data). None when the fast path does not apply (another
    serializer version, a task of a subprocess, not READY, not manual): load the workflow."""
    if version != SERIALIZER_VERSION:
        return None
    tasks = json.loads(state).get("tasks", {})
    found = tasks.get(task_id)
    if found is None or found["state"] != TaskState.READY:
        return None
    task_spec = spec.task_specs.get(found["task_spec"])
    if task_spec is None or not task_spec.manual:
        return None
    chain = [found]
    while chain[-1]["parent"] is not None and chain[-1]["parent"] in tasks:
        chain.append(tasks[chain[-1]["parent"]])
    registry = serializer().registry
    data = None
    for dct in reversed(chain):
        delta = dct.get("delta")
        if delta and data is not None:  # data is the parent's: this task has one
            merged = DeepMerge.merge({}, data)
            merged.update(registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in merged:
                    del merged[key]
            data = merged
        else:
            data = registry.restore(dct["data"])
    return task_spec, data

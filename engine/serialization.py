"""Workflow state <-> JSON, with the spec kept apart (stored once per version).

The serializer flips a shared flag while encoding, so each thread gets its own.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_local = threading.local()


class StateConverter(BpmnWorkflowConverter):
    """A workflow's state without its spec: converting the spec on every save only to
    throw it away was a sixth of a step's CPU (the version row keeps the spec once)."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _build() -> tuple[BpmnWorkflowSerializer, type[json.JSONEncoder]]:
    registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: StateConverter})
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
    try:
        data = ser.to_dict(workflow)
        return json.dumps(data, cls=_encoder(), separators=(",", ":"))
    finally:
        ser.registry._encoder_mode = False


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
    return ser.from_dict(data)


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

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

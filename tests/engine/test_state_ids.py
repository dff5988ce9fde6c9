"""engine.serialization converts each task id once per save or load (StateTaskConverter,
StateConverter): the saved text must be exactly SpiffWorkflow's own, and the workflow restored
from it the same, task for task, in every state of a walk that ends in a call activity."""

from __future__ import annotations

import json

from sqlalchemy import select

from engine import serialization
from engine.models import ProcessInstance
from tests.engine.onboarding import Onboarding


def _spiff_dump(workflow) -> str:
    """The state as SpiffWorkflow's converters write it (the ids' cache inactive)."""
    ser = serialization.serializer()
    ser.registry._encoder_mode = True
    try:
        return json.dumps(ser.to_dict(workflow), cls=serialization._encoder(), separators=(",", ":"))
    finally:
        ser.registry._encoder_mode = False


def _spiff_load(state: str, version, spec, subprocess_specs):
    data = {**json.loads(state), "spec": spec, "subprocess_specs": subprocess_specs}
    data["serializer_version"] = version
    return serialization.serializer().from_dict(data)


def _tasks(workflow) -> list:
    found = []
    for owner in [workflow, *workflow.subprocesses.values()]:
        found.append(
            (list(owner.tasks), owner.task_tree.id, owner.last_task and owner.last_task.id, owner.data)
        )
        found += [
            (t.id, t._parent, t._children, t.state, t.task_spec.name, t.triggered, t.last_state_change,
             t.data, t.internal_data)
            for t in owner.tasks.values()
        ]  # fmt: skip
    return [*found, sorted(workflow.subprocesses), sorted(workflow.event_manager.tasks)]


class CheckingWalk(Onboarding):
    """After every step, saves and restores every instance both ways and compares."""

    checked = 0

    def complete(self, *args, **kwargs):
        result = super().complete(*args, **kwargs)
        self.check()
        return result

    def check(self):
        steps = self.runner.steps
        with self.runner.transaction() as session:
            for row in session.scalars(select(ProcessInstance)):
                version = steps.versions.get(session, row.version_id)
                args = (row.state, row.serializer_version, version.spec, version.subprocess_specs)
                ours, spiffs = serialization.load_state(*args), _spiff_load(*args)
                assert _tasks(ours) == _tasks(spiffs)
                assert serialization.dump_state(ours) == _spiff_dump(spiffs) == row.state
                self.checked += 1


def test_states_are_saved_and_restored_as_spiffworkflow_does(runner):
    walk = CheckingWalk(runner)
    _registration, user = walk.register_user("ana.estados")
    instance_id = walk.start(user, "registro_entidad")
    walk.register_entity(user, instance_id)
    with runner.transaction() as session:
        subprocesses = json.loads(session.get(ProcessInstance, instance_id).state)["subprocesses"]
    assert subprocesses and walk.checked >= 6  # a call activity's state was among those compared

"""Issue 17, keep attacking: schemathesis drives every operation of /api/v1/openapi.json with
generated requests (valid and invalid ones) on SQLite and PostgreSQL. The API may answer
only what it documents: never a server error, never an undocumented status code, content
type or body. ``make test`` runs a bounded sample; ``make fuzz`` runs many more.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from engine import incidents
from engine.db import utcnow
from tests.engine.onboarding import support_form

LONG_RUN = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
# Per operation and mode: 27 operations x 2 modes x 8 = 432 requests per database in make test.
EXAMPLES = dict.fromkeys((GenerationMode.POSITIVE, GenerationMode.NEGATIVE), 300 if LONG_RUN else 8)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api(deployed, world):
    """A token of a person holding every role; instances, tasks and a version to find, whose
    ids the run also uses (random ids mostly meet a 404 before any deeper code runs)."""
    from webui.api import tokens

    user_id = world.user("todo", roles=("operador", "analista", "mesa_servicio"))
    account = world.account(admin=user_id)
    runner = deployed.extensions["runner"]
    actor = runner.actor_for_user(user_id)
    started = runner.start("activacion_cuenta", actor, {"account_id": account, "account_name": "A"})
    runner.complete_task(actor, runner.inbox(actor, instance_id=started.instance_id)[0].id, support_form())
    waiting = runner.start("activacion_cuenta", actor, {"account_id": account, "account_name": "A"})
    with runner.transaction() as session:  # an open incident for /incidents/{incident_id}/retry
        incident, _ = incidents.record(
            session, instance_id=started.instance_id, process_id="activacion_cuenta", element_id="x",
            element_name="X", step="timer", message="m", detail="d", data_keys=[], now=utcnow(),
        )  # fmt: skip
        incident_id = incident.id
    with deployed.app_context():
        token = tokens.issue("contrato", user_id)
    known = {
        "process_id": "activacion_cuenta",
        "version_id": runner.latest_versions()[0].id,
        "instance_id": waiting.instance_id,
        "task_id": runner.inbox(actor, instance_id=waiting.instance_id)[0].id,
        "name": "activacion_usuario",
        "incident_id": incident_id,
    }
    return deployed, {"Authorization": f"Bearer {token}"}, known


@pytest.mark.timeout(7200 if LONG_RUN else 180)
def test_every_operation_keeps_the_documented_contract(api):
    app, headers, known = api
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()
        path_names = {parameter.name for parameter in operation.path_parameters}
        runs = [(mode, examples, None) for mode, examples in EXAMPLES.items()]
        if path_names:  # and with ids that exist, so the operation's own code runs
            ids = {name: known[name] for name in path_names if name in known}
            runs.append((GenerationMode.POSITIVE, EXAMPLES[GenerationMode.POSITIVE], ids))
        for mode, examples, ids in runs:
            try:
                _fuzz(operation, mode, examples, headers, ids)
            except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, not the first
                failures.append(f"{operation.label} [{mode.value}{', known ids' if ids else ''}]: {exc}")
    assert failures == [], "\n\n".join(failures)


def _fuzz(operation, mode: GenerationMode, examples: int, headers: dict, ids: dict | None) -> None:
    checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS

    @settings(max_examples=examples, deadline=None, derandomize=not LONG_RUN, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=ids))
    def call(case):
        case.call_and_validate(headers=headers, checks=checks)

    call()

"""Scenario tests: a recorded walk through a process (the data of each user task, the messages
it waits for) and what it must do (the user tasks met, in order, and how it ends), run in a
sandbox — a private in-memory database holding only the diagrams under test — so nothing
touches real data. A deploy runs every scenario of the processes it changes first; one that
fails blocks it (``ScenariosFailed``), saying where the path differed.

A scenario file (``workflows/scenarios/<process>/<name>.json``)::

    {"name": "Usuario nuevo", "process": "registro_usuario",
     "steps": [{"task": "registrar_usuario", "data": {...}}, {"message": "activacion_usuario"}],
     "expect": {"tasks": ["registrar_usuario"], "status": "completed", "waiting": []}}

Each task is worked by whoever its lane names (the owner, the account's role, the platform
role), so a scenario needs no people; a message goes to the instance's own subscription; a
timer step fires the instance's earliest timer as if its time had come. Besides the files,
the scenarios analysts saved from a play (engine.play) run in the gate too.

A procedure that is not started anonymously names its world and its starter::

    "given": {"people": {"ana": {}, "agente": {"platform_role": "mesa_servicio"}},
              "accounts": {"800197268": {"name": "AGENCIA", "state": "Activa",
                                         "administrators": ["ana"]}}},
    "start": {"as": "ana", "account": "800197268"},

``given`` is built in the sandbox by the domain (``Domain.scenario_world``); ``start.as``
starts as that person and ``start.account`` names the account it is started for (its id goes
to ``account_id``). A step may act ``"as"`` a named person instead of its lane, attach
``"documents"`` (file slots, each given a small PDF before the form is sent), and
``"expect": {"data": {...}}`` checks values the instance holds at the end (what services
answered: ``access_request_state``, ``account_state``…).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from sqlalchemy import select

from engine.actors import Actor
from engine.db import utcnow
from engine.diagrams import DiagramSet
from engine.errors import EngineError
from engine.errors import FormInvalid
from engine.models import HumanTask
from engine.models import MessageSubscription
from engine.models import ProcessInstance
from engine.procedures import ACCOUNT_VARIABLE

SCENARIOS_DIR = "scenarios"
SCENARIO_PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"  # what a scenario attaches to a file slot

# SpiffWorkflow judges a timer due by its own clock (``datetime.now`` in its timer module); a
# sandbox fires a timer "as if its time had come" by moving that clock forward, only inside
# ``shifted_clock`` and only for the code running there (a context variable).
_CLOCK_SHIFT: ContextVar[dt.timedelta] = ContextVar("sandbox_clock_shift", default=dt.timedelta(0))


class _SandboxClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return super().now(tz) + _CLOCK_SHIFT.get()


if spiff_timer.datetime is dt.datetime:
    spiff_timer.datetime = _SandboxClock


@contextmanager
def shifted_clock(delta: dt.timedelta):
    token = _CLOCK_SHIFT.set(max(delta, dt.timedelta(0)))
    try:
        yield
    finally:
        _CLOCK_SHIFT.reset(token)


@dataclass
class ScenarioResult:
    name: str
    process: str
    passed: bool
    tasks: list[str]  # the user tasks met, in order
    status: str
    waiting: list[str]
    problem: str | None = None  # Spanish: where and how it differed
    element_id: str | None = None  # where the path differed, for the diagram


class ScenariosFailed(EngineError):
    """A deploy refused because scenario tests failed; ``results`` has every scenario's."""

    def __init__(self, results: list[ScenarioResult]):
        failed = [r for r in results if not r.passed]
        super().__init__(
            "No se desplegó: " + "; ".join(f"el escenario «{r.name}» falló: {r.problem}" for r in failed)
        )
        self.results = results


def load_scenarios(folder: Path, process_ids=None) -> list[dict]:
    """The scenario files under ``folder/scenarios`` (of these processes, when given)."""
    root = Path(folder) / SCENARIOS_DIR
    found = []
    for path in sorted(root.glob("*/*.json")) if root.is_dir() else []:
        scenario = json.loads(path.read_text())
        scenario.setdefault("name", path.stem)
        if process_ids is None or scenario["process"] in process_ids:
            found.append(scenario)
    return found


def lane_actor(row: HumanTask, anonymous_token: str | None) -> Actor:
    """Whoever the task's lane names: the scenario needs no people."""
    if row.lane_kind == "platform":
        return Actor(user_id=None, platform_roles=frozenset({row.role}))
    if row.lane_kind == "account":
        return Actor(account_roles={row.account_id: row.role})
    if row.owner_user_id is not None:
        return Actor(user_id=row.owner_user_id)
    return Actor.anonymous(anonymous_token) if anonymous_token else Actor()


class Sandbox:
    """A runner on a private in-memory database (``make_runner()``) with ``diagrams`` deployed."""

    def __init__(self, diagrams: DiagramSet, make_runner):
        self.runner = make_runner()
        self.runner.create_schema()
        self.runner.deploy(diagrams)

    def close(self):
        self.runner.close()

    def run(self, scenario: dict) -> ScenarioResult:
        name, process = scenario.get("name", "escenario"), scenario["process"]
        expect = scenario.get("expect", {})
        try:
            started = self.start(scenario)
        except EngineError as exc:
            return ScenarioResult(name, process, False, [], "sin iniciar", [], f"al iniciar: {exc.message}")
        instance_id, token = started.instance_id, started.anonymous_token
        problem = element = None
        for number, step in enumerate(scenario.get("steps", []), 1):
            problem, element = self.step(instance_id, token, step, number)
            if problem:
                break
        tasks, status, waiting = self.state(instance_id)
        if problem is None:
            problem, element = _compare(expect, tasks, status, waiting)
        if problem is None and expect.get("data"):
            problem = _compare_data(expect["data"], self.runner.instance(instance_id).data)
        return ScenarioResult(name, process, problem is None, tasks, status, waiting, problem, element)

    def start(self, scenario: dict):
        """Prepare the scenario's ``given`` world and start its process (a StartResult)."""
        self.world = self._given(scenario.get("given"))
        start = scenario.get("start", {})
        data = dict(scenario.get("data") or {})
        if "account" in start:
            if start["account"] not in self.world["accounts"]:
                raise EngineError(f"El escenario no define la cuenta «{start['account']}» en given.accounts.")
            data[ACCOUNT_VARIABLE] = self.world["accounts"][start["account"]]
        starter = self._person(start["as"]) if "as" in start else Actor.anonymous()
        return self.runner.start(scenario["process"], starter, data or None)

    def _given(self, given: dict | None) -> dict:
        if not given:
            return {"people": {}, "accounts": {}}
        if self.runner.domain.scenario_world is None:
            raise EngineError("Este dominio no sabe preparar el «given» de un escenario.")
        with self.runner.transaction() as session:
            world = self.runner.domain.scenario_world(session, given)
        return {"people": world.get("people", {}), "accounts": world.get("accounts", {})}

    def _person(self, name: str) -> Actor:
        if name not in self.world["people"]:
            raise EngineError(f"El escenario no define a «{name}» en given.people.")
        return self.runner.actor_for_user(self.world["people"][name])

    def stage_documents(self, actor: Actor, task_id: str, slots) -> dict:
        """slot -> staged document id: a small valid PDF for each of ``slots``."""
        return {slot: self.runner.stage_document(actor, task_id, slot, f"{slot}.pdf", SCENARIO_PDF)["id"]
                for slot in slots}  # fmt: skip

    def step(self, instance_id, token, step, number) -> tuple[str | None, str | None]:
        """Play one step (a task completed, a message delivered, a timer fired):
        ``(problem, element)``, both None when it went as written."""
        with self.runner.transaction() as session:
            ready = session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
            ).all()
            subscriptions = session.execute(
                select(MessageSubscription.message_name, MessageSubscription.correlation_value)
                .where(MessageSubscription.instance_id == instance_id)
            ).all()  # fmt: skip
        try:
            if "task" in step:
                row = next((r for r in ready if r.name == step["task"]), None)
                if row is None:
                    waiting = ", ".join(r.name for r in ready) or "nada"
                    where = ready[0].name if ready else None  # where the token is instead
                    return f"paso {number}: esperaba la tarea {step['task']}, pero espera {waiting}", where
                actor = self._person(step["as"]) if "as" in step else lane_actor(row, token)
                data = dict(step.get("data") or {})
                data.update(self.stage_documents(actor, row.id, step.get("documents", [])))
                self.runner.complete_task(actor, row.id, data)
            elif "message" in step:
                value = next((v for n, v in subscriptions if n == step["message"]), None)
                if value is None:
                    waiting = ", ".join(r.name for r in ready) or "nada"
                    where = ready[0].name if ready else None
                    message = step["message"]
                    return f"paso {number}: esperaba el mensaje {message}, pero espera {waiting}", where
                self.runner.deliver_message(step["message"], value, step.get("data"))
            elif "timer" in step:
                with self.runner.transaction() as session:
                    due = session.get(ProcessInstance, instance_id).next_timer_at
                if due is None:
                    waiting = ", ".join(r.name for r in ready) or "nada"
                    where = ready[0].name if ready else None
                    timer = step["timer"]
                    return f"paso {number}: esperaba el temporizador {timer}, pero espera {waiting}", where
                with shifted_clock(due - utcnow() + dt.timedelta(seconds=1)):
                    self.runner.fire_due_timers(now=due)
            else:
                return f"paso {number}: no es una tarea, un mensaje ni un temporizador", None
        except FormInvalid as exc:
            fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
            task = step.get("task")
            return f"paso {number} ({task}): el formulario rechazó los datos ({fields})", task
        except EngineError as exc:
            return f"paso {number}: {exc.message}", step.get("task")
        return None, None

    def state(self, instance_id) -> tuple[list[str], str, list[str]]:
        """(every human task's name in order, the instance's status, the tasks waiting)."""
        with self.runner.transaction() as session:
            rows = session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
            ).all()
            status = session.get(ProcessInstance, instance_id).status
        return [r.name for r in rows], status, [r.name for r in rows if r.status == "ready"]


def _compare(expect: dict, tasks, status, waiting) -> tuple[str | None, str | None]:
    wanted = expect.get("tasks")
    if wanted is not None and wanted != tasks:
        index = next((i for i, (a, b) in enumerate(zip(wanted, tasks, strict=False)) if a != b),
                     min(len(wanted), len(tasks)))  # fmt: skip
        expected = wanted[index] if index < len(wanted) else "el final"
        actual = tasks[index] if index < len(tasks) else "nada más"
        where = tasks[index] if index < len(tasks) else None
        return f"en la tarea {index + 1} esperaba {expected} y llegó a {actual}", where
    if "status" in expect and expect["status"] != status:
        return f"esperaba terminar en estado {expect['status']} y quedó {status}", None
    if "waiting" in expect and sorted(expect["waiting"]) != sorted(waiting):
        wanted_waits, waits = ", ".join(expect["waiting"]) or "nada", ", ".join(waiting) or "nada"
        return f"esperaba quedar en {wanted_waits} y quedó en {waits}", None
    return None, None


def _compare_data(wanted: dict, data: dict) -> str | None:
    for key, value in wanted.items():
        if data.get(key) != value:
            wanted_text = json.dumps(value, ensure_ascii=False)
            got_text = json.dumps(data.get(key), ensure_ascii=False, default=str)
            return f"esperaba {key} = {wanted_text} y quedó {got_text}"
    return None


def gate(diagrams: DiagramSet, process_ids, folder: Path, make_runner, saved=()) -> list[ScenarioResult]:
    """Run the scenarios of ``process_ids`` found under ``folder``, and the ``saved`` ones (from
    plays, already of those processes), on ``diagrams``; raise ScenariosFailed when one fails,
    else return the results."""
    found = [*load_scenarios(folder, set(process_ids)), *saved]
    results = run_scenarios(diagrams, found, make_runner)
    if any(not result.passed for result in results):
        raise ScenariosFailed(results)
    return results


def run_scenarios(diagrams: DiagramSet, scenarios: list[dict], make_runner) -> list[ScenarioResult]:
    """Each scenario on a fresh sandbox of ``diagrams`` -> [ScenarioResult]."""
    results = []
    for scenario in scenarios:
        sandbox = Sandbox(diagrams, make_runner)
        try:
            results.append(sandbox.run(scenario))
        finally:
            sandbox.close()
    return results

"""Play (issue 16.4): an analyst runs a draft in the sandbox ("Probar el borrador") — starts
it, fills each user task's form, delivers the messages it waits for, fires its timers —
without touching real data, and saves the run as a scenario test that then gates every
deploy of the process.

A play is only the list of steps taken so far, in the scenario format (engine.scenarios),
kept per process and analyst (``ProcessPlay``). Every look replays those steps on a fresh
sandbox of the draft's files and reads the state: the user tasks met, the element the token
waits at and its form, the elements completed, the decision table rows each business rule
task matched, how it ended. No server keeps a running copy, so any process of a pool serves
any request.

The matched rows come from SpiffWorkflow's DMN engine: ``DMNEngine.decide`` is wrapped once
to report, while a play replays (a context variable is set), the rules each table matched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine import actions
from engine import instances
from engine.db import utcnow
from engine.diagrams import DiagramSet
from engine.drafts import Drafts
from engine.drafts import diagram_set
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import DomainError
from engine.errors import FormInvalid
from engine.errors import FormRejected
from engine.errors import NotFound
from engine.errors import StepFailed
from engine.models import HumanTask
from engine.models import MessageSubscription
from engine.models import ProcessInstance
from engine.models import ProcessPlay
from engine.models import ProcessScenario
from engine.scenarios import Sandbox
from engine.scenarios import lane_actor
from engine.store import Store
from engine.versions import VersionCache
from engine.views import TaskView

MAX_STEPS = 200  # a play longer than this is a loop, not a scenario
NAME_MAX = 200


@dataclass
class MatchedRow:
    number: int  # the row's number in the table, from 1
    rule_id: str
    description: str
    inputs: list[str]  # each input column's cell ("" = any value)
    outputs: list[str]


@dataclass
class DecisionMatch:
    """The rows a business rule task's decision table matched, one evaluation."""

    element_id: str
    element_name: str
    table: str
    hit_policy: str
    columns: list[str]  # the input columns' labels
    outputs: list[str]  # the output columns' labels
    rows: list[MatchedRow]
    size: int  # rows in the table


_MATCHES: ContextVar[list[DecisionMatch] | None] = ContextVar("play_decision_matches", default=None)


def _record(engine: DMNEngine, task, rules) -> None:
    table = engine.decision_table
    spec = task.task_spec
    _MATCHES.get().append(DecisionMatch(
        element_id=spec.bpmn_id or spec.name, element_name=spec.bpmn_name or spec.bpmn_id or spec.name,
        table=table.name or table.id, hit_policy=table.hit_policy,
        columns=[i.label or i.name or i.id for i in table.inputs],
        outputs=[o.label or o.name or o.id for o in table.outputs],
        rows=[MatchedRow(
            number=rule.row_number or table.rules.index(rule) + 1, rule_id=rule.id,
            description=rule.description or "",
            inputs=[_cell(e.lhs) for e in rule.inputEntries],
            outputs=[e.text or "" for e in rule.outputEntries],
        ) for rule in rules],
        size=len(table.rules),
    ))  # fmt: skip


def _cell(lhs) -> str:
    return " ".join(str(x) for x in lhs or [] if x is not None).strip()


def _install_decision_hook() -> None:
    """Wrap ``DMNEngine.decide`` (once) to report the rules it matched while a play runs."""
    original = DMNEngine.decide
    if getattr(original, "reports_to_play", False):
        return

    def decide(self, task):
        rules = original(self, task)
        if _MATCHES.get() is not None:
            _record(self, task, rules)
        return rules

    decide.reports_to_play = True
    DMNEngine.decide = decide


_install_decision_hook()


@dataclass
class PlayState:
    process_id: str
    steps: list[dict]
    started: bool
    status: str | None = None  # running | completed | error | cancelled …
    tasks: list[str] = field(default_factory=list)  # the user tasks met, in order
    waiting: list[str] = field(default_factory=list)  # the user tasks ready now
    elements: dict[str, str] = field(default_factory=dict)  # bpmn id -> completed | active | failed
    decisions: list[DecisionMatch] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # the messages the instance waits for
    timer_at: dt.datetime | None = None  # the earliest timer it waits on
    timers: list[str] = field(default_factory=list)  # the timer events waiting (bpmn ids)
    page: TaskView | None = None  # the form of the task worked next (with errors when refused)
    problem: str | None = None  # a step that no longer applies (the draft changed), or a failure
    options: list = field(default_factory=list)  # a field's options (Plays.options)
    start: dict = field(default_factory=dict)  # who started it in the sandbox (play_start)

    @property
    def completed(self) -> list[str]:
        return sorted(k for k, v in self.elements.items() if v == "completed")

    @property
    def active(self) -> list[str]:
        return sorted(k for k, v in self.elements.items() if v != "completed")


class PlayRun:
    """One replay of a play's steps on a fresh sandbox, then at most one new action."""

    def __init__(self, diagrams: DiagramSet, make_runner, process_id: str):
        self.sandbox = Sandbox(diagrams, make_runner)
        self.runner = self.sandbox.runner
        self.process_id = process_id

    def close(self):
        self.sandbox.close()

    def replay(self, steps: list[dict], action: dict | None = None, posted=None, focus: str | None = None,
               options_for: tuple[str, dict] | None = None) -> PlayState:  # fmt: skip
        matches: list[DecisionMatch] = []
        reset = _MATCHES.set(matches)
        try:
            header = play_start(self.runner.procedure(self.process_id))
            started = self.sandbox.start({"process": self.process_id, **header})
            instance_id, token = started.instance_id, started.anonymous_token
            done, problem = [], None
            for number, step in enumerate(steps, 1):
                problem, _element = self.sandbox.step(instance_id, token, step, number)
                if problem:
                    problem = f"El recorrido guardado ya no aplica a este diagrama: {problem}"
                    break
                done.append(step)
            page = None
            if action is not None and problem is None:
                problem, page, step = self._act(instance_id, token, action, posted)
                if step is not None:
                    done.append(step)
                focus = focus or (action.get("task") if page is not None else None)
            state = self._state(instance_id, token, done, page, focus)
            if options_for is not None:
                state.options = self._options(instance_id, token, focus, *options_for)
        finally:
            _MATCHES.reset(reset)
        state.decisions, state.problem, state.start = matches, problem, header
        return state

    def _ready(self, instance_id: int) -> list[HumanTask]:
        with self.runner.transaction() as session:
            return list(session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
                .order_by(HumanTask.created_at)
            ).all())  # fmt: skip

    def _act(self, instance_id, token, action, posted) -> tuple[str | None, TaskView | None, dict | None]:
        """Apply the new action -> (problem, the page to draw again when refused, the step)."""
        if "task" not in action:
            problem, _element = self.sandbox.step(instance_id, token, action, 0)
            return (problem.replace("paso 0: ", "") if problem else None), None, (None if problem else action)
        row = next((r for r in self._ready(instance_id) if r.name == action["task"]), None)
        if row is None:
            return f"La tarea {action['task']} ya no espera.", None, None
        actor = lane_actor(row, token)
        # A file the analyst chose stands for a small PDF, as a scenario's "documents" do.
        files = _file_slots(self.runner, actor, row.id)
        slots = [slot for slot in action.get("documents", []) if slot in files]
        staged = self.sandbox.stage_documents(actor, row.id, slots)
        step = actions.CompleteTask(actor, row.id, posted, staged)
        try:
            self.runner.steps.run(step)
        except FormRejected as exc:  # the form's own errors, drawn as the inbox draws them
            return None, exc.view, None
        except FormInvalid as exc:
            return None, dataclasses.replace(self.runner.task(actor, row.id), errors=exc.errors), None
        except (DomainError, StepFailed) as exc:
            view = self.runner.task(actor, row.id)
            data = {**view.data, **(step.parsed or {})}
            return None, dataclasses.replace(view, data=data, errors={"": [exc.message]}), None
        # What the form read from the post (before the engine hashes a password, say): replayed
        # through the same validation as JSON, as a scenario file's data is.
        data = step.parsed if step.parsed is not None else step.clean
        recorded = {"task": row.name, "data": _json({k: v for k, v in data.items() if k not in staged})}
        if slots:
            recorded["documents"] = slots
        return None, None, recorded

    def _state(self, instance_id, token, steps, page, focus) -> PlayState:
        tasks, status, waiting = self.sandbox.state(instance_id)
        with self.runner.transaction() as session:
            messages = session.scalars(
                select(MessageSubscription.message_name).where(MessageSubscription.instance_id == instance_id)
            ).all()  # fmt: skip
            instance = session.get(ProcessInstance, instance_id)
            timer_at = instance.next_timer_at
            _version, workflow = self.runner.steps.load(session, instance)
            timers = sorted({
                t.task_spec.bpmn_id for t in instances.all_tasks(workflow)
                if t.state == TaskState.WAITING and t.task_spec.bpmn_id
                and isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
            })  # fmt: skip
        if page is None:
            ready = self._ready(instance_id)
            row = next((r for r in ready if r.name == focus), ready[0] if ready else None)
            page = self.runner.task(lane_actor(row, token), row.id) if row is not None else None
        return PlayState(
            process_id=self.process_id, steps=list(steps), started=True, status=status, tasks=tasks,
            waiting=waiting, elements=self.runner.element_states(instance_id), messages=sorted(set(messages)),
            timer_at=timer_at if status == "running" else None, timers=timers if status == "running" else [],
            page=page,
        )  # fmt: skip

    def _options(self, instance_id, token, task_name, name, filled) -> list:
        row = next((r for r in self._ready(instance_id) if r.name == task_name), None)
        if row is None:
            raise NotFound("Esa tarea no espera en la prueba.")
        return self.runner.task_options(lane_actor(row, token), row.id, name, filled)


def _file_slots(runner, actor, task_id) -> set[str]:
    form = runner.task(actor, task_id).form
    return {f.name for f in form.fields if f.widget == "file"} if form is not None else set()


def _json(value):
    """The validated values as JSON (dates as ISO text), as a scenario file keeps them."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


PLAY_PERSON = "persona.prueba"
PLAY_ACCOUNT = "899999172"


def play_start(procedure) -> dict:
    """Who starts a play, as a scenario's ``given`` and ``start`` say (engine.scenarios): nobody
    for an anonymous procedure, else a sandbox person — with the platform role, or holding an
    account, that the diagram's ``startableBy`` asks for (one with none: for an account)."""
    # Started by nobody by hand (called, or by a service): most are called for an account.
    kind, _, role = (procedure.startable_by or "account:").partition(":")
    if kind == "anonymous":
        return {}
    person = {"first_names": "Persona", "last_names": "De Prueba"}
    if kind == "platform":
        person["platform_role"] = role
    given: dict = {"people": {PLAY_PERSON: person}}
    start: dict = {"as": PLAY_PERSON}
    if kind == "account":
        given["accounts"] = {PLAY_ACCOUNT: {"name": "ENTIDAD DE PRUEBA", "administrators": [PLAY_PERSON]}}
        start["account"] = PLAY_ACCOUNT
    return {"given": given, "start": start}


def scenario_of(state: PlayState, name: str) -> dict:
    """The play as a scenario test: its steps, and the path and end state it must keep."""
    return {
        "name": name, "process": state.process_id, **state.start, "steps": state.steps,
        "expect": {"tasks": state.tasks, "status": state.status, "waiting": state.waiting},
    }  # fmt: skip


class Plays:
    """Each analyst's play of each process (its draft, else the live version)."""

    def __init__(self, store: Store, versions: VersionCache, drafts: Drafts, make_runner):
        self.store = store
        self.versions = versions
        self.drafts = drafts
        self.make_runner = make_runner

    def diagrams(self, process_id: str) -> DiagramSet:
        """What a play runs: the deployed set with the process's draft, if it has one."""
        draft = self.drafts.get(process_id)
        deployed = self.versions.deployed_diagrams()
        return diagram_set(deployed, draft.files) if draft is not None else deployed

    def _steps(self, process_id: str, user_id: int) -> list[dict] | None:
        with self.store.transaction() as session:
            row = session.get(ProcessPlay, (process_id, user_id))
            return list(row.steps) if row is not None else None

    def _keep(self, process_id: str, user_id: int, steps: list[dict] | None) -> None:
        with self.store.transaction() as session:
            row = session.get(ProcessPlay, (process_id, user_id))
            if steps is None:
                if row is not None:
                    session.delete(row)
                return
            if row is None:
                row = ProcessPlay(process_id=process_id, user_id=user_id, steps=[])
                session.add(row)
            row.steps, row.updated_at = list(steps), utcnow()
        # Two tabs of one analyst: the last one wins; a play is a scratch pad.

    def _run(self, process_id: str, steps: list[dict], **kwargs) -> PlayState:
        try:
            run = PlayRun(self.diagrams(process_id), self.make_runner, process_id)
        except DiagramInvalid as exc:  # a draft may keep problems; it cannot run until fixed
            lines = "; ".join(f"{p.element_id or p.file}: {p.message}" for p in exc.problems[:5])
            raise Conflict(f"El verificador encontró problemas en el borrador; corríjalos antes de "
                           f"probarlo ({lines}).") from exc  # fmt: skip
        try:
            return run.replay(steps, **kwargs)
        finally:
            run.close()

    def show(self, process_id: str, user_id: int, focus: str | None = None) -> PlayState:
        steps = self._steps(process_id, user_id)
        if steps is None:
            return PlayState(process_id, [], started=False)
        return self._run(process_id, steps, focus=focus)

    def start(self, process_id: str, user_id: int) -> PlayState:
        """Start over: a new instance of the draft in the sandbox, no steps yet."""
        state = self._run(process_id, [])
        self._keep(process_id, user_id, [])
        return state

    def stop(self, process_id: str, user_id: int) -> None:
        self._keep(process_id, user_id, None)

    def act(self, process_id: str, user_id: int, action: dict, posted=None) -> PlayState:
        """One more step: ``{"task": name, "documents": [file slots chosen]}`` with the form's
        ``posted`` fields, ``{"message":
        name}`` or ``{"timer": element}``. A refused form changes nothing: the state's page has
        the errors and what was typed."""
        steps = self._steps(process_id, user_id)
        if steps is None:
            raise Conflict("La prueba no está iniciada: pulse «Iniciar».")
        if len(steps) >= MAX_STEPS:
            raise Conflict(f"La prueba ya tiene {MAX_STEPS} pasos: guárdela o empiece de nuevo.")
        state = self._run(process_id, steps, action=action, posted=posted)
        if state.steps != steps:
            self._keep(process_id, user_id, state.steps)
        return state

    def options(self, process_id: str, user_id: int, task: str, name: str, filled: dict) -> list:
        """A field's options on the task the play waits at, as the inbox's page asks for them."""
        steps = self._steps(process_id, user_id)
        if steps is None:
            raise NotFound("La prueba no está iniciada.")
        return self._run(process_id, steps, focus=task, options_for=(name, filled)).options

    def save_scenario(self, process_id: str, user_id: int, name: str) -> dict:
        """The play so far as a scenario test of the process, run before every deploy of it.
        Raises FormInvalid (no name, a name taken), Conflict (nothing played, or the recorded
        path no longer applies)."""
        name = re.sub(r"\s+", " ", name or "").strip()
        if not name:
            raise FormInvalid({"nombre": ["Escriba un nombre para el escenario."]})
        if len(name) > NAME_MAX:
            raise FormInvalid({"nombre": [f"El nombre admite hasta {NAME_MAX} caracteres."]})
        steps = self._steps(process_id, user_id)
        if steps is None:
            raise Conflict("La prueba no está iniciada: pulse «Iniciar».")
        state = self._run(process_id, steps)
        if state.problem:
            raise Conflict(state.problem)
        scenario = scenario_of(state, name)
        try:
            with self.store.transaction() as session:
                session.add(ProcessScenario(process_id=process_id, name=name, scenario=scenario,
                                            created_by=user_id))  # fmt: skip
        except IntegrityError:
            raise FormInvalid({"nombre": ["Ya hay un escenario con ese nombre: elija otro."]}) from None
        return scenario

    def saved(self, process_ids) -> list[dict]:
        """The scenarios saved from plays of these processes."""
        with self.store.transaction() as session:
            rows = session.scalars(
                select(ProcessScenario).where(ProcessScenario.process_id.in_(list(process_ids)))
                .order_by(ProcessScenario.process_id, ProcessScenario.name)
            ).all()  # fmt: skip
            return [dict(row.scenario, name=row.name) for row in rows]

    def delete_scenario(self, process_id: str, name: str) -> None:
        with self.store.transaction() as session:
            row = session.scalar(select(ProcessScenario).where(
                ProcessScenario.process_id == process_id, ProcessScenario.name == name))  # fmt: skip
            if row is None:
                raise NotFound("No hay un escenario con ese nombre.")
            session.delete(row)

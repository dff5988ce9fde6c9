"""The Runner: the engine's whole vocabulary, a facade over its collaborators. Every public
method is one transaction.

Collaborators (each injectable, built from the others by default):
- ``store`` (``engine.store.Store``): sessions, transactions, row locks, built-once statements;
- ``version_cache`` (``engine.versions.VersionCache``): parsed specs per version, deploy;
- ``domain`` (``engine.registry.Domain``): services, form checks, option sources, email
  templates, the actor loader, document records — the deployment's business rules;
- ``steps`` (``engine.steps.StepPath``): the one path every change to an instance takes;
- ``drafts`` (``engine.drafts.Drafts``): analysts' unpublished changes, saved with optimistic
  concurrency and deployed with a reason.

Embeddings build the collaborators they want and pass them in::

    Runner(store=Store(session_factory), version_cache=..., domain=secop_domain(), config=config)

or, for short, ``Runner(session_factory, config, domain=secop_domain())`` /
``Runner.from_url(url, config, domain=secop_domain())``. Without a domain the engine runs
diagrams that name no services, checks, option sources, emails or documents.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from engine import actions
from engine import forms
from engine import heat
from engine import incidents
from engine import instances
from engine import metrics
from engine import operations
from engine import scenarios
from engine import uploads
from engine import workbench
from engine.actors import Actor
from engine.checker import check as check_diagrams
from engine.config import EngineConfig
from engine.context import CheckContext
from engine.db import make_engine
from engine.db import make_session_factory
from engine.db import utcnow
from engine.diagrams import DiagramSet
from engine.drafts import Drafts
from engine.errors import DomainError
from engine.errors import FormInvalid
from engine.errors import FormRejected
from engine.errors import NotFound
from engine.errors import StepFailed
from engine.inbox import Inbox
from engine.incidents import IncidentView
from engine.lanes import task_key
from engine.lanes import workable
from engine.metrics import Figures
from engine.models import HumanTask
from engine.models import Incident
from engine.models import InstanceEvent
from engine.models import ProcessInstance
from engine.models import ProcessVersion
from engine.operations import InstancePage
from engine.operations import MigrationCheck
from engine.play import Plays
from engine.procedures import Procedure
from engine.redact import redact
from engine.registry import Domain
from engine.steps import StepPath
from engine.store import Store
from engine.taskviews import task_view
from engine.versions import VersionCache
from engine.views import CompletionResult
from engine.views import InstanceView
from engine.views import MoveResult
from engine.views import RetryResult
from engine.views import StartResult
from engine.views import TaskSummary
from engine.views import TaskView


def _reason(reason: str | None) -> str:
    if not (reason or "").strip():
        raise FormInvalid({"reason": ["Indique el motivo."]})
    return reason.strip()


class Runner:
    """Start, list, claim, complete, message, time, cancel, retry and migrate process instances."""

    def __init__(
        self,
        session_factory: Callable[[], Session] | None = None,
        config: EngineConfig | None = None,
        domain: Domain | None = None,
        *,
        store: Store | None = None,
        version_cache: VersionCache | None = None,
    ):
        if (session_factory is None) == (store is None):
            raise TypeError("Runner needs a session factory or a store (one of them)")
        self.config = config or EngineConfig()
        self.domain = domain or Domain()
        self.store = store or Store(session_factory)
        self.version_cache = version_cache or VersionCache(self.store, self.domain, self.config)
        self.steps = StepPath(self.store, self.version_cache, self.domain, self.config)
        self.tasks = Inbox(self.store, self.domain, self.config)
        self.drafts = Drafts(self.store, self.version_cache, gate=self.scenario_gate)
        self.plays = Plays(self.store, self.version_cache, self.drafts, self._sandbox)

    @classmethod
    def from_url(
        cls, url: str, config: EngineConfig | None = None, domain: Domain | None = None, **engine_kwargs
    ) -> Runner:
        return cls(make_session_factory(make_engine(url, **engine_kwargs)), config, domain)

    @property
    def session_factory(self) -> Callable[[], Session]:
        return self.store.session_factory

    def transaction(self):
        """A transaction of the engine's store (tests and tools read rows through it)."""
        return self.store.transaction()

    scratch_dir: Path | None = None  # a sandbox's uploads, removed on close

    def close(self) -> None:
        """Release pooled database connections (and a sandbox's uploads)."""
        self.store.close()
        if self.scratch_dir is not None:
            shutil.rmtree(self.scratch_dir, ignore_errors=True)

    def create_schema(self) -> None:
        """Create every table (tests and the embedded demo; production runs migrations)."""
        self.store.create_schema()

    # ---- who is acting ------------------------------------------------------------------
    def actor_for_user(self, user_id: int | None, anonymous_tokens=()) -> Actor:
        """The actor for a logged-in user: its roles, as the domain's actor loader reads them."""
        if user_id is None:
            return Actor.anonymous(*anonymous_tokens)
        with self.transaction() as session:
            return self.domain.load_actor(session, user_id, anonymous_tokens)

    def _check_context(self, session, actor: Actor, instance_id: int | None = None) -> CheckContext:
        return CheckContext(session, actor, self.config, instance_id, self.domain)

    def task_options(self, actor: Actor, task_id: str, field: str, filled: dict | None = None):
        """The choices of ``field`` (``x-options``) on a task this actor may work, given the
        values ``filled`` in so far (municipality after department).

        Option lists are served only through a task that needs them: whoever may not work
        the task gets NotFound, and the source applies its own policy to the actor."""
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id)
            version_id = session.scalar(
                select(ProcessInstance.version_id).where(ProcessInstance.id == row.instance_id)
            )
            version = self.version_cache.get(session, version_id)
            schema_name, _ = version.form_names(version.task_spec(row.name))
            schema = version.forms.get(schema_name) if schema_name else None
            declared = forms.properties_of(schema or {})
            # Only the form's own fields, as text: nothing else reaches a source.
            known = {k: v for k, v in (filled or {}).items() if k in declared and isinstance(v, str)}
            check_ctx = self._check_context(session, actor, row.instance_id)
            lists = forms.FormOptions(schema or {}, check_ctx, known)
            if field not in lists:
                raise NotFound("Este campo no tiene lista de opciones.")
            return lists[field]

    # ---- steps: every change to an instance goes through self.steps ---------------------
    def start(self, process_id: str, actor: Actor, data: dict | None = None) -> StartResult:
        """Start the newest version of ``process_id`` and run it to its first wait."""
        actor, anonymous_token = _starting(actor)
        return self.steps.run(actions.Start(actor, process_id, data, anonymous_token))

    def complete_task(
        self, actor: Actor, task_id: str, posted, staged=None, refused=None
    ) -> CompletionResult:
        """Authorise, read, validate, run to the next wait and commit — or change nothing.

        ``posted`` is a browser post — the raw fields, a multi-dict — or, from the API, the
        JSON values. A browser post is read by the task's form (engine.formmodel) with
        ``staged`` (slot -> id of a document uploaded with it) and ``refused`` (slot -> why its
        upload was not accepted); when it is refused, FormRejected carries the page to draw
        again, read in the same transaction. JSON values are refused with FormInvalid (or the
        DomainError of a service function)."""
        step = actions.CompleteTask(actor, task_id, posted, staged, refused)
        try:
            return self.steps.run(step)
        except (DomainError, StepFailed) as exc:
            if not step.from_browser or step.parsed is None:
                raise
            # Refused while the engine ran (a NIT registered meanwhile), or the engine failed
            # (recorded on the instance): the step changed nothing, its failed statement may
            # have aborted the transaction, so the page with what was typed is read in a new one.
            failed = isinstance(exc, StepFailed)
            errors = {"": [exc.message]} if failed else {exc.field or "": [exc.message]}
            with self.transaction() as session:
                page = self._task_view(session, actor, task_id, step.parsed, errors)
            raise FormRejected(errors, page, step_failed=failed) from exc

    def deliver_message(
        self, name: str, correlation_value: str, payload: dict | None = None, actor: Actor | None = None
    ) -> int:
        """Deliver message ``name`` to the instance waiting for it with this correlation value."""
        return self.steps.run(
            actions.DeliverMessage(actor or Actor.system(), name, correlation_value, payload)
        )

    def fire_due_timers(self, now=None, limit: int = 100) -> int:
        """Advance every instance whose earliest timer is due. Returns how many moved."""
        now = now or utcnow()
        with self.transaction() as session:
            due = session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= now)
                .order_by(ProcessInstance.next_timer_at).limit(limit)
            ).all()  # fmt: skip
        fired = 0
        for instance_id in due:
            try:
                fired += self.steps.run(actions.FireTimer(instance_id, now))
            except StepFailed:
                continue  # recorded on the instance; the other due instances still fire
        return fired

    def cancel(self, actor: Actor, instance_id: int, reason: str) -> None:
        """Cancel a running instance; the reason is required and audited."""
        self.steps.run(actions.Cancel(actor, instance_id, _reason(reason)))

    def discard(self, actor: Actor, task_id: str) -> None:
        """The owner gives up an unfinished procedure from one of its tasks (issue 13.8): the
        instance is cancelled and what it staged is deleted. NotFound for anyone else's task
        and for tasks outside the owner's lane."""
        self.steps.run(actions.Discard(actor, task_id))

    def retry(self, actor: Actor, instance_id: int, reason: str) -> RetryResult:
        """Run the element a failed instance stopped at again (after its data was fixed or it
        was migrated to a fixed version) and the engine to its next wait. A retry that fails
        again at an element updates the incident and answers so; one the engine cannot stop
        at raises StepFailed (recorded on the instance)."""
        return self.steps.run(actions.Retry(actor, instance_id, _reason(reason)))

    # ---- repair (engine.actions): each audited with who, when, why, before and after ------
    def edit_variables(self, actor: Actor, instance_id: int, variables, reason: str) -> None:
        """Replace the variables of a running or failed instance with ``variables`` (a JSON
        object, or its text: refused with FormInvalid when it is not valid JSON)."""
        if isinstance(variables, str):
            variables = actions.parse_variables(variables)
        self.steps.run(actions.EditVariables(actor, instance_id, variables, _reason(reason)))

    def suspend(self, actor: Actor, instance_id: int, reason: str) -> None:
        """Hold a running instance: no task completes, no timer fires, no message arrives."""
        self.steps.run(actions.Suspend(actor, instance_id, _reason(reason)))

    def resume(self, actor: Actor, instance_id: int, reason: str) -> None:
        self.steps.run(actions.Resume(actor, instance_id, _reason(reason)))

    def skip(self, actor: Actor, instance_id: int, reason: str, element_id: str | None = None) -> RetryResult:
        """Mark the failed element (or ``element_id``, where a token waits) done without
        running it; the engine goes on from there."""
        return self.steps.run(actions.Skip(actor, instance_id, _reason(reason), element_id))

    def move_token(self, actor: Actor, instance_id: int, reason: str, source: str | None, target: str,
                   dry_run: bool = False) -> MoveResult:  # fmt: skip
        """Take the token off ``source`` (where it waits or failed; None: the failed or only
        one) and put it on ``target``; ``dry_run`` answers the resulting state, writes nothing."""
        return self.steps.run(actions.MoveToken(actor, instance_id, _reason(reason), source, target, dry_run))

    # ---- incidents ------------------------------------------------------------------------
    def incidents(self, status: str | None = incidents.OPEN, process_id=None, element_id=None, age=None,
                  text=None, limit: int = 200) -> list[IncidentView]:  # fmt: skip
        """Incidents (engine.incidents), oldest first, filtered by process, element, age, words."""
        with self.transaction() as session:
            return incidents.listing(session, status, process_id, element_id, age, text, utcnow(), limit)

    def incident(self, incident_id: int) -> IncidentView:
        with self.transaction() as session:
            row = session.get(Incident, incident_id)
            if row is None:
                raise NotFound("El incidente no existe.")
            return IncidentView.of(row)

    def instance_incidents(self, instance_id: int) -> list[IncidentView]:
        """Every incident of one instance, newest first."""
        with self.transaction() as session:
            return incidents.of_instance(session, instance_id)

    def open_incident_count(self) -> int:
        with self.transaction() as session:
            return sum(incidents.open_counts(session).values())

    def check_migration(
        self, instance_ids: list[int], target_version_id: int | None = None
    ) -> list[MigrationCheck]:
        """Dry run: which instances can move to the newest (or given) version, and why not."""
        return [self.steps.run(actions.Migrate(Actor.system(), instance_id, target_version_id, dry_run=True))
                for instance_id in instance_ids]  # fmt: skip

    def migrate(self, actor: Actor, instance_ids: list[int], reason: str,
                target_version_id: int | None = None) -> list[MigrationCheck]:  # fmt: skip
        """Move running instances to the newest version; those that cannot move stay as they are."""
        reason = _reason(reason)
        moves = [actions.Migrate(actor, i, target_version_id, False, reason) for i in instance_ids]
        return [self.steps.run(move) for move in moves]

    # ---- tasks ----------------------------------------------------------------------------
    def inbox(
        self,
        actor: Actor,
        instance_id: int | None = None,
        process_id: str | None = None,
        role: str | None = None,
        account_id: int | None = None,
        limit: int = 200,
        due: str | None = None,
        order: str | None = None,
    ) -> list[TaskSummary]:
        """Ready tasks this actor may work, oldest first (``order="vence"``: soonest due
        first); ``due`` keeps the overdue ("vencidas"), due within a week ("proximas") or
        undated ("sin_fecha") ones (engine.inbox)."""
        return self.tasks.tasks(actor, instance_id, process_id, role, account_id, due, order, limit)

    def _task_row(self, session, actor: Actor, task_id: str, for_update=False) -> HumanTask:
        return workable(actor, self.store.task(session, task_key(task_id), for_update))

    def task(self, actor: Actor, task_id: str) -> TaskView:
        """Everything needed to draw a task's page (engine.taskviews), in one transaction."""
        with self.transaction() as session:
            return self._task_view(session, actor, task_id)

    def _task_view(self, session, actor: Actor, task_id: str, data=None, errors=None) -> TaskView:
        found, instance = self.store.task_and_instance(session, task_key(task_id))
        row = workable(actor, found)  # the task and its instance in one statement
        version, task_spec, task_data = self.steps.ready_task(session, instance, row.id)
        check_ctx = self._check_context(session, actor, instance.id)
        return task_view(check_ctx, row, version, task_spec, task_data, data, errors)

    def claim(self, actor: Actor, task_id: str) -> TaskSummary:
        """Take a shared task so colleagues see it is being worked."""
        return self.tasks.claim(actor, task_id)

    def release(self, actor: Actor, task_id: str) -> TaskSummary:
        """Give a task one holds back to its queue."""
        return self.tasks.release(actor, task_id)

    def reassign(self, actor: Actor, task_id: str, user_id: int | None, reason: str | None = None):
        """Hand a task to another person: its holder delegates, a supervisor reassigns (engine.inbox)."""
        return self.tasks.reassign(actor, task_id, user_id, reason)

    def unclaim(self, actor: Actor, task_id: str, reason: str | None) -> TaskSummary:
        """A supervisor takes a task back from whoever holds it; the reason is audited."""
        return self.tasks.unclaim(actor, task_id, reason)

    def supervised_tasks(self, actor: Actor, process_id=None, due=None, order=None, limit=200):
        """Ready tasks of the queues this actor supervises, whoever holds them."""
        return self.tasks.supervised(actor, process_id, due, order, limit)

    def unworkable_tasks(self, actor: Actor, limit: int = 200) -> list[TaskSummary]:
        """Ready tasks nobody may work, for platform supervisors (empty for anyone else)."""
        return self.tasks.unworkable(actor, limit)

    def supervised_task(self, actor: Actor, task_id: str) -> TaskSummary:
        """A task of a queue this actor supervises (NotFound otherwise)."""
        return self.tasks.supervised_task(actor, task_id)

    def task_candidates(self, actor: Actor, task_id: str, limit: int = 200):
        """Who this actor may hand the task to (engine.people.Person), by name."""
        return self.tasks.candidates(actor, task_id, limit)

    def escalate_overdue(self, now=None, limit: int = 100) -> int:
        """Email the supervisors of each shared queue about its newly overdue tasks (the worker)."""
        return self.tasks.escalate_overdue(now, limit)

    def figures(self, now=None) -> Figures:
        """The operators' figures (engine.metrics), read from the database now."""
        with self.transaction() as session:
            return metrics.figures(session, now or utcnow())

    def stage_document(self, actor: Actor, task_id: str, field: str, filename: str, content: bytes) -> dict:
        """Check and keep an upload for a file slot of a task the actor may work ("Anexar").

        The document is only *staged*: the form that names it must still be submitted.
        """
        with self.transaction() as session:
            row = self._task_row(session, actor, task_id)
            instance = session.get(ProcessInstance, row.instance_id)
            version = self.version_cache.get(session, instance.version_id)
            schema = version.forms.get(row.form_schema or "", {})
            slot = forms.properties_of(schema).get(field, {})
            if slot.get("format") != "document" or self.domain.documents is None:
                raise NotFound("Este formulario no tiene ese documento.")
            name, content_type = uploads.check_upload(filename, content, self.config.max_upload_bytes)
            counts = self.domain.documents.staged_counts(session, instance.id, actor.user_id)
            uploads.check_quota(*counts, self.config)
            stored_name, sha256 = uploads.store(self.config.upload_dir, content)
            public_id = self.domain.documents.stage(
                session, instance_id=instance.id, slot=field, original_filename=name, stored_name=stored_name,
                content_type=content_type, size=len(content), sha256=sha256, uploaded_by=actor.user_id,
            )  # fmt: skip
            data = {"slot": field, "filename": name, "sha256": sha256, "size": len(content)}
            session.add(_task_event(row, actor, "document_staged", data))
            return {"id": public_id, "filename": name, "content_type": content_type,
                    "size": len(content), "sha256": sha256}  # fmt: skip

    def expire_staged_uploads(self, now=None) -> int:
        """Delete uploads staged longer ago than ``config.staged_upload_ttl`` and never sent
        (rows, then files); the worker calls it. Returns how many."""
        return uploads.expire_staged(self.transaction, self.domain.documents, self.config, now)

    # ---- instances, for operators ---------------------------------------------------------
    def instance(self, instance_id: int) -> InstanceView:
        """An instance as operators see it (callers decide who may see it)."""
        with self.transaction() as session:
            instance = self.store.instance(session, instance_id)
            _version, workflow = self.steps.load(session, instance)
            tasks = session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
            ).all()
            events = session.scalars(
                select(InstanceEvent)
                .where(InstanceEvent.instance_id == instance_id)
                .order_by(InstanceEvent.id)
            ).all()
            data = instances.current_data(workflow)
            return InstanceView(
                id=instance.id, process_id=instance.process_id, version_id=instance.version_id,
                status=instance.status, data=redact(dict(data)), created_at=instance.created_at,
                updated_at=instance.updated_at, error_message=instance.error_message,
                tasks=[TaskSummary.of(t) for t in tasks],
                events=[{"at": e.at, "actor": e.actor, "kind": e.kind, "element_id": e.element_id,
                         "data": e.data} for e in events],
            )  # fmt: skip

    def list_instances(self, process_id=None, version_id=None, status=None, account_id=None,
                       started_from=None, started_to=None, waiting_role=None, sort="-created_at",
                       page=1, per_page=50) -> InstancePage:  # fmt: skip
        """Instances matching the filters, sorted and paginated, from index columns only."""
        with self.transaction() as session:
            return operations.list_instances(
                session, process_id, version_id, status, account_id, started_from, started_to,
                waiting_role, sort, page, per_page,
            )  # fmt: skip

    def called_processes(self, instance_id: int) -> list[operations.CalledProcess]:
        """The call activities the instance entered: the called process, its state and the
        tasks waiting inside it (engine.operations.CalledProcess)."""
        with self.transaction() as session:
            instance = self.store.instance(session, instance_id)
            _version, workflow = self.steps.load(session, instance)
            return operations.called_processes(workflow)

    def waiting_tasks(self, instance_ids) -> dict[int, list[str]]:
        """instance id -> titles of the tasks it waits on, for a list of instances."""
        with self.transaction() as session:
            return operations.waiting_tasks(session, instance_ids)

    def element_states(self, instance_id: int) -> dict[str, str]:
        """bpmn id -> completed | active | failed, for colouring the instance's diagram."""
        with self.transaction() as session:
            instance = self.store.instance(session, instance_id)
            _version, workflow = self.steps.load(session, instance)
            return operations.element_states(session, instance, workflow)

    def heatmap(self, process_id: str, since=None, until=None):
        """bpmn id -> (instances that passed, median seconds spent there) over the period."""
        with self.transaction() as session:
            long_tail = heat.tail_is_long(session)
        if long_tail:  # the worker is behind (or not running): fold now, keep the read bounded
            self.fold_heatmap()
        with self.transaction() as session:
            return heat.heatmap(session, process_id, since, until)

    def fold_heatmap(self, now=None, batches: int | None = None) -> int:
        """Fold the settled element visits past the mark into the heatmap's rollup, one
        batch (``heat.BATCH`` visits) per transaction, all of them or at most ``batches``
        (the worker folds one per round, so timers never wait for a long fold). Returns
        how many visits were folded."""
        folded = done = 0
        while batches is None or done < batches:
            with self.transaction() as session:
                batch = heat.fold(session, now)
            if not batch:
                break
            folded += batch
            done += 1
        return folded

    # ---- versions -------------------------------------------------------------------------
    def deploy(self, diagrams: DiagramSet | None = None, deployed_by: int | None = None,
               scenarios: bool = False, **options) -> list[ProcessVersion]:  # fmt: skip
        """Check the set (default: the configured directories) and store a new version of
        every process whose files changed. Raises DiagramInvalid with the checker's problems;
        ``scenarios``: the changed processes' scenario tests run first (ScenariosFailed);
        ``options`` (origin, comment, force, new_processes, planned): ``VersionCache.deploy``."""
        gate = self.scenario_gate if scenarios else None
        return self.version_cache.deploy(diagrams, deployed_by, gate=gate, **options)

    def scenario_gate(self, diagrams: DiagramSet, planned) -> list:
        """The scenario tests (``<workflows>/scenarios`` and those saved from plays) of the
        processes ``planned`` changes, each on a sandbox runner of ``diagrams``; raises
        ScenariosFailed when one fails."""
        changed = [item.draft.process_id for item in planned]
        folder = Path(self.config.workflows_dir)
        return scenarios.gate(diagrams, changed, folder, self._sandbox, saved=self.plays.saved(changed))

    def _sandbox(self) -> Runner:
        return sandbox_runner(self.config, self.domain)

    def plan_deploy(self, diagrams: DiagramSet | None = None):
        """What a deploy of the set would change, process by process (``PlannedVersion``)."""
        return self.version_cache.plan(diagrams)

    def restore_version(self, version_id: int, deployed_by: int | None = None) -> ProcessVersion | None:
        """An earlier version's files as the newest version (None: they already are)."""
        return self.version_cache.restore(version_id, deployed_by)

    def current_diagrams(self) -> DiagramSet:
        return self.version_cache.current_diagrams()

    # ---- procedures: what each deployed process declares for the pages (engine.procedures)
    def procedures(self) -> list[Procedure]:
        """Every deployed process's metadata, as its newest version declares it."""
        with self.transaction() as session:
            return [version.procedure for version in self.version_cache.newest_all(session)]

    def procedure(self, process_id: str) -> Procedure:
        """One process's metadata (its newest version), or NotFound."""
        with self.transaction() as session:
            return self.version_cache.newest(session, process_id).procedure

    def startable(self, actor: Actor, account_id: int | None = None) -> list[Procedure]:
        """The procedures ``actor`` may start by hand (for ``account_id``), by display name.
        Without ``account_id``, those started for an account are listed for anyone who holds
        the role in some account."""
        found = []
        for procedure in self.procedures():
            if procedure.for_account and account_id is None:
                if procedure.starter_role in actor.account_roles.values() and actor.user_id is not None:
                    found.append(procedure)
            elif procedure.may_start(actor, account_id):
                found.append(procedure)
        return sorted(found, key=lambda p: p.start_label)

    def start_by_hand(self, process_id: str, actor: Actor, account_id: int | None = None) -> StartResult:
        """Start a procedure as a person does from a page: only one its ``startableBy`` lets
        this actor start. NotFound when it is not one this kind of actor starts (or not
        deployed); for one started for an account, FormInvalid without ``account_id`` and
        NotAuthorized without the role there. Its data gets ``account_id``.

        A person who already has one of this procedure unfinished, waiting on a task of their
        own, is taken back to that task instead (``resumed``): starting twice, even twice at
        once, leaves no duplicate or orphan task (issue 13.9). One transaction
        (``actions.StartByHand``)."""
        actor, anonymous_token = _starting(actor)
        return self.steps.run(actions.StartByHand(actor, process_id, account_id, anonymous_token))

    def waiting_roles(self) -> dict[str, str]:
        """role -> lane name of every lane of a role (lanes.json of the deployed versions)."""
        roles: dict[str, str] = {}
        with self.transaction() as session:
            for version in self.version_cache.newest_all(session):
                for lane, rule in version.lanes.items():
                    if rule.get("role"):
                        roles.setdefault(rule["role"], lane)
        return roles

    def document_labels(self) -> dict[str, str]:
        """file slot -> title of the form field that asks for it, over every deployed process."""
        labels: dict[str, str] = {}
        for procedure in self.procedures():
            for slot, title in procedure.documents.items():
                labels.setdefault(slot, title)
        return labels

    def deployed_diagrams(self) -> DiagramSet:
        """The files of every process's newest version: what an analyst's change applies to."""
        return self.version_cache.deployed_diagrams()

    def latest_versions(self) -> list[ProcessVersion]:
        return self.version_cache.latest_rows()

    def versions(self, process_id: str) -> list[tuple[ProcessVersion, int]]:
        """Every version of a process, newest first, with its number of instances."""
        with self.transaction() as session:
            return operations.versions_of(session, process_id)

    def version(self, version_id: int) -> ProcessVersion:
        with self.transaction() as session:
            row = session.get(ProcessVersion, version_id)
            if row is None:
                raise NotFound("La versión no existe.")
            return row

    # ---- the analysts' workbench (engine/workbench.py) ---------------------------------------
    def try_form(self, actor: Actor, name: str, schema, uischema, posted=None) -> workbench.FormTrial:
        """Form ``name`` drawn from an analyst's schemas, or ``posted`` sample values validated."""
        with self.transaction() as session:
            return workbench.try_form(self._check_context(session, actor), name, schema, uischema, posted)

    def try_decision(self, name: str, xml: bytes, values: dict) -> workbench.DecisionTrial:
        """Decision table ``name`` (DMN ``xml``) evaluated on sample ``values``, nothing stored."""
        return workbench.try_decision(self.domain, name, xml, values)

    def check(self, diagrams: DiagramSet) -> list:
        """The checker's problems with a diagram set, nothing deployed (the modeler asks as
        the analyst edits)."""
        return check_diagrams(diagrams, self.domain)

    def workbench_catalog(self) -> dict:
        """The registered service functions (with their parameters), checks and option sources."""
        return workbench.catalog(self.domain)


def _starting(actor: Actor) -> tuple[Actor, str | None]:
    """Who starts an instance, and the token an anonymous starter gets to come back to it."""
    anonymous_token = None if actor.user_id or actor.is_system else secrets.token_urlsafe(32)
    if anonymous_token:
        actor = Actor.anonymous(*actor.anonymous_tokens, anonymous_token)
    return actor, anonymous_token


def _task_event(row: HumanTask, actor: Actor, kind: str, data: dict | None = None) -> InstanceEvent:
    return InstanceEvent(instance_id=row.instance_id, actor=actor.label, user_id=actor.user_id, kind=kind,
                         element_id=row.name, task_id=row.id, data=data)  # fmt: skip


def sandbox_runner(config: EngineConfig, domain: Domain) -> Runner:
    """A runner on a private in-memory database, its uploads in a temporary folder removed on
    ``close()``: nothing it does touches real data (the scenario tests run there)."""
    scratch = Path(tempfile.mkdtemp(prefix="sandbox-uploads-"))
    config = dataclasses.replace(config, upload_dir=scratch)
    runner = Runner.from_url("sqlite://", config, domain, poolclass=StaticPool,
                             connect_args={"check_same_thread": False})  # fmt: skip
    runner.scratch_dir = scratch
    return runner

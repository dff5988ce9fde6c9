"""What the pages need to know about a procedure, declared with its process in the BPMN file
(docs/diagrams.md, "Procedure properties") and read from the files of a deployed version, so
it changes only with a new version:

- the display name: the process's ``name``;
- who may start it by hand (process property ``startableBy``): ``anonymous``, ``user`` (any
  logged-in person), ``platform:<role>`` (holders of a platform role) or ``account:<role>``
  (holders of that role in the account the start names; its id goes to ``account_id``);
- the pages that offer a person's start (``startOn``, from ``START_PLACES``: ``inicio``, the
  start page of a person without an account, the default; ``mis_registros``, the "Nuevo
  registro" of the person's access requests) and the account flag that hides an account
  procedure's start once it is true
  (``hiddenWhenAccount``, e.g. ``mixed_profile``: the Perfil Mixto is asked for once);
- the start button's text (``startLabel``), what the start page says of it
  (``startDescription``, Markdown as the instructions, without placeholders) and what the
  person is told when the procedure ends (``endMessage``);
- per user task (SpiffWorkflow task properties, as the parser exposes them): what the
  person is told once it is done (``doneMessage``) and what the task is about in the inbox
  (``inboxSubject``, filled when the task becomes ready and kept in the task's index row);
- the documents it asks for: the title of every ``format: document`` field of its forms;
- its lanes' roles, from lanes.json.

Messages are plain-text templates over the instance data (``{{ support_case['number'] }}``),
with the instructions' allow-list (``engine.instructions.template_problem``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from lxml import etree

from engine.actors import Actor

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiff": SPIFF}

PROCESS_PROPERTIES = (
    "startableBy", "startLabel", "startDescription", "endMessage", "startOn", "hiddenWhenAccount"
)  # fmt: skip
TASK_PROPERTIES = ("doneMessage", "inboxSubject")
MESSAGE_PROPERTIES = ("endMessage", "doneMessage", "inboxSubject")  # templates over the data
STARTERS = ("anonymous", "user")
STARTER_KINDS = ("platform", "account")
ACCOUNT_VARIABLE = "account_id"
HOME = "inicio"  # the start page of a person without an account (the guide's section 3)
START_PLACES = (HOME, "mis_registros")  # pages a person's procedure may be offered on


@dataclass(frozen=True)
class Procedure:
    process_id: str
    name: str
    startable_by: str | None = None  # see the module's docstring; None: only called or by services
    start_label: str = ""
    start_description: str = ""  # Markdown
    end_message: str | None = None
    done_messages: Mapping[str, str] = field(default_factory=dict)  # user task id -> template
    documents: Mapping[str, str] = field(default_factory=dict)  # file slot -> its form's title
    start_on: tuple[str, ...] = ()  # START_PLACES; empty: the start page only
    hidden_when_account: str | None = None  # an account attribute: true hides the start

    def offered_on(self, place: str) -> bool:
        """Whether the page ``place`` offers this procedure's start: the pages ``startOn``
        names or, without it, the start page."""
        return place in (self.start_on or (HOME,))

    def offered_for(self, account) -> bool:
        """Whether a page offers this procedure's start for ``account`` (``hiddenWhenAccount``)."""
        flag = self.hidden_when_account
        return not (flag and account is not None and getattr(account, flag, False))

    @property
    def for_account(self) -> bool:
        """Started for one account, whose id the start must name."""
        return (self.startable_by or "").startswith("account:")

    @property
    def starter_role(self) -> str | None:
        kind, _, role = (self.startable_by or "").partition(":")
        return role if kind in STARTER_KINDS else None

    def may_start(self, actor: Actor, account_id: int | None = None) -> bool:
        """Whether ``actor`` may start this procedure by hand (for ``account_id``)."""
        who = self.startable_by
        if who is None or actor.is_system:
            return False
        if who == "anonymous":
            return actor.user_id is None
        if actor.user_id is None:
            return False
        if who == "user":
            return True
        if who.startswith("platform:"):
            return self.starter_role in actor.platform_roles
        return account_id is not None and actor.account_roles.get(account_id) == self.starter_role


def starter_problem(value: str) -> str | None:
    """Why a ``startableBy`` value is not understood (Spanish), or None."""
    if value in STARTERS:
        return None
    kind, _, role = value.partition(":")
    if kind in STARTER_KINDS and role.strip():
        return None
    return (
        f"startableBy desconocido {value!r} "
        "(anonymous | user | platform:<rol de la plataforma> | account:<rol en la cuenta>)"
    )


def start_on_problem(value: str) -> str | None:
    """Why a ``startOn`` value is not understood (Spanish), or None."""
    unknown = [place for place in value.split() if place not in START_PLACES]
    if not unknown:
        return None
    return f"startOn desconocido {' '.join(unknown)!r} ({' | '.join(START_PLACES)}, separados por espacios)"


def hidden_when_problem(value: str) -> str | None:
    if value.isidentifier():
        return None
    return f"hiddenWhenAccount debe nombrar un atributo de la cuenta (p. ej. mixed_profile), no {value!r}"


def process_properties(process) -> dict[str, str]:
    """The ``spiffworkflow:property`` elements of a ``bpmn:process`` element itself (not of
    its tasks)."""
    return {
        p.get("name"): p.get("value") or ""
        for p in process.iterfind("bpmn:extensionElements/spiff:properties/spiff:property", NS)
    }


def task_properties(task) -> dict[str, str]:
    return {
        p.get("name"): p.get("value") or ""
        for p in task.iterfind("bpmn:extensionElements/spiff:properties/spiff:property", NS)
    }


def document_titles(schema) -> dict[str, str]:
    """slot -> title of every ``format: document`` property of a form's schema."""
    titles: dict[str, str] = {}
    if not isinstance(schema, dict):
        return titles
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get("format") == "document":
            titles[name] = prop.get("title") or name
    for key in ("then", "else"):
        titles.update(document_titles(schema.get(key)))
    for sub in schema.get("allOf") or []:
        titles.update(document_titles(sub))
    return titles


def read_procedures(bpmn_files: Mapping[str, bytes | str], forms: Mapping[str, dict]) -> dict[str, Procedure]:
    """Every process declared in these BPMN files, by id (``forms``: parsed schemas by file name)."""
    found = {}
    for data in bpmn_files.values():
        root = etree.fromstring(data.encode() if isinstance(data, str) else data)
        for process in root.iterfind("bpmn:process", NS):
            found[process.get("id")] = _procedure(process, forms)
    return found


def _procedure(process, forms) -> Procedure:
    properties = process_properties(process)
    done, documents = {}, {}
    for task in process.iter(f"{{{BPMN}}}userTask"):
        task_props = task_properties(task)
        if task_props.get("doneMessage"):
            done[task.get("id")] = task_props["doneMessage"]
        documents.update(document_titles(forms.get(task_props.get("formJsonSchemaFilename") or "")))
    name = (process.get("name") or "").strip() or process.get("id")
    return Procedure(
        process_id=process.get("id"),
        name=name,
        startable_by=properties.get("startableBy") or None,
        start_label=properties.get("startLabel") or name,
        start_description=properties.get("startDescription") or "",
        end_message=properties.get("endMessage") or None,
        done_messages=done,
        documents=documents,
        start_on=tuple((properties.get("startOn") or "").split()),
        hidden_when_account=properties.get("hiddenWhenAccount") or None,
    )

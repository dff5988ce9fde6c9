"""The small vocabulary the procedure definitions are written in."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass
class Node:
    id: str
    kind: str  # start end userTask serviceTask scriptTask businessRuleTask callActivity
    #           exclusiveGateway receiveTask catch boundary
    name: str
    lane: str = ""
    col: float = 0
    row: int = 0
    doc: str | None = None
    # userTask
    form: str | None = None
    instructions: str | None = None
    due_in_days: int | None = None
    # serviceTask
    operator: str | None = None
    result: str | None = None
    params: list[tuple[str, str]] = field(default_factory=list)
    # scriptTask
    script: str | None = None
    # businessRuleTask
    decision: str | None = None
    # callActivity
    called: str | None = None
    # receiveTask / catch / boundary (message)
    message: str | None = None  # id of a Message
    message_variable: str | None = None
    correlation: tuple[str, str] | None = None  # (correlation property id, task-data expression)
    # boundary
    attached_to: str | None = None
    timer: str | None = None  # duration expression
    boundary_slot: int = 0
    # gateway
    default: str | None = None


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    route: str = "auto"


@dataclass
class Message:
    id: str
    name: str
    correlation_property: str  # id of the bpmn:correlationProperty
    retrieval: str  # expression over the payload


@dataclass
class Procedure:
    process_id: str
    name: str
    doc: str
    lanes: list[tuple[str, str, int]]  # (lane id, lane name, rows)
    nodes: list[Node]
    flows: list[Flow]
    messages: list[Message] = field(default_factory=list)
    correlation_key: str | None = None
    columns: int = 10

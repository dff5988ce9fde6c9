"""Every engine run has a budget, so no diagram can stall the server.

A step (``engine.steps``) runs the engine under a ``Budget``: at most ``engine_steps`` task
runs in one advance, at most ``step_seconds`` of wall time, and bounded values — every
string, collection and integer a script, expression or service function produces, the
instance state as stored, and a task's rendered instructions. Going over any limit raises
``LimitExceeded`` with a Spanish message; the step path turns it into a failed step
(status ``error``, recorded like any other failure) instead of a hang.

The limits are ``EngineConfig.limits`` (``Limits``; see docs/engine-api.md for the table).
"""

from __future__ import annotations

import contextvars
import math
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How much one step may do. The defaults leave the SECOP procedures (tens of engine steps,
    values of a few kilobytes, states of tens of kilobytes) two orders of magnitude of room."""

    engine_steps: int = 1000  # task runs in one advance (loops, multi-instance children)
    step_seconds: float = 10.0  # wall time of the engine's work in one step
    text_length: int = 100_000  # characters of one string
    items: int = 10_000  # elements of one list, tuple, set or dict
    value_size: int = 1_000_000  # one value, nested, as stored: characters + elements
    int_bits: int = 4096  # one integer (repeated squaring stops here)
    state_chars: int = 5_000_000  # the instance state as stored (JSON)
    instructions_chars: int = 50_000  # one task's instructions, rendered
    format_width: int = 100  # widths and precisions in f-strings and % formats


class LimitExceeded(Exception):  # noqa: N818  (the budget's own word)
    """A step went over its budget; ``message`` says which limit, in Spanish."""

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.element_id = element_id


class Budget:
    """The running count of one step against its ``Limits``."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic, timed: bool = True):
        self.limits = limits
        self.clock = clock
        self.deadline = clock() + limits.step_seconds if timed else math.inf
        self.steps = 0

    def tick(self, task=None) -> None:
        """Before every task the engine runs (``do_engine_steps(will_complete_task=...)``)."""
        self.steps += 1
        element = getattr(task.task_spec, "bpmn_id", None) if task is not None else None
        if self.steps > self.limits.engine_steps:
            raise LimitExceeded(
                f"El trámite dio más de {self.limits.engine_steps} pasos automáticos seguidos sin "
                "esperar a nadie; revise los ciclos del diagrama.",
                element,
            )
        self.check_time(element)

    def check_time(self, element_id: str | None = None) -> None:
        if self.clock() > self.deadline:
            raise LimitExceeded(
                f"El paso superó su tiempo máximo de {self.limits.step_seconds:g} segundos y se detuvo.",
                element_id,
            )

    def check_value(self, value) -> None:
        measure(value, self.limits)


def check_text(length: int, limits: Limits) -> None:
    if length > limits.text_length:
        raise LimitExceeded(f"Un texto del trámite supera el máximo de {limits.text_length} caracteres.")


def check_items(count: int, limits: Limits) -> None:
    if count > limits.items:
        raise LimitExceeded(f"Una lista del trámite supera el máximo de {limits.items} elementos.")


def check_bits(bits: int, limits: Limits) -> None:
    if bits > limits.int_bits:
        raise LimitExceeded("Un número del trámite supera el tamaño máximo permitido.")


def check_size(size: int, limits: Limits) -> None:
    if size > limits.value_size:
        raise LimitExceeded(f"Un dato del trámite supera el tamaño máximo permitido ({limits.value_size}).")


def measure(value, limits: Limits) -> int:
    """The size of ``value`` as it would be stored — characters of strings plus elements of
    containers, nested, a shared object counted each time it appears — or LimitExceeded once
    any limit is passed. Stops as soon as it is, so a huge value costs no more than the limit."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            size = len(item)
            check_text(size, limits)
        elif isinstance(item, bool | float) or item is None:
            size = 1
        elif isinstance(item, int):
            check_bits(item.bit_length(), limits)
            size = 1
        elif isinstance(item, Mapping):
            size = len(item)
            check_items(size, limits)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            size = len(item)
            check_items(size, limits)
            stack.extend(item)
        else:
            size = 1
        total += size
        check_size(total, limits)
    return total


current_budget: contextvars.ContextVar[Budget] = contextvars.ContextVar("current_budget")
_UNTIMED = Budget(Limits(), timed=False)


def budget() -> Budget:
    """The running step's budget; outside a step, the default limits without a deadline."""
    return current_budget.get(_UNTIMED)

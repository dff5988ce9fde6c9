"""The only Python a diagram may contain, and the script engine that runs it.

SpiffWorkflow evaluates scripts with plain ``exec``: no sandbox. Whoever can deploy a diagram
could run anything on the server, so every script and expression is parsed and walked at
deploy time (and again, cached, before it runs) against a small allow-list.

Nor may a diagram stall the server: what evidently builds a huge value (a text repeated a
million times, a format a billion characters wide) is refused at deploy, and what runs is
compiled with guards — ``+``, ``*``, ``%`` and every value a script assigns, an expression
yields or an f-string prints are checked against the running step's budget
(``engine.budget``) before they can grow past it.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from engine.budget import LimitExceeded
from engine.budget import Limits
from engine.budget import budget
from engine.budget import check_bits
from engine.budget import check_items
from engine.budget import check_size
from engine.budget import check_text
from engine.budget import measure
from engine.context import current_step
from engine.errors import DomainError

# Pure helpers scripts and conditions may call besides the domain's services.
SAFE_BUILTINS: dict[str, Callable] = {
    "len": len,
    "str": str,
    "int": int,
    "bool": bool,
    "min": min,
    "max": max,
    "sorted": sorted,
}

_ALLOWED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.Pass,
    ast.Name, ast.Load, ast.Store, ast.Constant,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript, ast.Slice,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp, ast.Call, ast.keyword,
    ast.JoinedStr, ast.FormattedValue,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)  # fmt: skip

_CONSTANT_NAMES = {"True", "False", "None"}
_FORBIDDEN_BUILTINS = set(dir(builtins)) - set(SAFE_BUILTINS) - _CONSTANT_NAMES


class ExpressionRefused(ValueError):
    """Spanish explanation of why a script or expression is not allowed."""


def check_source(source: str, mode: str = "exec", services: Collection[str] = ()) -> None:
    """Raise ExpressionRefused unless ``source`` parses and stays inside the allow-list; calls
    may name the safe builtins and ``services`` (the domain's)."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ExpressionRefused(f"no es Python válido: {exc.msg} (línea {exc.lineno})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionRefused(f"construcción no permitida: {type(node).__name__}")
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionRefused(f"nombre no permitido: {node.id}")
            if node.id in _FORBIDDEN_BUILTINS and node.id not in services:
                raise ExpressionRefused(f"función no permitida: {node.id}")
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(isinstance(target, ast.Name) for target in targets):
                raise ExpressionRefused("solo se puede asignar a variables simples")
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name is None or (name not in services and name not in SAFE_BUILTINS):
                raise ExpressionRefused(
                    f"llamada a una función no registrada: {name or ast.unparse(node.func)}"
                )
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 10_000:
            raise ExpressionRefused("texto literal demasiado largo")
        _check_growth(node, Limits.format_width)


# ---- deploy-time refusals of what can blow up ----------------------------------------------

MAX_LITERAL_REPEAT = 100  # "ab" * 3 reads fine; a text or list repeated more is refused at deploy
_FORMAT_SPEC = re.compile(
    r"^(?:.?[<>=^])?[+\- ]?z?#?0?(?P<width>\d*)[_,]?(?:\.(?P<precision>\d+))?[a-zA-Z%]?$"
)
_PERCENT_FORMAT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?")


def _is_sequence_display(node) -> bool:
    """A text, list or tuple written in the source (so ``*`` on it means repetition)."""
    return isinstance(node, ast.List | ast.Tuple | ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
    )


def _small_count(node) -> bool:
    return (
        isinstance(node, ast.Constant) and type(node.value) is int and abs(node.value) <= MAX_LITERAL_REPEAT
    )


def _check_growth(node, format_width: int) -> None:
    """Refuse what evidently builds a huge value: repetition of a text or list by anything
    but a small literal, and format widths or precisions above ``format_width``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for seq, count in ((node.left, node.right), (node.right, node.left)):
            if _is_sequence_display(seq) and not _small_count(count):
                raise ExpressionRefused(
                    f"repetir un texto o una lista solo se permite por un número escrito de hasta "
                    f"{MAX_LITERAL_REPEAT}"
                )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            _check_widths(_PERCENT_FORMAT.finditer(node.left.value), format_width)
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        parts = node.format_spec.values
        if not all(isinstance(part, ast.Constant) for part in parts):
            raise ExpressionRefused("el formato de un valor debe ser fijo")
        spec = _FORMAT_SPEC.match("".join(str(part.value) for part in parts))
        if spec is None:
            raise ExpressionRefused("formato de valor no válido")
        _check_widths([spec], format_width)


def _check_widths(matches, format_width: int) -> None:
    for match in matches:
        for part in ("width", "precision"):
            value = match.group(part)
            if value == "*" or (value and int(value) > format_width):
                raise ExpressionRefused(f"ancho o precisión de formato mayor que {format_width}")


# ---- run-time guards: every operator that can grow a value, checked against the budget -----


def _add(a, b):
    if type(a) in _NUMBERS and type(b) in _NUMBERS:
        return a + b
    limits = budget().limits
    if isinstance(a, str) and isinstance(b, str):
        check_text(len(a) + len(b), limits)
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        check_items(len(a) + len(b), limits)
    return a + b


def _mul(a, b):
    limits = budget().limits
    if type(a) is int and type(b) is int:
        check_bits(a.bit_length() + b.bit_length(), limits)
        return a * b
    seq, count = (b, a) if isinstance(a, int) else (a, b)
    if isinstance(count, int) and count > 0:
        if isinstance(seq, str | bytes):
            check_text(len(seq) * count, limits)
        elif isinstance(seq, list | tuple):
            check_items(len(seq) * count, limits)
            check_size(measure(seq, limits) * count, limits)
    return a * b


def _mod(a, b):
    if isinstance(a, str):
        try:
            _check_widths(_PERCENT_FORMAT.finditer(a), budget().limits.format_width)
        except ExpressionRefused as refused:
            raise LimitExceeded(f"Formato no permitido: {refused}.") from None
        return _value(a % b)
    return a % b


def _value(value):
    """Every value a script assigns, an expression yields or an f-string prints: bounded."""
    running = budget()
    running.check_time()
    measure(value, running.limits)
    return value


def _str(value=""):
    measure(value, budget().limits)  # str() of a value expands it: bound it first
    return _value(str(value))


_NUMBERS = (int, float, bool)
GUARDS = {"_add": _add, "_mul": _mul, "_mod": _mod, "_value": _value}
_OPERATOR_GUARDS = {ast.Add: "_add", ast.Mult: "_mul", ast.Mod: "_mod"}


class _Guarded(ast.NodeTransformer):
    """Rewrites checked source so that +, *, % and every assigned, printed or resulting value
    go through the guards above (names starting with "_" cannot appear in a diagram)."""

    @staticmethod
    def _call(name, *args):
        return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])

    def visit_BinOp(self, node):
        self.generic_visit(node)
        guard = _OPERATOR_GUARDS.get(type(node.op))
        return self._call(guard, node.left, node.right) if guard else node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        current = ast.Name(id=node.target.id, ctx=ast.Load())
        guard = _OPERATOR_GUARDS.get(type(node.op))
        value = self._call(guard, current, node.value) if guard else ast.BinOp(current, node.op, node.value)
        return ast.Assign(targets=[node.target], value=self._call("_value", value))

    def visit_Assign(self, node):
        self.generic_visit(node)
        node.value = self._call("_value", node.value)
        return node

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        node.value = self._call("_value", node.value)
        return node

    def visit_Expression(self, node):
        self.generic_visit(node)
        node.body = self._call("_value", node.body)
        return node


def guarded_code(source: str, mode: str):
    """``source`` (already checked) compiled with the guards in."""
    tree = _Guarded().visit(ast.parse(source, mode=mode))
    # "<string>": the name Spiff looks for to report a failing script's line.
    return compile(ast.fix_missing_locations(tree), "<string>", mode)


def _bind_service(name: str, fn: Callable) -> Callable:
    def call(*args, **kwargs):
        return fn(current_step.get(), *args, **kwargs)

    call.__name__ = name
    return call


class AllowListEnvironment(TaskDataEnvironment):
    """Task-data environment whose globals are the allow-listed builtins and the domain's
    services, bound to the current step's context. Every source is checked against the
    allow-list before it first runs, and compiled once."""

    MAX_COMPILED = 4096  # diagrams are finite; this only bounds what DMN probes may add

    def __init__(self, services: Mapping[str, Callable]):
        self.services = services
        env = {name: _bind_service(name, fn) for name, fn in services.items()}
        env.update(GUARDS)
        env["__builtins__"] = {**SAFE_BUILTINS, "str": _str}
        super().__init__(env)
        self._compiled: dict[tuple[str, str], object] = {}

    def compiled(self, source: str, mode: str):
        code = self._compiled.get((source, mode))
        if code is None:
            check_source(source, mode, self.services)
            if len(self._compiled) >= self.MAX_COMPILED:
                self._compiled.clear()
            code = self._compiled[(source, mode)] = guarded_code(source, mode)
        return code

    def evaluate(self, expression, context, external_context=None):
        return super().evaluate(self.compiled(expression, "eval"), context, external_context)

    def execute(self, script, context, external_context=None):
        return super().execute(self.compiled(script, "exec"), context, external_context)

    def call_service(self, context, operation_name, operation_params, **_kwargs):
        if operation_name not in self.services:
            raise DomainError(f"Función no registrada: {operation_name}")
        arguments = {name: param["value"] for name, param in operation_params.items()}
        result = self.services[operation_name](current_step.get(), **arguments)
        return json.dumps(_value(result), default=str)


class EngineScriptEngine(PythonScriptEngine):
    """Lets DomainError reach the runner untouched (Spiff would wrap it, and its own
    ``call_service`` error path references an undefined name in 3.2.0)."""

    def __init__(self, services: Mapping[str, Callable]):
        super().__init__(environment=AllowListEnvironment(services))

    def evaluate(self, task, expression, external_context=None):
        result = super().evaluate(task, expression, external_context)
        spec = task.task_spec
        if isinstance(spec, MultiInstanceTask) and expression == spec.cardinality and isinstance(result, int):
            # A parallel multi-instance creates every instance at once, before any runs: one
            # beyond the step budget could never finish, so it fails before creating them.
            allowed = budget().limits.engine_steps
            if result > allowed:
                refused = LimitExceeded(
                    f"El elemento se repetiría {result} veces: más que los {allowed} pasos automáticos "
                    "de un paso."
                )
                raise WorkflowTaskException(refused.message, task=task, exception=refused) from refused
        return result

    def call_service(self, task, **kwargs):
        try:
            return self.environment.call_service(task.data, **kwargs)
        except DomainError:
            raise
        except Exception as err:
            raise WorkflowTaskException(f"{type(err).__name__}: {err}", task=task, exception=err) from err

    def execute(self, task, script, external_context=None):
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except DomainError:
            raise
        except Exception as err:
            raise self.create_task_exec_exception(task, script, err) from err

"""The only Python a diagram may contain, and the script engine that runs it.

SpiffWorkflow evaluates scripts with plain ``exec``: no sandbox. Whoever can deploy a diagram
could run anything on the server, so every script and expression is parsed and walked at
deploy time (and again, cached, before it runs) against a small allow-list.
"""

from __future__ import annotations

import ast
import builtins
import json
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

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
        env["__builtins__"] = dict(SAFE_BUILTINS)
        super().__init__(env)
        self._compiled: dict[tuple[str, str], object] = {}

    def compiled(self, source: str, mode: str):
        code = self._compiled.get((source, mode))
        if code is None:
            check_source(source, mode, self.services)
            if len(self._compiled) >= self.MAX_COMPILED:
                self._compiled.clear()
            # "<string>": the name Spiff looks for to report a failing script's line.
            code = self._compiled[(source, mode)] = compile(source, "<string>", mode)
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
        return json.dumps(result, default=str)


class EngineScriptEngine(PythonScriptEngine):
    """Lets DomainError reach the runner untouched (Spiff would wrap it, and its own
    ``call_service`` error path references an undefined name in 3.2.0)."""

    def __init__(self, services: Mapping[str, Callable]):
        super().__init__(environment=AllowListEnvironment(services))

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

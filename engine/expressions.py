"""The only Python a diagram may contain, and the script engine that runs it.

SpiffWorkflow evaluates scripts with plain ``exec``: no sandbox. Whoever can deploy a diagram
could run anything on the server, so every script and expression is parsed and walked at
deploy time (and again, cached, before it runs) against a small allow-list.
"""

from __future__ import annotations

import ast
import builtins
import json
from functools import lru_cache

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from engine.context import current_step
from engine.errors import DomainError
from engine.functions import SAFE_BUILTINS
from engine.functions import SERVICES

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


def _callable_names() -> set[str]:
    return set(SERVICES) | set(SAFE_BUILTINS)


def check_source(source: str, mode: str = "exec") -> None:
    """Raise ExpressionRefused unless ``source`` parses and stays inside the allow-list."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ExpressionRefused(f"no es Python válido: {exc.msg} (línea {exc.lineno})") from None
    callables = _callable_names()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionRefused(f"construcción no permitida: {type(node).__name__}")
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionRefused(f"nombre no permitido: {node.id}")
            if node.id in _FORBIDDEN_BUILTINS and node.id not in callables:
                raise ExpressionRefused(f"función no permitida: {node.id}")
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(isinstance(target, ast.Name) for target in targets):
                raise ExpressionRefused("solo se puede asignar a variables simples")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in callables:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ExpressionRefused(f"llamada a una función no registrada: {name}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 10_000:
            raise ExpressionRefused("texto literal demasiado largo")


@lru_cache(maxsize=4096)
def _checked(source: str, mode: str) -> None:
    check_source(source, mode)


def _bind_service(name: str):
    fn = SERVICES[name]

    def call(*args, **kwargs):
        return fn(current_step.get(), *args, **kwargs)

    call.__name__ = name
    return call


class AllowListEnvironment(TaskDataEnvironment):
    """Task-data environment whose globals are the allow-listed builtins and the registered
    services, bound to the current step's context."""

    def __init__(self):
        env = {name: _bind_service(name) for name in SERVICES}
        env["__builtins__"] = dict(SAFE_BUILTINS)
        super().__init__(env)

    def evaluate(self, expression, context, external_context=None):
        _checked(expression, "eval")
        return super().evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        _checked(script, "exec")
        return super().execute(script, context, external_context)

    def call_service(self, context, operation_name, operation_params, **_kwargs):
        if operation_name not in SERVICES:
            raise DomainError(f"Función no registrada: {operation_name}")
        arguments = {name: param["value"] for name, param in operation_params.items()}
        result = SERVICES[operation_name](current_step.get(), **arguments)
        return json.dumps(result, default=str)


class EngineScriptEngine(PythonScriptEngine):
    """Lets DomainError reach the runner untouched (Spiff would wrap it, and its own
    ``call_service`` error path references an undefined name in 3.2.0)."""

    def __init__(self):
        super().__init__(environment=AllowListEnvironment())

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

"""Registries of the Python a diagram or form may name: service functions, form checks,
option sources. Diagrams refer to them by name; nothing else in Python is reachable.

    @service("create_user")
    def create_user(ctx: StepContext, registration: dict) -> int: ...

    @check("username_available")
    def username_available(ctx: CheckContext, value, data) -> str | None:  # Spanish error or None

    @options("departments")
    def departments(ctx: CheckContext, data) -> list[tuple[str, str]]:   # (value, label)
"""

from __future__ import annotations

from collections.abc import Callable

SERVICES: dict[str, Callable] = {}
CHECKS: dict[str, Callable] = {}
OPTIONS: dict[str, Callable] = {}

# Pure helpers scripts and conditions may call besides registered services.
SAFE_BUILTINS: dict[str, Callable] = {
    "len": len,
    "str": str,
    "int": int,
    "bool": bool,
    "min": min,
    "max": max,
    "sorted": sorted,
}


def _register(table: dict[str, Callable], name: str):
    def decorator(fn: Callable) -> Callable:
        if name in table and table[name] is not fn:
            raise ValueError(f"{name!r} is already registered")
        table[name] = fn
        return fn

    return decorator


def service(name: str):
    """Register a function that service tasks and scripts may call by ``name``."""
    return _register(SERVICES, name)


def check(name: str):
    """Register a form check usable as ``"x-check": name`` in a schema."""
    return _register(CHECKS, name)


def options(name: str):
    """Register an option source usable as ``"x-options": name`` in a schema."""
    return _register(OPTIONS, name)


def load_domain() -> None:
    """Import the domain package so its decorators fill the registries."""
    import engine.domain  # noqa: F401

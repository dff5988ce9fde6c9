"""The SECOP registries: the decorators every domain module uses, filling the registries
``secop_domain()`` hands to the engine. Importing a module registers its functions."""

from __future__ import annotations

from engine.registry import Registry

SERVICES = Registry("función de servicio")
CHECKS = Registry("validación")
OPTIONS = Registry("fuente de opciones")

service = SERVICES.register
"""Register a function that service tasks and scripts may call by name."""
check = CHECKS.register
"""Register a form check usable as ``"x-check": name`` in a schema."""
options = OPTIONS.register
"""Register an option source usable as ``"x-options": name`` in a schema."""

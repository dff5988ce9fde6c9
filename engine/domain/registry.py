"""The SECOP registries: the decorators every domain module uses, filling the registries
``secop_domain()`` hands to the engine. Importing a module registers its functions."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader

from engine.registry import Registry

# The domain's emails: <name>.txt, first line "Subject: ...", then the Jinja body.
EMAIL_TEMPLATES = FileSystemLoader(str(Path(__file__).resolve().parent / "templates" / "email"))
SERVICES = Registry("función de servicio")
CHECKS = Registry("validación")
OPTIONS = Registry("fuente de opciones")

service = SERVICES.register
"""Register a function that service tasks and scripts may call by name."""
check = CHECKS.register
"""Register a form check usable as ``"x-check": name`` in a schema."""
options = OPTIONS.register
"""Register an option source usable as ``"x-options": name`` in a schema."""

"""The guide's domain: tables, and the services, form checks and option sources diagrams and
forms name. ``secop_domain()`` is what an embedding (webui, ``python -m engine``, tests)
hands to ``engine.Runner``; the engine core itself never imports this package."""

from __future__ import annotations

import functools

from engine.domain import access  # noqa: F401  (each module registers its functions)
from engine.domain import accounts  # noqa: F401
from engine.domain import checks  # noqa: F401
from engine.domain import models  # noqa: F401
from engine.domain import support  # noqa: F401
from engine.domain import users  # noqa: F401
from engine.domain.actors import load_actor
from engine.domain.documents import SecopDocuments
from engine.domain.people import SecopPeople
from engine.domain.registry import CHECKS
from engine.domain.registry import EMAIL_TEMPLATES
from engine.domain.registry import OPTIONS
from engine.domain.registry import SERVICES
from engine.domain.scenarios import scenario_world
from engine.registry import Domain


@functools.cache
def secop_domain() -> Domain:
    """The SECOP II onboarding domain: its registries, email templates, the actor loader that
    reads roles and memberships, the document records and the people behind the lanes."""
    return Domain(
        services=SERVICES,
        checks=CHECKS,
        options=OPTIONS,
        email_templates=EMAIL_TEMPLATES,
        load_actor=load_actor,
        documents=SecopDocuments(),
        people=SecopPeople(),
        scenario_world=scenario_world,
    )

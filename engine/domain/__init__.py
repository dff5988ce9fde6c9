"""The guide's domain: tables, and the services, form checks and option sources diagrams and
forms name. Importing the package registers every one of them (see engine.functions)."""

from engine.domain import access  # noqa: F401
from engine.domain import accounts  # noqa: F401
from engine.domain import checks  # noqa: F401
from engine.domain import models  # noqa: F401
from engine.domain import support  # noqa: F401
from engine.domain import users  # noqa: F401

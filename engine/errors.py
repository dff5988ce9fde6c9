"""The engine's error vocabulary. webui maps each class to one HTTP answer."""

from __future__ import annotations


class EngineError(Exception):
    """Base class: ``message`` is Spanish and safe to show to the user."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    """The instance, task or record does not exist *for this actor* (never leak existence)."""


class NotAuthorized(EngineError):
    """The actor is known but may not act on this task."""


class Conflict(EngineError):
    """Somebody else changed the same thing first (task already completed, instance moved on)."""


class TaskNotReady(Conflict):
    """The task is no longer waiting for input."""


class TaskClaimed(Conflict):
    """Another person holds the task (claimed, delegated or assigned to them): it is still
    pending, just not this actor's to complete now."""


class FormInvalid(EngineError):
    """Submitted data failed validation. ``errors`` maps field name -> list of Spanish messages."""

    def __init__(self, errors: dict[str, list[str]], message: str = "Revise los campos marcados."):
        super().__init__(message)
        self.errors = errors


class InvalidInput(EngineError):
    """Input no database may hold (a NUL character): refused before the statement runs."""


class FormRejected(FormInvalid):
    """A browser post was refused: ``errors`` as FormInvalid, and ``view``, the task page to
    draw again (the posted values, the errors, the option lists) read in the same transaction."""

    def __init__(self, errors: dict[str, list[str]], view, step_failed: bool = False):
        super().__init__(errors)
        self.view = view
        self.step_failed = step_failed  # the engine failed after the post was accepted


class UploadRefused(EngineError):
    """An uploaded file failed the guide's §6 checks."""


class MessageNotExpected(EngineError):
    """No instance is waiting for this message and correlation value."""


class DiagramInvalid(EngineError):
    """A diagram set failed the checker. ``problems`` is the list of checker problems."""

    def __init__(self, problems):
        super().__init__("El diagrama tiene errores.")
        self.problems = problems


class StepFailed(EngineError):
    """A script, condition or service function failed while the engine advanced, or the step
    went over its budget (``engine.budget``). ``detail`` is for operators; ``data`` the
    (redacted) task data of the failing element, when known."""

    def __init__(self, message: str, element_id: str | None = None, detail: str | None = None,
                 data: dict | None = None):  # fmt: skip
        super().__init__(message)
        self.element_id = element_id
        self.detail = detail
        self.data = data


class DomainError(EngineError):
    """Raised by a service function to stop the step with a Spanish message for the user.

    ``field`` names the form field it concerns, if any, so the form can show it in place.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

"""Domain errors: a stable machine-readable `code`, a Dutch `title`/`detail`, extras. No HTTP here."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    title = _("The operation was refused.")

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or str(self.title))
        self.detail = detail or str(self.title)
        self.extra = extra


class InvalidTransition(DomainError):
    """The object's current state does not allow the transition."""

    code = "invalid_transition"
    title = _("This transition is not possible in the current state.")


class GuardFailed(DomainError):
    """The transition exists from this state, but one or more of its guards are unmet."""

    code = "guard_failed"
    title = _("The conditions for this transition are not met.")


class TransitionForbidden(DomainError):
    code = "transition_forbidden"
    title = _("You are not allowed to perform this transition.")


class UnknownTransition(DomainError):
    code = "unknown_transition"
    title = _("This transition does not exist.")


class FourEyesRequired(DomainError):
    code = "four_eyes_required"
    title = _("A second officer must approve this decision.")


class StaleObject(DomainError):
    code = "precondition_failed"
    title = _("The object was changed by someone else in the meantime.")


class PreconditionRequired(DomainError):
    """A change over HTTP without ``If-Match``: the caller must say which version it saw."""

    code = "precondition_required"
    title = _("Send the ETag of the version you saw as If-Match.")


class ReasonRequired(DomainError):
    code = "reason_required"
    title = _("A reason is required for this decision.")


class InvalidInput(DomainError):
    """A service received a value outside what it accepts (the API validates first; other callers may not)."""

    code = "invalid"
    title = _("Invalid input.")

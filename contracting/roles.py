"""Roles are Django groups; this module is the one place that says who may do what.

- procurement officer: every transition, edits in the admin;
- auditor: view permissions only (reads everything, changes nothing);
- provider user: not staff; linked to one or more providers (Provider.users) and sees only those;
- administrator: superuser-like management of users, reference data and the condition library.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

OFFICER = "procurement_officer"
AUDITOR = "auditor"
PROVIDER_USER = "provider_user"
ADMINISTRATOR = "administrator"

ROLE_LABELS = {
    OFFICER: _("Procurement officer"),
    AUDITOR: _("Auditor"),
    PROVIDER_USER: _("Provider user"),
    ADMINISTRATOR: _("Administrator"),
}

# One permission per state machine; holding it means the user may take that machine's transitions.
TRANSITION_PERMISSIONS = {
    "contracting.transition_procedure",
    "contracting.transition_application",
    "contracting.transition_agreement",
    "coalitions.transition_coalition",
    "coalitions.transition_membership",
    "compliance.transition_fraudsignal",
}


def provider_ids_for(user: Any) -> frozenset[int]:
    """Providers a user acts for; cached on the user object for the duration of a request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_provider_ids", None)
    if cached is None:  # through the user's side of Provider.users: roles must not import the models
        cached = frozenset(user.providers.values_list("pk", flat=True))
        user._provider_ids = cached
    return cached


def authority_ids_for(user: Any) -> frozenset[int]:
    """Contracting authorities an officer or auditor works for (ContractingAuthority.officers); cached on
    the user object for the duration of a request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_authority_ids", None)
    if cached is None:  # through the user's side of ContractingAuthority.officers
        cached = frozenset(user.authorities.values_list("pk", flat=True))
        user._authority_ids = cached
    return cached


def can_read_everything(user: Any) -> bool:
    """Officers, auditors and administrators read across all providers."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff))


def officer(codename: str) -> Callable[[Any, Any], bool]:
    def check(instance: Any, user: Any) -> bool:
        return bool(user and user.is_authenticated and user.has_perm(codename))

    check.__doc__ = f"requires {codename}"
    return check


def officer_or_own_provider(codename: str) -> Callable[[Any, Any], bool]:
    def check(instance: Any, user: Any) -> bool:
        if not (user and user.is_authenticated):
            return False
        return user.has_perm(codename) or instance.provider_id in provider_ids_for(user)

    check.__doc__ = f"requires {codename}, or a user of the provider itself"
    return check

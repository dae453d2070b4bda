from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken, Scope


class ReadOnlyUnlessTransition(BasePermission):
    """Authenticated users read; writes only happen through service actions (transitions, assessments),
    whose services check the user's permission themselves (so an auditor, who holds no transition
    permission, is refused with 403 ``transition_forbidden``)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "action", None)
        if action is None:  # no handler for this method: let the view answer 405
            return True
        return action in getattr(view, "service_actions", ("transition",))


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"
    default_detail = _("The API token does not have the scope this request needs.")


class TokenScopes(BasePermission):
    """A request with an API token needs scope ``read`` for GET, HEAD and OPTIONS, and ``write`` for
    everything else (403 ``insufficient_scope``). What the token's user may do still decides the rest."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        needed = Scope.READ if request.method in SAFE_METHODS else Scope.WRITE
        if not request.auth.allows(needed):
            raise InsufficientScope()
        return True

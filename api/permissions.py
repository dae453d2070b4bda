from rest_framework.permissions import SAFE_METHODS, BasePermission


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

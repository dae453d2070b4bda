from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyUnlessTransition(BasePermission):
    """Authenticated users read; writes only happen through transition actions, whose services check
    the user's permission themselves (so an auditor, who holds no transition permission, is refused)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or getattr(view, "action", None) == "transition"

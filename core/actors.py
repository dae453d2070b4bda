"""Who performs an operation: the ``actor`` every service receives.

A logged-in user (``request.user`` in a view, the officer in a management command), an anonymous
visitor (``request.user`` before login: every permission check refuses it) or ``None`` for the system
itself (a scheduled task, a follow-up of another step). The project uses Django's default user model.
"""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # the auth models need the app registry; the alias is only read by the type checker
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | AnonymousUser | None"


def acting_user(actor: Actor) -> "User":
    """``actor`` as the logged-in user it must be where a permission check has already let it through
    (inside ``perform_operation``'s ``change``, after ``require_permission``)."""
    assert actor is not None and actor.is_authenticated, "only a logged-in user passes a permission check"
    return actor

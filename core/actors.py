"""Who performs an operation: the ``actor`` every service receives.

A logged-in user (``request.user`` in a view, the officer of a management command), an anonymous
visitor (``request.user`` before login: every permission check refuses it), ``SYSTEM`` for scheduled
work that needs permissions (expiry, requests from the requirements), or ``None`` for the system as a
follow-up of another step. The project uses Django's default user model.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from core.exceptions import TransitionForbidden

if TYPE_CHECKING:  # importing the auth models needs the app registry; the alias below is lazy
    from django.contrib.auth.models import AnonymousUser, User


class SystemActor:
    """The actor of scheduled work (expiry): holds every permission, is recorded as ``system``."""

    pk = None
    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()

type Actor = User | AnonymousUser | SystemActor | None

# Whom the steps of an object are offered (buttons, the API's list of transitions): ``request.user``.
type Viewer = User | AnonymousUser


def acting_user(actor: Actor) -> "User":
    """The logged-in user behind ``actor``, where the operation records a user as the one who did it
    (a foreign key to the user). Refuses (403 ``transition_forbidden``) anyone else, the system too."""
    if actor is None or isinstance(actor, SystemActor) or not actor.is_authenticated:
        raise TransitionForbidden()
    return actor


def stored_user(actor: Actor) -> "User | None":
    """The user to link a row to as the one who asked for it: ``actor`` when it is a stored user, else
    ``None`` (the system, an anonymous visitor)."""
    return actor if isinstance(actor, get_user_model()) and actor.pk else None

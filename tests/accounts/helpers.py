"""API tokens for tests: made through the service, as a user would."""

import datetime

from accounts.services import api_token_create
from contracting.roles import ADMINISTRATOR
from core import clock
from tests import factories


def administrator():
    return factories.UserFactory(role=ADMINISTRATOR, is_staff=True)


def make_token(user, scopes=("read",), days: int = 30, actor=None):
    """(ApiToken, token) for ``user``; an administrator makes it for staff users."""
    return api_token_create(
        actor=actor or user if not user.is_staff else actor or administrator(),
        user=user,
        name="Declaratiesysteem",
        scopes=scopes,
        expires_on=clock.today() + datetime.timedelta(days=days),
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

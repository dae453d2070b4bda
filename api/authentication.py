"""HTTP basic authentication for the API, with the same lockout as the login forms (django-axes) and
no way around the second factor that staff users show in the admin."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.lockout import cool_off_seconds, lockout_message
from accounts.second_factor import needs_second_factor


class TooManyLoginAttempts(exceptions.APIException):
    status_code = 429
    default_code = "too_many_login_attempts"
    default_detail = _("Too many failed login attempts. Try again later.")

    def __init__(self) -> None:
        super().__init__(lockout_message())
        self.wait = cool_off_seconds()  # DRF's handler turns it into Retry-After


class SecondFactorRequired(exceptions.APIException):
    status_code = 403
    default_code = "second_factor_required"
    default_detail = _(
        "Officers, auditors and administrators log in with a second factor: use the API through a "
        "session of the administration, not with basic authentication."
    )


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's basic authentication passes the request to ``authenticate()``, so axes counts the failures
    (its backend comes first in AUTHENTICATION_BACKENDS). A locked-out client gets 429
    ``too_many_login_attempts``, even with the right password; a staff user gets 403
    ``second_factor_required`` (a password alone is not enough for them)."""

    def authenticate_credentials(self, userid: str, password: str, request: Any = None) -> tuple[Any, None]:
        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):  # set by axes on this (DRF) request
                raise TooManyLoginAttempts() from None
            raise
        if needs_second_factor(user):
            raise SecondFactorRequired()
        return user, auth


class BasicAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema shows this class as HTTP basic authentication, as it does DRF's own."""

    target_class = BasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "basic"}

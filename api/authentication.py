"""How callers of the API show who they are.

- ``Authorization: Bearer <token>``: an API token (accounts.models.ApiToken) for providers' and municipal
  systems. It acts as its user; its scopes narrow what that user may do (api.permissions.TokenScopes).
- The session of a logged-in person (the admin, the portal, the browsable API), with Django's CSRF check.
- HTTP basic authentication with a person's password: off unless ``API_ALLOW_BASIC_AUTH`` is set (a
  password hash on every request is slow, and a password is no credential for a machine). When on, it has
  the same lockout as the login forms (django-axes) and no way around the staff's second factor.

Missing or wrong credentials answer 401 with ``WWW-Authenticate: Bearer realm="zorginkoop"`` (the first
class here decides the challenge); a known caller without permission gets 403.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.lockout import cool_off_seconds, lockout_message
from accounts.models import ApiToken
from accounts.second_factor import needs_second_factor
from accounts.services import api_token_authenticate

REALM = "zorginkoop"


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


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"
    default_detail = _("The token is unknown, expired or revoked.")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (RFC 6750) with an API token; anything else is left to the
    other classes."""

    keyword = "bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        request._bearer_error = "invalid_token"
        if len(header) != 2:
            raise InvalidToken()
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken() from None
        api_token = api_token_authenticate(token)
        if api_token is None:
            raise InvalidToken()
        request._bearer_error = ""
        return api_token.user, api_token

    def authenticate_header(self, request: Any) -> str:
        error = getattr(request, "_bearer_error", "")
        return f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's basic authentication passes the request to ``authenticate()``, so axes counts the failures
    (its backend comes first in AUTHENTICATION_BACKENDS). A locked-out client gets 429
    ``too_many_login_attempts``, even with the right password; a staff user gets 403
    ``second_factor_required`` (a password alone is not enough for them). Off (the header is ignored,
    so the request is anonymous) unless ``API_ALLOW_BASIC_AUTH`` is set."""

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        if not settings.API_ALLOW_BASIC_AUTH:
            return None
        return super().authenticate(request)

    def authenticate_header(self, request: Any) -> str:
        return f'Basic realm="{REALM}"'

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
        return {
            "type": "http",
            "scheme": "basic",
            "description": "A person's username and password; only where the server allows it "
            "(setting `API_ALLOW_BASIC_AUTH`, off by default). Staff users cannot use it.",
        }


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token, made in the provider portal (API keys) or by an administrator. "
            "It acts as its user; scope `read` allows GET, scope `write` also uploads, imports and steps.",
        }

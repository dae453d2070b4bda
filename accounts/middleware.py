"""Sessions of officers, auditors and administrators (staff users): the second factor and idle expiry."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse

from accounts.second_factor import is_staff_account, needs_second_factor

# The admin's login, second-factor setup and recovery steps (maykin-2fa), and WebAuthn (two_factor).
SECOND_FACTOR_NAMESPACES = ("maykin_2fa", "two_factor")


class StaffSecondFactorMiddleware:
    """A staff user who has given a password but no second factor yet is anonymous everywhere except in
    the admin's login and second-factor steps and its logout: the API (session), the portal and the
    document downloads do not let them in. The admin itself asks for the second factor
    (maykin-2fa's ``MFARequired`` admin site). Goes right after maykin_2fa's ``OTPMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user) and not _second_factor_step(request):
            request.user = AnonymousUser()
        return self.get_response(request)


def _second_factor_step(request: HttpRequest) -> bool:
    if request.path_info == reverse("admin:logout"):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(match.namespaces) and match.namespaces[0] in SECOND_FACTOR_NAMESPACES


class StaffSessionIdleTimeoutMiddleware:
    """A staff user's session ends after ``OFFICER_SESSION_IDLE_MINUTES`` without a request: every
    request of theirs sets the session to expire that long from now (the session is saved with the new
    expiry; the session store refuses it once the time has passed). Provider users keep
    ``SESSION_COOKIE_AGE``. Goes before ``StaffSecondFactorMiddleware`` so it sees the real user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        staff_before = is_staff_account(request.user)
        response = self.get_response(request)
        staff_after = is_staff_account(request.user)  # logged in or out by this request
        if (staff_before or staff_after) and SESSION_KEY in request.session:
            request.session.set_expiry(settings.OFFICER_SESSION_IDLE_MINUTES * 60)
        return response

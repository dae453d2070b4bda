"""Who must show a second factor: officers, auditors and administrators (staff users).

The admin asks for it at login (maykin-2fa, built on django-two-factor-auth: TOTP apps, WebAuthn
security keys, recovery codes). A staff user who has given only a password is let into the admin's
second-factor steps and nowhere else (``accounts.middleware.StaffSecondFactorMiddleware``); the API's
basic authentication refuses a staff user outright, as it has no place to ask for a second factor.

Provider users (the portal) log in with a password only: they are external organisations that see just
their own documents; brute force is stopped for them by the lockout like for everyone.

The demo (``make run``) logs in with the printed passwords through ``ALLOW_LOGIN_WITHOUT_SECOND_FACTOR``,
which only has an effect with ``DEBUG`` on and is a system-check error otherwise (``accounts.checks``).
"""

from typing import Any

from django.conf import settings


def is_staff_account(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def needs_second_factor(user: Any) -> bool:
    """A staff user that has not (yet) shown a second factor in this session or this request."""
    if not is_staff_account(user):
        return False
    is_verified = getattr(user, "is_verified", None)  # set by maykin_2fa's OTPMiddleware on a session
    if is_verified is not None:
        return not is_verified()
    # Authenticated in this request without a session (HTTP basic): only a bypass backend will do.
    return getattr(user, "backend", None) not in settings.MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS

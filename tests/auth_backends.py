"""Authentication backends for the test settings only."""

from django.contrib.auth.backends import ModelBackend


class ForceLoginBackend(ModelBackend):
    """The backend of sessions that the test client's ``force_login()`` makes (the first backend with
    ``get_user``). It authenticates nobody, so every login through a form in the tests takes the
    production path (lockout, second factor); only force_login sessions skip the second factor
    (``MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS`` in config/settings/test.py)."""

    def authenticate(self, request, **credentials):
        return None

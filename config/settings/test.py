"""Test settings: speed only; behaviour stays that of base."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
# Known to everyone (it is in this file), but long and varied enough for the system check (core.checks).
os.environ.setdefault("PSEUDONYMISATION_KEY", "tests-only-7f3c9a1e5b2d8046-pseudonymisation")
# The test client speaks plain http: no redirect to https (cookies stay Secure, as in production).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
LANGUAGE_CODE = "nl"
# Tests that log in with force_login() skip the second factor (their session's backend is
# tests.auth_backends.ForceLoginBackend); a login through a form takes the production path: lockout and
# the second factor (tests/security/test_login_*.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tests.auth_backends.ForceLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS = ["tests.auth_backends.ForceLoginBackend"]
# The suite sends hundreds of API requests a second as one user; tests/api/test_throttling.py sets real rates.
API_THROTTLE_RATES = {"token": None, "user": None, "anon": None}

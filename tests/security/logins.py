"""Logging in the way a person does (forms, HTTP basic), with the production rules: lockout and the
second factor. No force_login here: its sessions skip the second factor in the test settings."""

import base64

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from maykin_2fa.test import get_valid_totp_token

from django.test import Client

from tests.admin.helpers import admin_login_form, admin_token_form

PASSWORD = "wachtwoord-123"  # tests.factories.UserFactory
ADMIN_LOGIN = "/admin/login/"
PORTAL_LOGIN = "/portal/login/"


def with_authenticator_app(user) -> TOTPDevice:
    """The user has set up an authenticator app (TOTP) as their second factor."""
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def with_recovery_codes(user, *codes: str) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    for code in codes:
        device.token_set.create(token=code)
    return device


def current_code(user) -> str:
    """What the user's authenticator app shows now (each code is accepted once)."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return get_valid_totp_token(user)


def admin_login(client: Client, user, password: str = PASSWORD):
    """Password and authenticator code on the admin's login; returns the last response."""
    client.post(ADMIN_LOGIN, admin_login_form(user.username, password))
    return client.post(ADMIN_LOGIN, admin_token_form(current_code(user)))


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

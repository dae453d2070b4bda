"""Officers, auditors and administrators show a second factor on the admin (maykin-2fa) whenever DEBUG is
off; a password alone reaches no admin page, no API and no portal page. Provider users log in to the
portal with a password. The demo's way around the second factor only works with DEBUG on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.checks import second_factor_bypass_only_with_debug
from contracting.models import Agreement
from tests import factories
from tests.admin.helpers import admin_login_form, admin_token_form, changelist_url

from .logins import (
    ADMIN_LOGIN,
    PASSWORD,
    PORTAL_LOGIN,
    admin_login,
    basic,
    current_code,
    with_authenticator_app,
    with_recovery_codes,
)

# HTTP basic authentication on the API is off by default; these tests check it where it is allowed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("basic_auth_on")]

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PAGES = [
    "/admin/",
    "/admin/contracting/agreement/",
    "/admin/audit/auditevent/",
    "/admin/password_change/",
]


def administrator(**kwargs):
    return factories.UserFactory(is_staff=True, is_superuser=True, **kwargs)


STAFF = {"officer": factories.officer, "auditor": factories.auditor, "administrator": administrator}


@pytest.fixture(params=sorted(STAFF))
def staff_user(request):
    return STAFF[request.param]()


def test_the_production_settings_allow_no_login_without_a_second_factor(settings):
    assert not settings.DEBUG
    assert settings.MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS == ["tests.auth_backends.ForceLoginBackend"]
    assert "django.contrib.auth.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS


def test_a_staff_user_with_only_a_password_reaches_no_admin_page(client, staff_user):
    # when: the right password, no second factor set up yet
    response = client.post(ADMIN_LOGIN, admin_login_form(staff_user.username, PASSWORD))
    # then: on to setting up a second factor; every admin page sends back to the login
    assert response.status_code == 302
    assert response["Location"] == reverse("maykin_2fa:setup")
    assert client.get(reverse("maykin_2fa:setup")).status_code == 200
    for page in [*ADMIN_PAGES, changelist_url(Agreement)]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(ADMIN_LOGIN), page


def test_a_staff_user_with_an_authenticator_app_is_asked_for_its_code(client, staff_user):
    # given
    with_authenticator_app(staff_user)
    # when: the right password
    response = client.post(ADMIN_LOGIN, admin_login_form(staff_user.username, PASSWORD))
    # then: the code step, and no admin page yet
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_staff_user_with_password_and_code_reaches_the_admin(client, staff_user):
    # given
    with_authenticator_app(staff_user)
    # when
    response = admin_login(client, staff_user)
    # then
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/contracting/agreement/").status_code == 200


def test_a_wrong_code_is_refused(client, officer):
    # given
    with_authenticator_app(officer)
    client.post(ADMIN_LOGIN, admin_login_form(officer.username, PASSWORD))
    wrong = f"{(int(current_code(officer)) + 1) % 1_000_000:06d}"
    # when
    response = client.post(ADMIN_LOGIN, admin_token_form(wrong))
    # then
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_stands_in_for_the_app_once(client, officer):
    # given: a lost phone, but the printed recovery codes
    with_authenticator_app(officer)
    with_recovery_codes(officer, "herstel1", "herstel2")
    client.post(ADMIN_LOGIN, admin_login_form(officer.username, PASSWORD))
    # when
    response = client.post(
        reverse("maykin_2fa:recovery"),
        {"admin_login_view-current_step": "backup", "backup-otp_token": "herstel1"},
    )
    # then
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert list(officer.staticdevice_set.get().token_set.values_list("token", flat=True)) == ["herstel2"]


def test_a_password_only_staff_session_is_no_session_for_the_api_the_portal_or_downloads(client, officer):
    # given: logged in with the password, second factor not yet set up
    client.post(ADMIN_LOGIN, admin_login_form(officer.username, PASSWORD))
    assert client.session["_auth_user_id"] == str(officer.pk)
    # when / then
    api = client.get("/api/v1/providers")
    assert api.status_code == 401 and api.json()["code"] == "not_authenticated"
    assert client.get("/portal/")["Location"].startswith(PORTAL_LOGIN)
    assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)


def test_a_staff_user_halfway_the_second_factor_can_log_out(client, officer):
    client.post(ADMIN_LOGIN, admin_login_form(officer.username, PASSWORD))
    # when
    response = client.post(reverse("admin:logout"))
    # then
    assert response.status_code == 302 and response["Location"] == ADMIN_LOGIN
    assert "_auth_user_id" not in client.session


def test_a_verified_staff_session_may_use_the_api(client, officer):
    with_authenticator_app(officer)
    admin_login(client, officer)
    assert client.get("/api/v1/providers").status_code == 200


def test_basic_authentication_refuses_a_staff_user_a_password_alone(api_client, staff_user):
    # when
    response = api_client.get("/api/v1/providers", HTTP_AUTHORIZATION=basic(staff_user.username, PASSWORD))
    # then
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "second_factor_required"


def test_a_provider_user_logs_in_to_the_portal_and_the_api_with_a_password(client, api_client, provider_user):
    # when
    response = client.post(PORTAL_LOGIN, {"username": provider_user.username, "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200
    api = api_client.get("/api/v1/providers", HTTP_AUTHORIZATION=basic(provider_user.username, PASSWORD))
    assert api.status_code == 200


def test_the_system_check_refuses_the_bypass_without_debug(settings):
    # given
    settings.DEBUG = False
    settings.ALLOW_LOGIN_WITHOUT_SECOND_FACTOR = True
    # when
    errors = second_factor_bypass_only_with_debug()
    # then
    assert [error.id for error in errors] == ["accounts.E001"]


def test_the_system_check_accepts_the_bypass_in_the_demo(settings):
    settings.DEBUG = True
    settings.ALLOW_LOGIN_WITHOUT_SECOND_FACTOR = True
    assert second_factor_bypass_only_with_debug() == []


def settings_as_deployed(**env: str) -> subprocess.CompletedProcess:
    """`manage.py check` and the bypass list with config.settings.base and the given environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "ALLOW_LOGIN"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY="a-long-random-secret-key-for-this-check-only-3f9c1a7e",
        PSEUDONYMISATION_KEY="a-long-random-pseudonymisation-key-for-this-check-only-8b2d4e6f",
        DATABASE_URL="sqlite:///:memory:",
        **env,
    )
    script = (
        "import django, sys; django.setup();"
        "from django.conf import settings; from django.core.management import call_command;"
        "print('BYPASS', settings.MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS);"
        "call_command('check')"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_checks_with_the_bypass_and_ignores_it():
    # when
    result = settings_as_deployed(DEBUG="false", ALLOW_LOGIN_WITHOUT_SECOND_FACTOR="true")
    # then
    assert "accounts.E001" in result.stderr
    assert result.returncode != 0
    assert "BYPASS []" in result.stdout


def test_the_demo_logs_in_with_a_password_through_the_explicit_setting():
    result = settings_as_deployed(DEBUG="true", ALLOW_LOGIN_WITHOUT_SECOND_FACTOR="true")
    assert "accounts.E001" not in result.stderr
    assert "BYPASS ['django.contrib.auth.backends.ModelBackend']" in result.stdout


def test_without_the_setting_the_demo_asks_for_a_second_factor_too():
    result = settings_as_deployed(DEBUG="true")
    assert "BYPASS []" in result.stdout


def test_the_demo_bypass_lets_a_staff_user_in_with_a_password(client, officer, settings):
    # given: what DEBUG=true ALLOW_LOGIN_WITHOUT_SECOND_FACTOR=true gives (see the tests above)
    settings.MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    # when
    response = client.post(ADMIN_LOGIN, admin_login_form(officer.username, PASSWORD))
    # then
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert get_user_model().objects.get(pk=officer.pk).is_staff

"""Brute force: after the configured number of failed logins a username (and a client address) is
locked out on every login path, even for the right password, until the cool-off has passed."""

import datetime

import pytest
from axes.models import AccessAttempt

from django.test import override_settings

from accounts.lockout import client_ip
from core import clock
from tests import factories
from tests.admin.helpers import admin_login_form

from .logins import ADMIN_LOGIN, PASSWORD, PORTAL_LOGIN, basic, with_authenticator_app

# HTTP basic authentication on the API is off by default; these tests check it where it is allowed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("basic_auth_on")]

WRONG = "fout-geraden-42"


def admin_try(client, username, password, **extra):
    return client.post(ADMIN_LOGIN, admin_login_form(username, password), **extra)


def portal_try(client, username, password, **extra):
    return client.post(PORTAL_LOGIN, {"username": username, "password": password}, **extra)


def api_try(api_client, username, password, **extra):
    return api_client.get("/api/v1/providers", HTTP_AUTHORIZATION=basic(username, password), **extra)


def assert_locked_out_page(response):
    assert response.status_code == 429
    assert b'data-code="too_many_login_attempts"' in response.content
    assert int(response["Retry-After"]) > 0


def test_the_admin_locks_a_username_after_the_configured_failures_and_refuses_the_right_password(
    client, settings
):
    # given: an officer with a second factor, and all but one of the allowed failures
    officer = factories.officer(username="inkoper")
    with_authenticator_app(officer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_try(client, "inkoper", WRONG).status_code == 200  # the login form again
    # when: the last failure, then the right password
    last_failure = admin_try(client, "inkoper", WRONG)
    right_password = admin_try(client, "inkoper", PASSWORD)
    # then: both answer the lockout page, and the password step was not passed
    assert_locked_out_page(last_failure)
    assert_locked_out_page(right_password)
    assert "Te veel mislukte inlogpogingen" in right_password.content.decode()  # Dutch for the user
    assert "token-otp_token" not in right_password.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_portal_locks_a_username_after_the_configured_failures_and_refuses_the_right_password(
    client, provider_user, settings
):
    # given
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert portal_try(client, provider_user.username, WRONG).status_code == 200
    # when
    last_failure = portal_try(client, provider_user.username, WRONG)
    right_password = portal_try(client, provider_user.username, PASSWORD)
    # then
    assert_locked_out_page(last_failure)
    assert_locked_out_page(right_password)
    assert "portal/locked_out.html" in [t.name for t in right_password.templates]
    assert "_auth_user_id" not in client.session
    assert client.get("/portal/").status_code == 302  # still not logged in


def test_the_api_basic_authentication_locks_after_the_configured_failures_with_a_problem(
    api_client, provider_user, settings
):
    # given: the right password works
    assert api_try(api_client, provider_user.username, PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api_try(api_client, provider_user.username, WRONG).status_code in (401, 403)
    # when
    last_failure = api_try(api_client, provider_user.username, WRONG)
    right_password = api_try(api_client, provider_user.username, PASSWORD)
    # then
    for response in (last_failure, right_password):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "too_many_login_attempts"
        assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_failures_on_one_login_path_count_on_the_others(client, api_client, provider_user, settings):
    # given: all but one allowed failure on the portal
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        portal_try(client, provider_user.username, WRONG)
    # when: one more on the API, then the right password on the admin
    api_try(api_client, provider_user.username, WRONG)
    # then
    assert_locked_out_page(admin_try(client, provider_user.username, PASSWORD))


def test_a_username_is_locked_whatever_address_the_attempts_come_from(client, provider_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        portal_try(client, provider_user.username, WRONG, REMOTE_ADDR=f"192.0.2.{n + 1}")
    # when
    response = portal_try(client, provider_user.username, PASSWORD, REMOTE_ADDR="198.51.100.7")
    # then
    assert_locked_out_page(response)


def test_an_address_that_tries_many_usernames_is_locked(client, provider_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        portal_try(client, f"gok{n}", WRONG, REMOTE_ADDR="203.0.113.9")
    # when: a real account from that address
    response = portal_try(client, provider_user.username, PASSWORD, REMOTE_ADDR="203.0.113.9")
    # then: locked; the same account from elsewhere is not
    assert_locked_out_page(response)
    assert portal_try(client, provider_user.username, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, provider_user, settings):
    # given
    start = clock.now()
    with clock.travel(start):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            portal_try(client, provider_user.username, WRONG)
        assert_locked_out_page(portal_try(client, provider_user.username, PASSWORD))
    # when: the cool-off has passed
    with clock.travel(start + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)):
        response = portal_try(client, provider_user.username, PASSWORD)
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(provider_user.pk)


def test_a_successful_login_resets_the_count(client, provider_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        portal_try(client, provider_user.username, WRONG)
    assert portal_try(client, provider_user.username, PASSWORD).status_code == 302
    client.logout()
    # when: one more failure after the successful login
    response = portal_try(client, provider_user.username, WRONG)
    # then: the form again, not the lockout
    assert response.status_code == 200


def test_the_lockout_keeps_no_password_or_code_that_was_typed(client, api_client, provider_user):
    # when
    admin_try(client, provider_user.username, "geheim-admin-1")
    portal_try(client, provider_user.username, "geheim-portaal-2")
    api_try(api_client, provider_user.username, "geheim-api-3")
    # then
    stored = " ".join(f"{a.username} {a.get_data} {a.post_data}" for a in AccessAttempt.objects.all())
    assert AccessAttempt.objects.exists()
    assert "geheim" not in stored


@override_settings(LOGIN_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_a_reverse_proxy_the_client_address_comes_from_the_configured_header(rf):
    request = rf.get("/", HTTP_X_REAL_IP="198.51.100.23", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "198.51.100.23"


def test_without_a_proxy_header_the_client_address_is_the_peer(rf):
    request = rf.get("/", HTTP_X_REAL_IP="198.51.100.23", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"

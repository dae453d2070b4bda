"""An officer's session ends after OFFICER_SESSION_IDLE_MINUTES without a request; activity keeps it
alive. Provider users keep the ordinary session age. The clock moves with core.clock.travel."""

import datetime

import pytest

from core import clock

from .logins import ADMIN_LOGIN, PASSWORD, PORTAL_LOGIN, admin_login, with_authenticator_app

pytestmark = pytest.mark.django_db


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def test_the_idle_limit_is_a_setting_of_fifteen_minutes_by_default(settings):
    assert settings.OFFICER_SESSION_IDLE_MINUTES == 15


def test_an_officer_is_logged_out_after_the_idle_minutes(client, officer, settings):
    idle = settings.OFFICER_SESSION_IDLE_MINUTES
    with_authenticator_app(officer)
    with clock.travel(clock.now(), tick=False) as traveller:
        admin_login(client, officer)
        # when: just under the limit, the officer is still in, and that request counts as activity
        traveller.shift(minutes(idle - 1))
        assert client.get("/admin/").status_code == 200
        traveller.shift(minutes(idle - 1))
        assert client.get("/admin/").status_code == 200
        # when: longer than the limit without a request
        traveller.shift(minutes(idle + 1))
        response = client.get("/admin/")
    # then
    assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_follows_the_setting(client, officer, settings):
    settings.OFFICER_SESSION_IDLE_MINUTES = 5
    with_authenticator_app(officer)
    with clock.travel(clock.now(), tick=False) as traveller:
        admin_login(client, officer)
        traveller.shift(minutes(6))
        response = client.get("/admin/")
    assert response.status_code == 302


def test_a_staff_session_without_second_factor_also_expires(client, officer, settings):
    with clock.travel(clock.now(), tick=False) as traveller:
        client.post(
            ADMIN_LOGIN,
            {
                "admin_login_view-current_step": "auth",
                "auth-username": officer.username,
                "auth-password": PASSWORD,
            },
        )
        assert client.session.get_expiry_age() == settings.OFFICER_SESSION_IDLE_MINUTES * 60
        traveller.shift(minutes(settings.OFFICER_SESSION_IDLE_MINUTES + 1))
        assert "_auth_user_id" not in client.session


def test_a_provider_user_keeps_the_ordinary_session_age(client, provider_user, settings):
    with clock.travel(clock.now(), tick=False) as traveller:
        client.post(PORTAL_LOGIN, {"username": provider_user.username, "password": PASSWORD})
        # when: an hour without a request
        traveller.shift(minutes(60))
        response = client.get("/portal/")
    # then
    assert response.status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE

"""Failed logins in the permanent trail: what was typed is kept only when it names an existing account
(otherwise a keyed hash), at most one event per account, and one for all unknown names together, per
window (AUDIT_LOGIN_FAILURE_WINDOW_MINUTES); anonymous requests cannot grow the chain without bound."""

import base64
import datetime
import secrets

import pytest

from audit.models import AuditEvent, LoginFailureWindow
from audit.receivers import audit_login_failed
from audit.services import login_failure_record, username_hash, verify_trail
from core import clock
from tests import factories
from tests.admin.helpers import admin_login_form

# HTTP basic authentication on the API is off by default; these tests check it where it is allowed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("basic_auth_on")]

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def failed_events():
    return list(AuditEvent.objects.filter(event="user.login_failed").order_by("id"))


def stored_text(event: AuditEvent) -> str:
    return f"{event.data} {event.reason} {event.subject_repr} {event.actor_name}"


def test_a_password_typed_as_username_is_never_stored(client):
    # given someone types their password into the username field
    typed = "Zomer-2026!geheim"
    # when
    client.post("/admin/login/", admin_login_form(typed, "wat-dan-ook"))
    # then only a keyed hash of it is kept
    (event,) = failed_events()
    assert event.data == {"usernameHash": username_hash(typed), "channel": "admin"}
    assert typed not in stored_text(event)
    assert username_hash(typed) != username_hash("Zomer-2026!geheiM")


def test_the_keyed_hash_depends_on_the_secret_key(settings):
    before = username_hash("niemand")
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert username_hash("niemand") != before


def test_an_existing_account_is_named(client):
    user = factories.officer(username="inkoper")
    client.post("/admin/login/", admin_login_form("inkoper", "fout-geraden-42"))
    (event,) = failed_events()
    assert event.data == {"username": "inkoper", "channel": "admin"}
    assert (event.subject_type, event.subject_repr, event.actor) == ("auth.user", "inkoper", None)
    assert user.get_username() in stored_text(event)


def test_failures_of_one_account_are_one_event_per_window():
    factories.officer(username="inkoper")
    # given five failures within the window: one event, four counted
    with clock.travel(START, tick=False):
        for _ in range(5):
            login_failure_record(username="inkoper", channel="admin")
    assert len(failed_events()) == 1
    assert LoginFailureWindow.objects.get(bucket__startswith="user:").attempts == 5
    # when the window has passed
    with clock.travel(START + datetime.timedelta(minutes=15), tick=False):
        login_failure_record(username="inkoper", channel="portal")
    # then the next event reports the failures that were only counted
    first, second = failed_events()
    assert second.data == {"username": "inkoper", "channel": "portal", "unrecordedAttempts": 4}


def test_the_window_is_a_setting(settings):
    settings.AUDIT_LOGIN_FAILURE_WINDOW_MINUTES = 1
    with clock.travel(START, tick=False):
        login_failure_record(username="x", channel="api")
    with clock.travel(START + datetime.timedelta(seconds=59), tick=False):
        login_failure_record(username="y", channel="api")
    with clock.travel(START + datetime.timedelta(minutes=2), tick=False):
        login_failure_record(username="z", channel="api")
    assert [e.data.get("unrecordedAttempts") for e in failed_events()] == [None, 1]


def test_500_failed_logins_with_random_usernames_add_one_event(client, api_client):
    # given a fuzz run: random usernames through the admin's form and the API's basic authentication
    typed = [f"fuzz-{secrets.token_hex(6)}" for _ in range(500)]
    before = AuditEvent.objects.count()
    # when
    for n, name in enumerate(typed):
        if n % 2:
            client.post("/admin/login/", admin_login_form(name, "x"))
        else:
            token = base64.b64encode(f"{name}:x".encode()).decode()
            api_client.get("/api/v1/providers", HTTP_AUTHORIZATION=f"Basic {token}")
    # then the chain grew by one event, which names nobody; the attempts are counted outside the chain
    assert AuditEvent.objects.count() - before == 1
    (event,) = failed_events()
    assert set(event.data) == {"usernameHash", "channel"}
    assert not any(name in stored_text(event) for name in typed)
    assert LoginFailureWindow.objects.get(bucket="unknown").attempts == 500
    assert verify_trail().intact


def test_unknown_names_do_not_hide_the_failures_of_an_existing_account():
    factories.officer(username="inkoper")
    with clock.travel(START, tick=False):
        for n in range(100):
            login_failure_record(username=f"fuzz-{n}", channel="admin")
        login_failure_record(username="inkoper", channel="admin")
    assert [e.data.get("username", "(unknown)") for e in failed_events()] == ["(unknown)", "inkoper"]


def test_a_failed_login_outside_a_request_is_no_event():
    audit_login_failed(sender=None, credentials={"username": "niemand"}, request=None)
    assert failed_events() == []

"""Logins, logouts and failed logins are events in the audit trail; the password never is."""

import pytest

from audit.models import AuditEvent
from audit.services import username_hash, verify_chain
from tests import factories
from tests.admin.helpers import admin_login_form

# HTTP basic authentication on the API is off by default; these tests check it where it is allowed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("basic_auth_on")]

PASSWORD = "wachtwoord-123"  # tests.factories.UserFactory


def test_a_login_through_the_admin_form_is_recorded(client):
    # given
    user = factories.officer(username="inkoper")
    # when
    response = client.post("/admin/login/", admin_login_form("inkoper", PASSWORD))
    # then
    assert response.status_code == 302
    event = AuditEvent.objects.get(event="user.logged_in")
    assert (event.actor, event.actor_name, event.subject_type, event.subject_repr) == (
        user,
        "inkoper",
        "auth.user",
        "inkoper",
    )
    assert event.data == {"channel": "admin"}


def test_a_failed_login_records_the_username_tried_but_never_the_password(client):
    factories.officer(username="inkoper")
    # when
    client.post("/admin/login/", admin_login_form("inkoper", "fout-geraden-42"))
    # then
    event = AuditEvent.objects.get(event="user.login_failed")
    assert event.actor is None and event.actor_name == "system"
    assert event.data == {"username": "inkoper", "channel": "admin"}
    stored = str(event.data) + event.reason + event.subject_repr
    assert "fout-geraden-42" not in stored and "*" not in stored
    assert not AuditEvent.objects.filter(event="user.logged_in").exists()


def test_a_failed_basic_authentication_on_the_api_is_recorded(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Basic bmllbWFuZDpmb3V0")  # niemand:fout
    response = api_client.get("/api/v1/providers")
    assert response.status_code in (401, 403)
    event = AuditEvent.objects.get(event="user.login_failed")
    # "niemand" names no account: only its keyed hash is kept (tests/audit/test_login_failures.py)
    assert event.data == {"usernameHash": username_hash("niemand"), "channel": "api"}


def test_a_logout_is_recorded_and_the_chain_stays_intact(client):
    user = factories.auditor(username="accountant")
    client.post("/admin/login/", admin_login_form("accountant", PASSWORD))
    # when
    client.post("/admin/logout/")
    # then
    assert [e.event for e in AuditEvent.objects.order_by("id")] == ["user.logged_in", "user.logged_out"]
    assert AuditEvent.objects.get(event="user.logged_out").actor == user
    assert list(verify_chain()) == []


def test_force_login_outside_a_request_is_no_authentication_event(client):
    client.force_login(factories.officer())
    assert not AuditEvent.objects.exists()


def test_an_edit_in_the_admin_is_copied_into_the_audit_trail(client_for, officer):
    from tests.admin.helpers import change_url

    tariff = factories.TariffFactory()
    data = {
        "authority": tariff.authority_id,
        "product": tariff.product_id,
        "year": tariff.year,
        "amount": "64.50",
        "indexation_pct": "0",
    }
    # when
    response = client_for(officer).post(change_url(tariff), data)
    # then
    assert response.status_code == 302, response.content
    event = AuditEvent.objects.get(event="tariff.changed")
    assert (event.actor, event.subject_uuid, event.subject_type) == (
        officer,
        tariff.uuid,
        "contracting.tariff",
    )
    assert event.data["via"] == "admin"
    assert len(event.data["changes"][0]["changed"]["fields"]) == 1  # the amount (its label, translated)
    assert list(verify_chain()) == []

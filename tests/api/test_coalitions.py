"""Coalitions and memberships: scoping, transitions and the lead invariant."""

import pytest

from audit.models import AuditEvent
from coalitions.models import CoalitionStatus, MembershipRole, MembershipStatus
from tests import factories
from tests.api.helpers import assert_problem, transition_url, uuids

pytestmark = pytest.mark.django_db


def test_coalition_shows_its_active_lead(api_for, officer):
    # given
    lead = factories.MembershipFactory(lead=True, active=True)
    factories.MembershipFactory(coalition=lead.coalition, active=True)
    # when
    response = api_for(officer).get(f"/api/v1/coalitions/{lead.coalition.uuid}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["lead"] == {"uuid": str(lead.provider.uuid), "name": lead.provider.name}
    assert body["availableTransitions"] == ["activate"]


def test_provider_user_lists_only_coalitions_with_own_membership(api_for, provider, provider_user):
    # given
    own = factories.MembershipFactory(provider=provider)
    factories.MembershipFactory()
    factories.CoalitionFactory()
    # when
    response = api_for(provider_user).get("/api/v1/coalitions")
    # then
    assert uuids(response) == {str(own.coalition.uuid)}


def test_provider_user_lists_only_own_memberships(api_for, provider, provider_user):
    # given
    own = factories.MembershipFactory(provider=provider)
    factories.MembershipFactory(coalition=own.coalition)  # a fellow member's row
    # when
    response = api_for(provider_user).get("/api/v1/memberships")
    # then
    assert uuids(response) == {str(own.uuid)}


def test_provider_user_gets_404_on_other_coalitions_and_memberships(api_for, provider, provider_user):
    # given
    own = factories.MembershipFactory(provider=provider, active=True)
    fellow = factories.MembershipFactory(coalition=own.coalition, active=True)
    other_coalition = factories.CoalitionFactory(active=True)
    client = api_for(provider_user)
    # when
    responses = [
        client.get(f"/api/v1/coalitions/{other_coalition.uuid}"),
        client.get(f"/api/v1/coalitions/{other_coalition.uuid}/events"),
        client.post(
            transition_url("coalitions", other_coalition, "dissolve"), {"reason": "x"}, format="json"
        ),
        client.get(f"/api/v1/memberships/{fellow.uuid}"),
        client.get(f"/api/v1/memberships/{fellow.uuid}/events"),
        client.post(transition_url("memberships", fellow, "exit"), format="json"),
    ]
    # then
    for response in responses:
        assert_problem(response, 404, "not_found")
    fellow.refresh_from_db()
    assert fellow.status == MembershipStatus.ACTIVE


def test_activate_without_lead_names_the_lead_count(api_for, officer):
    # given
    coalition = factories.CoalitionFactory()
    factories.MembershipFactory(coalition=coalition, active=True)
    # when
    response = api_for(officer).post(transition_url("coalitions", coalition, "activate"), format="json")
    # then
    body = assert_problem(response, 409, "guard_failed")
    assert [u["code"] for u in body["unmet"]] == ["lead_count"]


def test_activate_with_one_active_lead(api_for, officer):
    # given
    lead = factories.MembershipFactory(lead=True, active=True)
    # when
    response = api_for(officer).post(transition_url("coalitions", lead.coalition, "activate"), format="json")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert AuditEvent.objects.get(subject_uuid=lead.coalition.uuid).event == "coalition.activated"


def test_dissolve_needs_a_reason(api_for, officer):
    # given
    coalition = factories.CoalitionFactory(active=True)
    # when
    response = api_for(officer).post(transition_url("coalitions", coalition, "dissolve"), format="json")
    # then
    assert_problem(response, 400, "reason_required")
    coalition.refresh_from_db()
    assert coalition.status == CoalitionStatus.ACTIVE


def test_officer_admits_a_membership(api_for, officer):
    # given
    membership = factories.MembershipFactory()
    # when
    response = api_for(officer).post(transition_url("memberships", membership, "admit"), format="json")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "admitted"
    assert body["coalition"] == {"uuid": str(membership.coalition.uuid), "name": membership.coalition.name}


def test_lead_of_an_active_coalition_cannot_exit(api_for, officer):
    # given
    coalition = factories.CoalitionFactory(active=True)
    lead = factories.MembershipFactory(coalition=coalition, lead=True, active=True)
    # when
    response = api_for(officer).post(transition_url("memberships", lead, "exit"), format="json")
    # then
    body = assert_problem(response, 409, "guard_failed")
    assert [u["code"] for u in body["unmet"]] == ["lead_without_successor"]


def test_make_lead_hands_over_the_lead(api_for, officer):
    # given
    coalition = factories.CoalitionFactory(active=True)
    old_lead = factories.MembershipFactory(coalition=coalition, lead=True, active=True)
    member = factories.MembershipFactory(coalition=coalition, active=True)
    client = api_for(officer)
    etag = client.get(f"/api/v1/memberships/{member.uuid}")["ETag"]
    # when
    response = client.post(
        transition_url("memberships", member, "make_lead"), format="json", HTTP_IF_MATCH=etag
    )
    # then
    assert response.status_code == 200
    assert response.json()["role"] == "lead"
    assert "make_lead" not in response.json()["availableTransitions"]
    old_lead.refresh_from_db()
    assert old_lead.role == MembershipRole.MEMBER


def test_memberships_filter_by_role(api_for, officer):
    # given
    lead = factories.MembershipFactory(lead=True)
    factories.MembershipFactory(coalition=lead.coalition)
    # when
    response = api_for(officer).get("/api/v1/memberships", {"role": "lead"})
    # then
    assert uuids(response) == {str(lead.uuid)}

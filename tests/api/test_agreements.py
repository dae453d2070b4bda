"""Agreements: scoping, transitions, refusals, ETag / If-Match and the audit trail."""

import pytest

from django.conf import settings

from audit.models import AuditEvent
from coalitions.models import MembershipStatus
from contracting.models import AgreementStatus, SubAgreement
from tests import factories
from tests.api.helpers import assert_problem, transition_url, uuids

pytestmark = pytest.mark.django_db


def test_officer_reads_an_agreement_with_its_lots_and_transitions(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    lot = factories.LotFactory()
    SubAgreement.objects.create(agreement=agreement, lot=lot)
    # when
    response = api_for(officer).get(f"/api/v1/agreements/{agreement.uuid}")
    # then
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert body["reference"] == agreement.reference
    assert body["provider"] == {"uuid": str(agreement.provider.uuid), "name": agreement.provider.name}
    assert body["coalition"] is None
    assert body["lots"] == [{"uuid": str(lot.uuid), "number": lot.number, "name": lot.name}]
    assert body["availableTransitions"] == [
        "suspend",
        "request_termination",
        "expire",
        "extend",
    ]


def test_provider_user_lists_own_agreements_and_those_of_their_coalitions(api_for, provider, provider_user):
    # given
    own = factories.AgreementFactory(provider=provider)
    membership = factories.MembershipFactory(provider=provider, status=MembershipStatus.ACTIVE)
    coalition_agreement = factories.AgreementFactory(provider=None, coalition=membership.coalition)
    factories.AgreementFactory()  # another provider's
    factories.AgreementFactory(provider=None, coalition=factories.CoalitionFactory())  # another coalition's
    # when
    response = api_for(provider_user).get("/api/v1/agreements")
    # then
    assert uuids(response) == {str(own.uuid), str(coalition_agreement.uuid)}


def test_provider_user_sees_no_officer_transitions(api_for, provider, provider_user):
    # given
    agreement = factories.AgreementFactory(provider=provider, active=True)
    # when
    response = api_for(provider_user).get(f"/api/v1/agreements/{agreement.uuid}")
    # then
    assert response.json()["availableTransitions"] == []


def test_provider_user_gets_404_on_another_providers_agreement(api_for, provider_user):
    # given
    other = factories.AgreementFactory(active=True)
    client = api_for(provider_user)
    # when
    detail = client.get(f"/api/v1/agreements/{other.uuid}")
    transition = client.post(transition_url("agreements", other, "suspend"), {"reason": "x"}, format="json")
    events = client.get(f"/api/v1/agreements/{other.uuid}/events")
    # then
    for response in (detail, transition, events):
        assert_problem(response, 404, "not_found")
    other.refresh_from_db()
    assert other.status == AgreementStatus.ACTIVE
    assert not AuditEvent.objects.exists()


def test_officer_suspends_an_agreement(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = api_for(officer).post(
        transition_url("agreements", agreement, "suspend"), {"reason": "Signaal IGJ"}, format="json"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["suspensionReason"]) == ("suspended", "Signaal IGJ")
    assert "reinstate" in body["availableTransitions"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    event = AuditEvent.objects.get(subject_uuid=agreement.uuid)
    assert (event.event, event.from_state, event.to_state) == ("agreement.suspended", "active", "suspended")


def test_suspend_needs_a_reason(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = api_for(officer).post(transition_url("agreements", agreement, "suspend"), format="json")
    # then
    assert_problem(response, 400, "reason_required")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_suspend_a_draft_is_an_invalid_transition(api_for, officer):
    # given
    agreement = factories.AgreementFactory()
    # when
    response = api_for(officer).post(
        transition_url("agreements", agreement, "suspend"), {"reason": "x"}, format="json"
    )
    # then
    body = assert_problem(response, 409, "invalid_transition")
    assert body["currentStatus"] == "draft"
    assert not AuditEvent.objects.exists()


def test_activate_unsigned_agreement_names_the_unmet_guard(api_for, officer):
    # given
    agreement = factories.AgreementFactory(offered=True, signed_on=None)
    # when
    response = api_for(officer).post(transition_url("agreements", agreement, "activate"), format="json")
    # then
    body = assert_problem(response, 409, "guard_failed")
    assert "not_signed" in {u["code"] for u in body["unmet"]}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OFFERED


def test_unknown_transition_is_a_404_problem(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = api_for(officer).post(transition_url("agreements", agreement, "teleport"), format="json")
    # then
    assert_problem(response, 404, "unknown_transition")


def test_stale_if_match_is_refused_with_412(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    client = api_for(officer)
    etag = client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]
    client.post(transition_url("agreements", agreement, "suspend"), {"reason": "Eerste"}, format="json")
    # when
    response = client.post(
        transition_url("agreements", agreement, "reinstate"), format="json", HTTP_IF_MATCH=etag
    )
    # then
    assert_problem(response, 412, "precondition_failed")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    assert AuditEvent.objects.filter(subject_uuid=agreement.uuid).count() == 1


def test_current_if_match_is_accepted_and_a_new_etag_returned(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    client = api_for(officer)
    etag = client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]
    # when
    response = client.post(
        transition_url("agreements", agreement, "suspend"),
        {"reason": "Onderzoek"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    # then
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["ETag"] == client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]


def test_responses_carry_the_full_api_version(api_for, officer):
    # when
    response = api_for(officer).get("/api/v1/agreements")
    # then
    assert response["API-Version"] == settings.SPECTACULAR_SETTINGS["VERSION"]


def test_etag_is_stable_while_nothing_changes(api_for, officer):
    # given
    agreement = factories.AgreementFactory()
    client = api_for(officer)
    # when
    first = client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]
    second = client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]
    # then
    assert first == second
    assert first.startswith('"') and first.endswith('"')


def test_termination_needs_a_second_officer(api_for, officer, second_officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    api_for(officer).post(
        transition_url("agreements", agreement, "request_termination"),
        {"reason": "Kwaliteit onvoldoende"},
        format="json",
    )
    # when
    same_officer = api_for(officer).post(transition_url("agreements", agreement, "terminate"), format="json")
    other_officer = api_for(second_officer).post(
        transition_url("agreements", agreement, "terminate"), format="json"
    )
    # then
    body = assert_problem(same_officer, 409, "guard_failed")
    assert [u["code"] for u in body["unmet"]] == ["four_eyes_required"]
    assert other_officer.status_code == 200
    assert other_officer.json()["status"] == "terminating"


def test_events_list_the_transitions_oldest_first(api_for, officer, provider, provider_user):
    # given
    agreement = factories.AgreementFactory(provider=provider, active=True)
    client = api_for(officer)
    client.post(transition_url("agreements", agreement, "suspend"), {"reason": "Onderzoek"}, format="json")
    client.post(transition_url("agreements", agreement, "reinstate"), format="json")
    # when
    response = api_for(provider_user).get(f"/api/v1/agreements/{agreement.uuid}/events")
    # then
    assert response.status_code == 200
    events = response.json()["results"]
    assert [(e["event"], e["fromState"], e["toState"]) for e in events][0] == (
        "agreement.suspended",
        "active",
        "suspended",
    )
    assert events[0]["actor"] == officer.username
    assert events[0]["reason"] == "Onderzoek"
    assert len(events[0]["hash"]) == 64


def test_agreements_filter_by_status_and_provider(api_for, officer):
    # given
    wanted = factories.AgreementFactory(active=True)
    factories.AgreementFactory(active=True)
    factories.AgreementFactory(provider=wanted.provider)
    # when
    response = api_for(officer).get(
        "/api/v1/agreements", {"status": "active", "provider": str(wanted.provider.uuid)}
    )
    # then
    assert uuids(response) == {str(wanted.uuid)}


def test_if_none_match_with_the_current_etag_answers_304_without_a_body(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    client = api_for(officer)
    etag = client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]
    # when
    unchanged = client.get(f"/api/v1/agreements/{agreement.uuid}", HTTP_IF_NONE_MATCH=f'"other", {etag}')
    client.post(transition_url("agreements", agreement, "suspend"), {"reason": "Onderzoek IGJ"})
    changed = client.get(f"/api/v1/agreements/{agreement.uuid}", HTTP_IF_NONE_MATCH=etag)
    # then
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_if_none_match_does_not_reveal_an_invisible_object(api_for, provider_user):
    agreement = factories.AgreementFactory()  # another provider's
    response = api_for(provider_user).get(f"/api/v1/agreements/{agreement.uuid}", HTTP_IF_NONE_MATCH="*")
    assert_problem(response, 404, "not_found")

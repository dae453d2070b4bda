"""Applications: provider users act on their own, officers assess and decide."""

import pytest

from audit.models import AuditEvent
from contracting.models import ApplicationAssessment, ApplicationStatus
from tests import factories
from tests.api.helpers import assert_problem, transition_url, uuids

pytestmark = pytest.mark.django_db


def test_provider_user_lists_only_own_applications(api_for, provider, provider_user):
    # given
    own = factories.ApplicationFactory(provider=provider)
    factories.ApplicationFactory.create_batch(2)
    # when
    response = api_for(provider_user).get("/api/v1/applications")
    # then
    assert uuids(response) == {str(own.uuid)}


def test_application_detail_shows_lots_assessments_and_own_transitions(
    api_for, provider, provider_user, officer
):
    # given
    application = factories.ApplicationFactory(provider=provider)
    # when
    response = api_for(provider_user).get(f"/api/v1/applications/{application.uuid}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["provider"] == {"uuid": str(provider.uuid), "name": provider.name}
    assert body["procedure"]["reference"] == application.procedure.reference
    assert [lot["uuid"] for lot in body["lots"]] == [str(lot.uuid) for lot in application.lots.all()]
    assert body["assessments"] == []
    assert body["availableTransitions"] == ["submit", "withdraw"]


def test_provider_user_submits_own_application(api_for, provider, provider_user):
    # given
    application = factories.ApplicationFactory(provider=provider)
    # when
    response = api_for(provider_user).post(transition_url("applications", application, "submit"))
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["submittedAt"] is not None
    assert response.json()["availableTransitions"] == ["withdraw"]
    event = AuditEvent.objects.get(subject_uuid=application.uuid)
    assert (event.event, event.actor) == ("application.submitted", provider_user)


def test_provider_user_gets_404_on_another_providers_application(api_for, provider_user):
    # given
    other = factories.ApplicationFactory()
    client = api_for(provider_user)
    # when
    detail = client.get(f"/api/v1/applications/{other.uuid}")
    transition = client.post(transition_url("applications", other, "withdraw"), format="json")
    events = client.get(f"/api/v1/applications/{other.uuid}/events")
    assessment = client.post(
        f"/api/v1/applications/{other.uuid}/assessments",
        {"step": "suitability", "passed": True, "reasoning": "ok"},
        format="json",
    )
    # then
    for response in (detail, transition, events, assessment):
        assert_problem(response, 404, "not_found")
    other.refresh_from_db()
    assert other.status == ApplicationStatus.DRAFT


def test_provider_user_may_not_start_the_review(api_for, provider, provider_user):
    # given
    application = factories.ApplicationFactory(provider=provider, submitted=True)
    # when
    response = api_for(provider_user).post(transition_url("applications", application, "start_review"))
    # then
    assert_problem(response, 403, "transition_forbidden")


def test_officer_records_an_assessment(api_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    # when
    response = api_for(officer).post(
        f"/api/v1/applications/{application.uuid}/assessments",
        {"step": "exclusion_grounds", "passed": True, "reasoning": "Geen uitsluitingsgronden."},
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["step"], body["passed"], body["assessedBy"]) == ("exclusion_grounds", True, officer.username)
    assert ApplicationAssessment.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.get(subject_uuid=application.uuid).event == "application.assessed"


def test_assessment_input_is_validated(api_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    # when
    response = api_for(officer).post(
        f"/api/v1/applications/{application.uuid}/assessments", {"step": "astrology"}, format="json"
    )
    # then
    body = assert_problem(response, 400, "invalid")
    assert {(p["name"], p["code"]) for p in body["invalidParams"]} == {
        ("step", "invalid_choice"),
        ("passed", "required"),
        ("reasoning", "required"),
    }


def test_assessment_outside_review_is_an_invalid_transition(api_for, officer):
    # given
    application = factories.ApplicationFactory(submitted=True)
    # when
    response = api_for(officer).post(
        f"/api/v1/applications/{application.uuid}/assessments",
        {"step": "suitability", "passed": True, "reasoning": "ok"},
        format="json",
    )
    # then
    assert_problem(response, 409, "invalid_transition")


def test_provider_user_may_not_assess(api_for, provider, provider_user):
    # given
    application = factories.ApplicationFactory(provider=provider, under_review=True)
    # when
    response = api_for(provider_user).post(
        f"/api/v1/applications/{application.uuid}/assessments",
        {"step": "suitability", "passed": True, "reasoning": "Zelf beoordeeld"},
        format="json",
    )
    # then
    assert_problem(response, 403, "transition_forbidden")
    assert not ApplicationAssessment.objects.exists()


def test_admit_without_assessments_lists_unassessed_steps(api_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    # when
    response = api_for(officer).post(transition_url("applications", application, "admit"), format="json")
    # then
    body = assert_problem(response, 409, "guard_failed")
    assert "step_not_assessed" in {u["code"] for u in body["unmet"]}


def test_reject_needs_a_reason(api_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer, fail={"suitability"})
    # when
    response = api_for(officer).post(transition_url("applications", application, "reject"), format="json")
    # then
    assert_problem(response, 400, "reason_required")


def test_reject_with_reason_after_a_failed_step(api_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer, fail={"suitability"})
    # when
    response = api_for(officer).post(
        transition_url("applications", application, "reject"),
        {"reason": "Niet geschikt"},
        format="json",
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert len(response.json()["assessments"]) == 3


def test_applications_filter_by_procedure(api_for, officer):
    # given
    wanted = factories.ApplicationFactory()
    factories.ApplicationFactory()
    # when
    response = api_for(officer).get("/api/v1/applications", {"procedure": str(wanted.procedure.uuid)})
    # then
    assert uuids(response) == {str(wanted.uuid)}

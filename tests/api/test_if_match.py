"""Optimistic locking: every change of an existing object through the API names the version it saw.

Missing ``If-Match`` answers 428, a stale one 412; both only after the permission check (a caller who
may not make the change learns nothing about versions), and neither changes anything."""

import io

import pytest

from audit.models import AuditEvent
from compliance.models import DocumentStatus, DocumentVersion
from contracting.models import AgreementStatus, ApplicationAssessment
from contracting.services import application_assess
from tests import factories
from tests.api.helpers import assert_problem, fresh_client, transition_url
from tests.compliance import files
from tests.compliance.documents.helpers import requested

pytestmark = pytest.mark.django_db

NO_HEADER = {"HTTP_IF_MATCH": None}  # tests.api_client: send no If-Match at all
STALE = '"0123456789abcdef0123456789abcdef"'
ASSESSMENT = {"step": "exclusion_grounds", "passed": True, "reasoning": "Geen uitsluitingsgronden."}


def post_file(client, document, **extra):
    upload = io.BytesIO(files.pdf())
    upload.name = "beleid.pdf"
    return client.post(
        f"/api/v1/documents/{document.uuid}/versions", {"file": upload}, format="multipart", **extra
    )


# --------------------------------------------------------------------------- transitions


def test_a_transition_without_if_match_is_refused_with_428_and_changes_nothing(officer):
    agreement = factories.AgreementFactory(active=True)
    response = fresh_client(officer).post(
        transition_url("agreements", agreement, "suspend"),
        {"reason": "Onderzoek"},
        format="json",
        **NO_HEADER,
    )
    assert_problem(response, 428, "precondition_required")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert not AuditEvent.objects.filter(subject_uuid=agreement.uuid).exists()


def test_an_empty_if_match_counts_as_missing(officer):
    agreement = factories.AgreementFactory(active=True)
    response = fresh_client(officer).post(
        transition_url("agreements", agreement, "suspend"),
        {"reason": "Onderzoek"},
        format="json",
        HTTP_IF_MATCH="",
    )
    assert_problem(response, 428, "precondition_required")


def test_a_transition_with_the_current_etag_is_taken(officer):
    agreement = factories.AgreementFactory(active=True)
    client = fresh_client(officer)
    etag = client.get(f"/api/v1/agreements/{agreement.uuid}")["ETag"]
    response = client.post(
        transition_url("agreements", agreement, "suspend"),
        {"reason": "Onderzoek"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag


def test_an_auditor_with_a_stale_or_missing_if_match_gets_403_not_412():
    agreement = factories.AgreementFactory(active=True)
    client = fresh_client(factories.auditor())
    for extra in ({"HTTP_IF_MATCH": STALE}, NO_HEADER):
        response = client.post(
            transition_url("agreements", agreement, "suspend"), {"reason": "x"}, format="json", **extra
        )
        assert_problem(response, 403, "transition_forbidden")
        assert "ETag" not in response


def test_another_providers_user_with_a_stale_if_match_gets_404(provider_user):
    other = factories.ApplicationFactory()
    response = fresh_client(provider_user).post(
        transition_url("applications", other, "withdraw"), format="json", HTTP_IF_MATCH=STALE
    )
    assert_problem(response, 404, "not_found")


def test_a_provider_user_who_may_not_take_the_step_gets_403_not_412(provider, provider_user):
    application = factories.ApplicationFactory(provider=provider, submitted=True)
    response = fresh_client(provider_user).post(
        transition_url("applications", application, "start_review"), format="json", HTTP_IF_MATCH=STALE
    )
    assert_problem(response, 403, "transition_forbidden")


# --------------------------------------------------------------------------- assessments


def assess(client, application, **extra):
    return client.post(
        f"/api/v1/applications/{application.uuid}/assessments", ASSESSMENT, format="json", **extra
    )


def test_an_assessment_without_if_match_is_refused_with_428(officer):
    application = factories.ApplicationFactory(under_review=True)
    assert_problem(assess(fresh_client(officer), application, **NO_HEADER), 428, "precondition_required")
    assert not ApplicationAssessment.objects.filter(application=application).exists()
    assert not AuditEvent.objects.filter(subject_uuid=application.uuid).exists()


def test_an_assessment_changes_the_version_so_a_second_one_on_the_old_etag_is_412(officer):
    application = factories.ApplicationFactory(under_review=True)
    client = fresh_client(officer)
    etag = client.get(f"/api/v1/applications/{application.uuid}")["ETag"]
    first = assess(client, application, HTTP_IF_MATCH=etag)
    assert first.status_code == 201, first.content
    assert first["ETag"] != etag
    assert first["ETag"] == client.get(f"/api/v1/applications/{application.uuid}")["ETag"]
    # another officer, who read the application before the first assessment
    second = client.post(
        f"/api/v1/applications/{application.uuid}/assessments",
        {**ASSESSMENT, "passed": False, "reasoning": "Toch niet."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert_problem(second, 412, "precondition_failed")
    assessment = ApplicationAssessment.objects.get(application=application)
    assert (assessment.passed, assessment.reasoning) == (True, ASSESSMENT["reasoning"])
    assert AuditEvent.objects.filter(subject_uuid=application.uuid).count() == 1


def test_a_provider_user_assessing_with_a_stale_etag_gets_403(provider, provider_user):
    application = factories.ApplicationFactory(provider=provider, under_review=True)
    response = assess(fresh_client(provider_user), application, HTTP_IF_MATCH=STALE)
    assert_problem(response, 403, "transition_forbidden")


def test_the_service_without_if_match_is_not_an_http_call_and_needs_none(officer):
    application = factories.ApplicationFactory(under_review=True)
    application_assess(uuid=application.uuid, actor=officer, **ASSESSMENT)
    assert ApplicationAssessment.objects.filter(application=application).count() == 1


# --------------------------------------------------------------------------- document versions


def test_an_upload_without_if_match_is_refused_with_428_and_stores_nothing(provider, provider_user):
    document = requested(provider=provider)
    response = post_file(fresh_client(provider_user), document, **NO_HEADER)
    assert_problem(response, 428, "precondition_required")
    document.refresh_from_db()
    assert document.status == DocumentStatus.REQUESTED
    assert not DocumentVersion.objects.filter(document=document).exists()


def test_an_upload_on_a_stale_etag_is_refused_with_412(provider, provider_user):
    document = requested(provider=provider)
    client = fresh_client(provider_user)
    etag = client.get(f"/api/v1/documents/{document.uuid}")["ETag"]
    assert post_file(client, document, HTTP_IF_MATCH=etag).status_code == 201
    officer = factories.officer()
    officer_client = fresh_client(officer)
    officer_client.post(transition_url("documents", document, "start_review"), format="json")
    officer_client.post(
        transition_url("documents", document, "reject"), {"reason": "Onleesbaar"}, format="json"
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED
    # when: the provider uploads again on the version it read before its first upload
    response = post_file(client, document, HTTP_IF_MATCH=etag)
    # then
    assert_problem(response, 412, "precondition_failed")
    assert DocumentVersion.objects.filter(document=document).count() == 1


def test_an_upload_with_the_current_etag_answers_the_new_one(provider, provider_user):
    document = requested(provider=provider)
    client = fresh_client(provider_user)
    etag = client.get(f"/api/v1/documents/{document.uuid}")["ETag"]
    response = post_file(client, document, HTTP_IF_MATCH=etag)
    assert response.status_code == 201, response.content
    assert response["ETag"] == client.get(f"/api/v1/documents/{document.uuid}")["ETag"] != etag


def test_another_providers_user_uploading_with_a_stale_etag_gets_404(provider_user):
    document = requested()
    response = post_file(fresh_client(provider_user), document, HTTP_IF_MATCH=STALE)
    assert_problem(response, 404, "not_found")


def test_an_auditor_uploading_with_a_stale_etag_gets_403(provider):
    document = requested(provider=provider)
    response = post_file(fresh_client(factories.auditor()), document, HTTP_IF_MATCH=STALE)
    assert_problem(response, 403, "transition_forbidden")

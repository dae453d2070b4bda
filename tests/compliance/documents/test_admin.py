"""Reviewing documents in the admin: transition buttons, reason on rejection, versions with checksum and
a download link through the permission-checking view; constant-query changelist."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import AccountabilityDocument, DocumentRequirement, DocumentStatus
from tests.admin.helpers import change_url, changelist_url, transition_url
from tests.compliance.documents.helpers import uploaded

pytestmark = pytest.mark.django_db


def test_an_officer_accepts_a_document_with_the_transition_buttons(client_for, officer, provider_user):
    # given
    document = uploaded(provider_user)
    client = client_for(officer)
    # when
    page = client.get(change_url(document))
    client.post(transition_url(document, "start_review"), {"reason": ""})
    client.post(transition_url(document, "accept"), {"reason": ""})
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert document.sha256 in html
    assert f"/documents/{document.uuid}/versions/1/file" in html
    assert transition_url(document, "start_review") in html
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED
    assert document.reviewed_by == officer


def test_rejection_in_the_admin_needs_a_reason(client_for, officer, provider_user):
    document = uploaded(provider_user)
    client = client_for(officer)
    client.post(transition_url(document, "start_review"), {"reason": ""})
    refused = client.post(transition_url(document, "reject"), {"reason": ""})
    assert refused.status_code == 200  # the form again, with the error
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_REVIEW
    client.post(transition_url(document, "reject"), {"reason": "Handtekening ontbreekt"})
    document.refresh_from_db()
    assert (document.status, document.verdict_reason) == (DocumentStatus.REJECTED, "Handtekening ontbreekt")


def test_an_auditor_sees_but_cannot_review(client_for, auditor, provider_user):
    document = uploaded(provider_user)
    client = client_for(auditor)
    assert client.get(change_url(document)).status_code == 200
    assert client.post(transition_url(document, "start_review"), {"reason": ""}).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED


def test_the_download_link_works_for_officers_and_auditors(client_for, officer, auditor, provider_user):
    document = uploaded(provider_user)
    for user in (officer, auditor):
        response = client_for(user).get(f"/documents/{document.uuid}/versions/1/file")
        assert response.status_code == 200


def test_an_officer_adds_a_document_requirement(client_for, officer):
    from compliance.models import Condition, DocumentType

    client = client_for(officer)
    response = client.post(
        "/admin/compliance/documentrequirement/add/",
        {
            "document_type": DocumentType.objects.get(code="annual_accounts").pk,
            "condition": Condition.objects.get(code="anti_discrimination_policy").pk,
            "recurrence": "yearly",
            "due_rule": "fixed_date",
            "due_days": 0,
            "due_day": 1,
            "due_month": 6,
            "notice_days": 60,
            "starts_on": "2025-01-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DocumentRequirement.objects.count() == 1


def test_the_document_changelist_uses_a_constant_number_of_queries(client_for, officer, provider_user):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client_for(officer).get(changelist_url(AccountabilityDocument)).status_code == 200
        return len(queries)

    uploaded(provider_user)
    count()  # warm up the caches of the first request (content types, permissions), which hid an N+1 before
    few = count()
    for _ in range(5):
        uploaded(provider_user)
    assert count() == few

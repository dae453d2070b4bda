"""/api/v1/documents: scoped lists and details, multipart upload with the same checks as the portal,
permissioned downloads, review through the transitions endpoint."""

import io

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from compliance.models import DocumentStatus, DocumentVersion
from core import clock
from tests import factories
from tests.api.helpers import assert_problem, fresh_client, transition_url, uuids
from tests.compliance import files
from tests.compliance.documents.helpers import requested, uploaded

pytestmark = pytest.mark.django_db


def post_file(client, document, data: bytes, name: str, **extra):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        f"/api/v1/documents/{document.uuid}/versions", {"file": upload, **extra}, format="multipart"
    )


# --------------------------------------------------------------------------- visibility


def test_a_provider_user_lists_only_their_own_documents(provider, provider_user):
    # given
    own = requested(provider=provider)
    requested()  # another provider's
    # when
    response = fresh_client(provider_user).get("/api/v1/documents")
    # then
    assert response.status_code == 200
    assert uuids(response) == {str(own.uuid)}


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_list_every_document(role):
    user = getattr(factories, role)()
    docs = [requested(), requested()]
    response = fresh_client(user).get("/api/v1/documents")
    assert uuids(response) == {str(d.uuid) for d in docs}


@pytest.mark.parametrize(
    "path",
    ["", "/file", "/versions/1/file", "/events"],
)
def test_another_providers_document_is_not_found_by_any_route(provider_user, officer, path):
    # given: a document of another provider, with a file
    other = uploaded(officer, requested())
    # when
    response = fresh_client(provider_user).get(f"/api/v1/documents/{other.uuid}{path}")
    # then
    assert_problem(response, 404, "not_found")


def test_a_provider_user_cannot_upload_for_another_provider(provider_user, document_storage_in_tmp):
    other = requested()
    response = post_file(fresh_client(provider_user), other, files.pdf(), "beleid.pdf")
    assert_problem(response, 404, "not_found")
    assert not DocumentVersion.objects.exists()
    assert not document_storage_in_tmp.exists() or not any(document_storage_in_tmp.rglob("*.pdf"))


def test_a_guessed_uuid_is_not_found(provider_user):
    import uuid

    response = fresh_client(provider_user).get(f"/api/v1/documents/{uuid.uuid4()}/file")
    assert_problem(response, 404, "not_found")


# --------------------------------------------------------------------------- upload


def test_upload_creates_a_version_and_submits(provider, provider_user):
    # given
    document = requested(provider=provider)
    data = files.pdf()
    # when
    response = post_file(fresh_client(provider_user), document, data, "Beleid 2025.pdf")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    version = body["versions"][0]
    assert (version["number"], version["filename"], version["size"]) == (1, "Beleid-2025.pdf", len(data))
    assert version["contentType"] == "application/pdf"
    assert body["sha256"] == version["sha256"]
    assert version["downloadUrl"] == f"/api/v1/documents/{document.uuid}/versions/1/file"


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (lambda: b"", "leeg.pdf", "empty_file"),
        (files.encrypted_pdf, "beveiligd.pdf", "encrypted_pdf"),
        (files.broken_pdf, "kapot.pdf", "unreadable_pdf"),
        (files.docm, "beleid.docm", "macro_enabled"),
        (files.xlsm, "cijfers.xlsm", "macro_enabled"),
        (files.plain_zip, "stukken.zip", "archive_not_allowed"),
        (files.exe, "setup.exe", "executable_not_allowed"),
        (files.png, "scan.pdf", "extension_mismatch"),
        (files.legacy_doc, "oud.doc", "file_type_not_allowed"),
    ],
)
def test_refused_uploads_answer_a_problem_with_their_code(provider, provider_user, make, name, code):
    # given
    document = requested(provider=provider)
    # when
    response = post_file(fresh_client(provider_user), document, make(), name)
    # then
    body = assert_problem(response, 400, code)
    assert body["invalidParams"][0] == {"name": "file", "code": code, "reason": body["detail"]}
    document.refresh_from_db()
    assert document.status == DocumentStatus.REQUESTED
    assert not DocumentVersion.objects.exists()


def test_a_too_large_file_is_refused(provider, provider_user, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    response = post_file(fresh_client(provider_user), requested(provider=provider), files.pdf(), "a.pdf")
    body = assert_problem(response, 413, "file_too_large")  # refused while streaming: core.uploads
    assert body["maxBytes"] == 100


def test_upload_without_a_file_lists_the_missing_field(provider, provider_user):
    response = fresh_client(provider_user).post(
        f"/api/v1/documents/{requested(provider=provider).uuid}/versions", {}, format="multipart"
    )
    body = assert_problem(response, 400, "invalid")
    assert [p["name"] for p in body["invalidParams"]] == ["file"]


def test_the_date_of_a_document_with_a_maximum_age_is_required(provider, provider_user):
    from compliance.models import DocumentType

    document = requested(provider=provider, document_type=DocumentType.objects.get(code="kvk_extract"))
    response = post_file(fresh_client(provider_user), document, files.pdf(), "kvk.pdf")
    body = assert_problem(response, 400, "issued_on_required")
    assert body["invalidParams"][0]["name"] == "issuedOn"


def test_an_auditor_cannot_upload(auditor, provider):
    document = requested(provider=provider)
    response = post_file(fresh_client(auditor), document, files.pdf(), "beleid.pdf")
    assert_problem(response, 403, "transition_forbidden")
    assert not DocumentVersion.objects.exists()


def test_no_new_version_while_in_review(provider, provider_user, officer):
    document = uploaded(provider_user)
    fresh_client(officer).post(transition_url("documents", document, "start_review"), {}, format="json")
    response = post_file(fresh_client(provider_user), document, files.pdf(), "b.pdf")
    assert_problem(response, 409, "invalid_transition")


# --------------------------------------------------------------------------- download


def test_download_streams_the_file_as_an_attachment(provider, provider_user):
    # given
    data = files.pdf("inhoud")
    document = uploaded(provider_user, data=data, name="Beleid.pdf")
    # when
    response = fresh_client(provider_user).get(f"/api/v1/documents/{document.uuid}/file")
    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Beleid.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Checksum-SHA256"] == document.sha256


def test_download_accepts_any_accept_header(provider_user):
    document = uploaded(provider_user)
    response = fresh_client(provider_user).get(
        f"/api/v1/documents/{document.uuid}/versions/1/file", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200


def test_a_document_without_a_file_has_nothing_to_download(provider, provider_user):
    response = fresh_client(provider_user).get(f"/api/v1/documents/{requested(provider=provider).uuid}/file")
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_download_any_document(provider_user, role):
    document = uploaded(provider_user)
    response = fresh_client(getattr(factories, role)()).get(f"/api/v1/documents/{document.uuid}/file")
    assert response.status_code == 200


# --------------------------------------------------------------------------- review


def test_an_officer_reviews_and_accepts(provider_user, officer):
    # given
    document = uploaded(provider_user)
    client = fresh_client(officer)
    # when
    client.post(transition_url("documents", document, "start_review"), {}, format="json")
    response = client.post(transition_url("documents", document, "accept"), {}, format="json")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    assert body["validFrom"] is not None
    assert body["availableTransitions"] == ["expire"]


def test_rejection_needs_a_reason(provider_user, officer):
    document = uploaded(provider_user)
    client = fresh_client(officer)
    client.post(transition_url("documents", document, "start_review"), {}, format="json")
    assert_problem(
        client.post(transition_url("documents", document, "reject"), {}, format="json"),
        400,
        "reason_required",
    )
    response = client.post(
        transition_url("documents", document, "reject"), {"reason": "Niet ondertekend"}, format="json"
    )
    assert response.json()["verdictReason"] == "Niet ondertekend"


def test_an_auditor_cannot_review(provider_user, auditor, officer):
    # given
    document = uploaded(provider_user)
    fresh_client(officer).post(transition_url("documents", document, "start_review"), {}, format="json")
    events = AuditEvent.objects.count()
    # when
    response = fresh_client(auditor).post(transition_url("documents", document, "accept"), {}, format="json")
    # then
    assert_problem(response, 403, "transition_forbidden")
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_REVIEW
    assert AuditEvent.objects.count() == events


def test_a_provider_user_cannot_accept_their_own_document(provider_user, officer):
    document = uploaded(provider_user)
    fresh_client(officer).post(transition_url("documents", document, "start_review"), {}, format="json")
    response = fresh_client(provider_user).post(
        transition_url("documents", document, "accept"), {}, format="json"
    )
    assert_problem(response, 403, "transition_forbidden")


def test_the_provider_sees_which_steps_it_may_take(provider_user):
    document = uploaded(provider_user)
    body = fresh_client(provider_user).get(f"/api/v1/documents/{document.uuid}").json()
    assert body["availableTransitions"] == []  # submitted: the officer's turn


# --------------------------------------------------------------------------- filters and queries


def test_filter_overdue(provider, provider_user):
    import datetime

    late = requested(provider=provider, due_date=clock.today() - datetime.timedelta(days=1))
    requested(provider=provider, due_date=clock.today() + datetime.timedelta(days=10))
    response = fresh_client(provider_user).get("/api/v1/documents?overdue=true")
    assert uuids(response) == {str(late.uuid)}
    assert response.json()["results"][0]["overdue"] is True


def test_the_list_uses_a_constant_number_of_queries(provider, provider_user):
    def count() -> int:
        client = fresh_client(provider_user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/documents").status_code == 200
        return len(queries)

    uploaded(provider_user)
    few = count()
    for _ in range(4):
        doc = uploaded(provider_user)
        uploaded(provider_user, document=None)
        del doc
    assert count() == few

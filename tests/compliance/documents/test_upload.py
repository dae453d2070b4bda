"""Uploading a document: a new version per upload, submitted for review, audited; refusals change nothing;
a failure in the middle leaves neither a row nor a file."""

import io
from unittest import mock

import pytest

from audit.selectors import events_for
from compliance.documents.services import document_reject, document_start_review, document_upload
from compliance.documents.validation import UploadRefused
from compliance.models import AccountabilityDocument, DocumentStatus, DocumentType, DocumentVersion
from core import clock
from core.exceptions import InvalidTransition, TransitionForbidden
from tests import factories
from tests.compliance import files
from tests.compliance.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def requested(**kwargs) -> AccountabilityDocument:
    return DocumentFactory(status=DocumentStatus.REQUESTED, **kwargs)


def upload(document, user, data: bytes | None = None, name: str = "beleid.pdf", **kwargs):
    data = files.pdf() if data is None else data
    return document_upload(uuid=document.uuid, actor=user, file=io.BytesIO(data), filename=name, **kwargs)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_stores_a_version_and_submits_the_document(provider, provider_user, document_storage_in_tmp):
    # given
    document = requested(provider=provider)
    data = files.pdf()
    # when
    version = upload(document, provider_user, data, name="Beleid 2025 (def).pdf")
    # then
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    assert document.current_version == version
    assert (version.number, version.previous, version.size) == (1, None, len(data))
    assert version.filename == "Beleid-2025-def.pdf"
    assert version.original_filename == "Beleid 2025 (def).pdf"
    assert version.content_type == "application/pdf"
    assert document.sha256 == version.sha256
    assert version.file.read() == data
    assert len(stored_files(document_storage_in_tmp)) == 1
    assert str(document_storage_in_tmp) not in version.file.name  # a storage name, not a local path


def test_upload_is_audited_with_checksum_size_and_type(provider, provider_user):
    # given
    document = requested(provider=provider)
    # when
    version = upload(document, provider_user)
    # then
    events = [e.event for e in events_for(document)]
    assert events == ["accountabilitydocument.uploaded", "accountabilitydocument.submitted"]
    uploaded = events_for(document).first()
    assert uploaded.data["sha256"] == version.sha256
    assert uploaded.data["size"] == version.size
    assert uploaded.data["contentType"] == "application/pdf"
    assert uploaded.actor == provider_user


def test_a_new_upload_is_a_new_version_and_never_overwrites(provider, provider_user, officer):
    # given: the first version was rejected
    document = requested(provider=provider)
    first = upload(document, provider_user, files.pdf("eerste"))
    document_start_review(uuid=document.uuid, actor=officer)
    document_reject(uuid=document.uuid, actor=officer, reason="Niet ondertekend")
    # when
    second = upload(document, provider_user, files.pdf("tweede"), name="beleid.pdf")
    # then
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    assert (second.number, second.previous) == (2, first)
    assert first.file.name != second.file.name
    first.file.open()
    assert first.file.read() == files.pdf("eerste")
    with pytest.raises(ValueError):
        first.save()  # versions are append-only


def test_a_submitted_document_can_get_a_corrected_version_before_review(provider, provider_user):
    document = requested(provider=provider)
    upload(document, provider_user)
    second = upload(document, provider_user, files.png(), name="scan.png")
    document.refresh_from_db()
    assert (document.status, document.current_version) == (DocumentStatus.SUBMITTED, second)


@pytest.mark.parametrize("state", [DocumentStatus.IN_REVIEW, DocumentStatus.ACCEPTED, DocumentStatus.EXPIRED])
def test_no_upload_while_in_review_or_decided(provider, provider_user, state, document_storage_in_tmp):
    document = DocumentFactory(provider=provider, status=state, accepted=state == DocumentStatus.ACCEPTED)
    with pytest.raises(InvalidTransition):
        upload(document, provider_user)
    assert not DocumentVersion.objects.exists()
    assert stored_files(document_storage_in_tmp) == []


def test_a_refused_file_changes_nothing(provider, provider_user, document_storage_in_tmp):
    document = requested(provider=provider)
    with pytest.raises(UploadRefused) as refused:
        upload(document, provider_user, files.docm(), name="beleid.docm")
    assert refused.value.code == "macro_enabled"
    document.refresh_from_db()
    assert document.status == DocumentStatus.REQUESTED
    assert not DocumentVersion.objects.exists()
    assert stored_files(document_storage_in_tmp) == []
    assert not events_for(document).exists()


def test_a_failure_in_the_middle_of_an_upload_leaves_no_row_and_no_file(
    provider, provider_user, document_storage_in_tmp
):
    # given: writing the audit event (after the file and the row were written) fails
    document = requested(provider=provider)
    with (
        mock.patch("compliance.documents.services.audit_record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        upload(document, provider_user)
    # then
    document.refresh_from_db()
    assert (document.status, document.current_version) == (DocumentStatus.REQUESTED, None)
    assert not DocumentVersion.objects.exists()
    assert stored_files(document_storage_in_tmp) == []


def test_a_failure_while_storing_the_file_leaves_no_row(provider, provider_user, document_storage_in_tmp):
    document = requested(provider=provider)
    with (
        mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=OSError("no space left")),
        pytest.raises(OSError),
    ):
        upload(document, provider_user)
    assert not DocumentVersion.objects.exists()
    assert stored_files(document_storage_in_tmp) == []


def test_files_left_by_an_enclosing_transaction_that_rolled_back_are_swept(
    provider, provider_user, document_storage_in_tmp
):
    # given: the upload succeeded inside a transaction that the caller then rolled back
    from django.db import transaction

    from compliance.documents.services import document_files_sweep

    document = requested(provider=provider)
    with pytest.raises(RuntimeError), transaction.atomic():
        upload(document, provider_user)
        raise RuntimeError("caller failed")
    assert len(stored_files(document_storage_in_tmp)) == 1
    # when
    deleted = document_files_sweep(older_than=__import__("datetime").timedelta(0))
    # then
    assert deleted == 1
    assert stored_files(document_storage_in_tmp) == []


def test_a_provider_user_cannot_upload_for_another_provider(provider_user, document_storage_in_tmp):
    other = requested()  # of another provider
    with pytest.raises(TransitionForbidden):
        upload(other, provider_user)
    assert not DocumentVersion.objects.exists()
    assert stored_files(document_storage_in_tmp) == []


def test_an_auditor_cannot_upload(auditor, provider):
    document = requested(provider=provider)
    with pytest.raises(TransitionForbidden):
        upload(document, auditor)
    document.refresh_from_db()
    assert document.status == DocumentStatus.REQUESTED


def test_an_officer_may_upload_on_behalf_of_the_provider(officer, provider):
    document = requested(provider=provider)
    version = upload(document, officer)
    assert version.uploaded_by == officer


def test_a_document_with_a_maximum_age_needs_its_date(provider, provider_user):
    import datetime

    kvk = DocumentType.objects.get(code="kvk_extract")  # at most 6 months old
    document = requested(provider=provider, document_type=kvk)
    with pytest.raises(UploadRefused) as missing:
        upload(document, provider_user)
    assert missing.value.code == "issued_on_required"
    with pytest.raises(UploadRefused) as old:
        upload(document, provider_user, issued_on=clock.today() - datetime.timedelta(days=200))
    assert old.value.code == "document_too_old"
    version = upload(document, provider_user, issued_on=clock.today() - datetime.timedelta(days=20))
    assert version.issued_on is not None


def test_provider_user_factory_is_linked(provider, provider_user):
    assert factories.provider_user  # the fixture user acts for the fixture provider
    assert provider.users.filter(pk=provider_user.pk).exists()

"""Every hostile file (tests/compliance/files.py: HOSTILE) is refused on every way in (the service, the
API, the portal) and leaves nothing behind: no stored file, no version, no audit event, the document as
it was. Ordinary documents with links, fields and charts are stored."""

import io

import pytest

from audit.selectors import events_for
from compliance.documents.services import document_upload
from compliance.documents.validation import ALLOWED, UploadRefused, validate_upload
from compliance.models import AccountabilityDocument, DocumentStatus, DocumentVersion
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance import files
from tests.compliance.documents.helpers import requested

pytestmark = pytest.mark.django_db

HOSTILE_IDS = [make.__name__ for make, _name, _code in files.HOSTILE]


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_left(document: AccountabilityDocument, storage) -> None:
    document.refresh_from_db()
    assert (document.status, document.current_version, document.sha256) == (
        DocumentStatus.REQUESTED,
        None,
        "",
    )
    assert not DocumentVersion.objects.exists()
    assert stored_files(storage) == []
    assert not events_for(document).exists()


def named(data: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


@pytest.mark.parametrize(("make", "name", "code"), files.HOSTILE, ids=HOSTILE_IDS)
def test_the_service_refuses_a_hostile_file_and_keeps_nothing(
    provider, provider_user, document_storage_in_tmp, make, name, code
):
    # given
    document = requested(provider=provider)
    # when
    with pytest.raises(UploadRefused) as refused:
        document_upload(uuid=document.uuid, actor=provider_user, file=io.BytesIO(make()), filename=name)
    # then
    assert refused.value.code == code
    assert_nothing_left(document, document_storage_in_tmp)


@pytest.mark.parametrize(("make", "name", "code"), files.HOSTILE, ids=HOSTILE_IDS)
def test_the_api_refuses_a_hostile_file_and_keeps_nothing(
    provider, provider_user, document_storage_in_tmp, make, name, code
):
    # given
    document = requested(provider=provider)
    # when
    response = fresh_client(provider_user).post(
        f"/api/v1/documents/{document.uuid}/versions", {"file": named(make(), name)}, format="multipart"
    )
    # then
    body = assert_problem(response, 400, code)
    assert body["invalidParams"] == [{"name": "file", "code": code, "reason": body["detail"]}]
    assert_nothing_left(document, document_storage_in_tmp)


@pytest.mark.parametrize(("make", "name", "code"), files.HOSTILE, ids=HOSTILE_IDS)
def test_the_portal_refuses_a_hostile_file_and_keeps_nothing(
    client_for, provider, provider_user, document_storage_in_tmp, make, name, code
):
    # given
    document = requested(provider=provider)
    with pytest.raises(UploadRefused) as expected:
        validate_upload(io.BytesIO(make()), name)
    # when
    response = client_for(provider_user).post(
        f"/portal/documents/{document.uuid}/", {"file": named(make(), name)}
    )
    # then: the validator's message at the file field
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [expected.value.detail]
    assert_nothing_left(document, document_storage_in_tmp)


@pytest.mark.parametrize(
    ("make", "name", "kind"), files.BENIGN, ids=[m.__name__ for m, _n, _k in files.BENIGN]
)
def test_ordinary_documents_are_stored(provider, provider_user, document_storage_in_tmp, make, name, kind):
    # given
    document = requested(provider=provider)
    data = make()
    # when
    response = fresh_client(provider_user).post(
        f"/api/v1/documents/{document.uuid}/versions", {"file": named(data, name)}, format="multipart"
    )
    # then
    assert response.status_code == 201, response.content
    version = DocumentVersion.objects.get(document=document)
    assert (version.content_type, version.size) == (ALLOWED[kind][2], len(data))
    assert len(stored_files(document_storage_in_tmp)) == 1

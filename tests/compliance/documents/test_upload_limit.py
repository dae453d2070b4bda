"""Uploads are capped while they stream in (core.uploads): a body over the limit is refused before it is
read and written in full, on the API (413 problem+json, `file_too_large`), in the portal (413, the Dutch
message at the file field) and anywhere else (UPLOAD_MAX_BYTES, e.g. the admin's production import);
nothing is left in storage, in the temporary upload folder or in the database."""

import io

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from compliance.models import DocumentStatus, DocumentVersion, ImportBatch
from core.uploads import UploadLimitHandler, UploadTooLarge, limit_uploads
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance import files
from tests.compliance.documents.helpers import requested

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "grens-0123456789"


class HugeMultipartBody:
    """A multipart body with one file of ``file_size`` bytes, made on the fly while it is read (a
    200 MB upload without 200 MB in memory); ``read_bytes`` says how much the server read."""

    def __init__(self, file_size: int, field: str = "file", name: str = "groot.pdf") -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = len(self.head) + file_size + len(self.tail)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self.read_bytes
        start, end = self.read_bytes, min(self.read_bytes + size, self.size)
        self.read_bytes = end
        return b"".join(self._byte_range(start, end))

    def _byte_range(self, start: int, end: int):
        head, tail_start = len(self.head), self.size - len(self.tail)
        if start < head:
            yield self.head[start : min(end, head)]
        if end > head and start < tail_start:
            yield b"0" * (min(end, tail_start) - max(start, head))
        if end > tail_start:
            yield self.tail[max(start, tail_start) - tail_start : end - tail_start]

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_streamed(client, path: str, body: HugeMultipartBody):
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    return client.generic(
        "POST",
        path,
        content_type=content_type,  # DRF's test client reads it here, Django's from CONTENT_TYPE
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size), "CONTENT_TYPE": content_type},
    )


def post_file(client, path: str, data: bytes, name: str = "groot.pdf", **fields):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(path, {"file": upload, **fields}, **({"format": "multipart"} if "api" in path else {}))


@pytest.fixture
def upload_temp_dir(settings, tmp_path):
    """Django's temporary upload files (above FILE_UPLOAD_MAX_MEMORY_SIZE) go to a folder of the test."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # so that a part of an upload is written to disk
    return folder


def files_in(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def assert_nothing_stored(document, storage, temp_dir) -> None:
    document.refresh_from_db()
    assert (document.status, document.current_version) == (DocumentStatus.REQUESTED, None)
    assert not DocumentVersion.objects.exists()
    assert files_in(storage) == []
    assert files_in(temp_dir) == []


def api_url(document) -> str:
    return f"/api/v1/documents/{document.uuid}/versions"


def portal_url(document) -> str:
    return f"/portal/documents/{document.uuid}/"


# --------------------------------------------------------------------------- API


def test_the_api_refuses_a_200_mb_upload_before_reading_it(
    provider, provider_user, document_storage_in_tmp, upload_temp_dir
):
    # given: the default limit (20 MB) and a 200 MB body
    document = requested(provider=provider)
    body = HugeMultipartBody(200 * MB)
    # when
    response = post_streamed(fresh_client(provider_user), api_url(document), body)
    # then
    problem = assert_problem(response, 413, "file_too_large")
    assert problem["maxBytes"] == 20 * MB
    assert body.read_bytes == 0  # refused on its declared length
    assert_nothing_stored(document, document_storage_in_tmp, upload_temp_dir)


def test_the_api_stops_reading_at_the_limit_when_the_length_does_not_give_it_away(
    provider, provider_user, document_storage_in_tmp, upload_temp_dir, settings
):
    # given: a file just over the limit, its body within the room left for the multipart overhead
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1 * MB
    document = requested(provider=provider)
    body = HugeMultipartBody(1 * MB + 1)
    # when
    response = post_streamed(fresh_client(provider_user), api_url(document), body)
    # then: counted while it streamed in; the partial temporary file is gone
    assert_problem(response, 413, "file_too_large")
    assert_nothing_stored(document, document_storage_in_tmp, upload_temp_dir)


def test_the_api_limit_holds_for_a_session_login_whose_csrf_check_reads_the_body(
    provider, provider_user, document_storage_in_tmp, upload_temp_dir
):
    # given: a browser session (SessionAuthentication checks CSRF, which reads request.POST)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(provider_user)
    document = requested(provider=provider)
    client.get(portal_url(document))  # the CSRF cookie, as a browser would have it
    body = HugeMultipartBody(200 * MB)
    # when
    response = post_streamed(client, api_url(document), body)
    # then: the documents' limit, not only the general one
    assert assert_problem(response, 413, "file_too_large")["maxBytes"] == 20 * MB
    assert body.read_bytes == 0
    assert_nothing_stored(document, document_storage_in_tmp, upload_temp_dir)


def test_the_api_accepts_a_file_at_the_limit(provider, provider_user, document_storage_in_tmp, settings):
    # given
    data = files.pdf()
    settings.DOCUMENT_MAX_UPLOAD_BYTES = len(data)
    document = requested(provider=provider)
    # when
    response = post_file(fresh_client(provider_user), api_url(document), data, "beleid.pdf")
    # then
    assert response.status_code == 201, response.content
    assert DocumentVersion.objects.filter(document=document).count() == 1


# --------------------------------------------------------------------------- portal


def test_the_portal_refuses_a_200_mb_upload_with_a_dutch_message(
    provider, provider_user, document_storage_in_tmp, upload_temp_dir
):
    # given: a browser with a session and the CSRF check on (it reads request.POST before the view)
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_user)
    document = requested(provider=provider)
    client.get(portal_url(document))  # the CSRF cookie
    body = HugeMultipartBody(200 * MB)
    # when
    response = post_streamed(client, portal_url(document), body)
    # then
    assert response.status_code == 413
    with translation.override("nl"):
        assert response.context["form"].errors["file"] == ["Het bestand is groter dan 20 MB."]
    assert 'class="error-summary"' in response.content.decode()
    assert body.read_bytes == 0
    assert_nothing_stored(document, document_storage_in_tmp, upload_temp_dir)


def test_the_portal_stops_reading_at_the_limit(
    client_for, provider, provider_user, document_storage_in_tmp, upload_temp_dir, settings
):
    # given
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1 * MB
    document = requested(provider=provider)
    # when
    response = post_file(client_for(provider_user), portal_url(document), b"%PDF-1.7\n" + b"0" * MB)
    # then
    assert response.status_code == 413
    assert list(response.context["form"].errors) == ["file"]
    assert_nothing_stored(document, document_storage_in_tmp, upload_temp_dir)


def test_the_portal_still_checks_csrf_on_uploads(provider, provider_user, document_storage_in_tmp):
    # given: a browser session posting without the CSRF token (the view runs the check itself)
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_user)
    document = requested(provider=provider)
    # when
    response = post_file(client, portal_url(document), files.pdf(), "beleid.pdf")
    # then
    assert response.status_code == 403
    assert not DocumentVersion.objects.exists()


def test_the_portal_accepts_an_upload_with_its_csrf_token(provider, provider_user, document_storage_in_tmp):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_user)
    document = requested(provider=provider)
    client.get(portal_url(document))
    token = client.cookies["csrftoken"].value
    # when
    response = post_file(client, portal_url(document), files.pdf(), "beleid.pdf", csrfmiddlewaretoken=token)
    # then
    assert response.status_code == 302
    assert DocumentVersion.objects.filter(document=document).count() == 1


# --------------------------------------------------------------------------- every other upload


def test_any_other_upload_is_capped_at_upload_max_bytes(officer, api_for, upload_temp_dir, settings):
    # given: the production import of the API, with a general cap of 2 MB
    settings.UPLOAD_MAX_BYTES = 2 * MB
    body = HugeMultipartBody(200 * MB, name="declaraties.csv")
    # when
    response = post_streamed(api_for(officer), "/api/v1/declarations/imports", body)
    # then
    assert_problem(response, 413, "file_too_large")
    assert body.read_bytes == 0
    assert not ImportBatch.objects.exists()


def test_an_admin_upload_over_the_cap_is_a_bad_request(officer, upload_temp_dir, settings):
    # given: the admin's production import form, with the CSRF check on (it reads the body first)
    settings.UPLOAD_MAX_BYTES = 2 * MB
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    client.get(reverse("admin:compliance_importbatch_add"))  # the CSRF cookie
    body = HugeMultipartBody(200 * MB, name="declaraties.csv")
    # when
    response = post_streamed(client, reverse("admin:compliance_importbatch_add"), body)
    # then: Django's answer to a request body that is too big
    assert response.status_code == 400
    assert body.read_bytes == 0
    assert not ImportBatch.objects.exists()
    assert files_in(upload_temp_dir) == []


# --------------------------------------------------------------------------- the handler itself


def test_the_handler_stops_at_the_first_chunk_over_the_limit(rf):
    # given
    handler = UploadLimitHandler(rf.post("/"), limit=100)
    handler.handle_raw_input(None, {}, 150, BOUNDARY)
    # when
    passed = handler.receive_data_chunk(b"x" * 60, 0)
    with pytest.raises(UploadTooLarge) as refused:
        handler.receive_data_chunk(b"x" * 60, 60)
    # then
    assert passed == b"x" * 60
    assert (refused.value.code, refused.value.extra) == ("file_too_large", {"max_bytes": 100})


def test_a_limit_installed_after_the_body_was_read_is_an_error(rf):
    # given
    request = rf.post("/", {"veld": "waarde"})
    assert request.POST["veld"] == "waarde"
    # when / then
    with pytest.raises(AttributeError):
        limit_uploads(request, 100)

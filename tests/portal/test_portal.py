"""The provider portal: only the own provider's data, upload with the shared validation, the overview,
officers sent to the admin, a choice of organisation for users of several providers."""

import datetime
import io

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import DocumentStatus, DocumentVersion
from core import clock
from tests import factories
from tests.compliance import files
from tests.compliance.documents.helpers import requested, uploaded
from tests.compliance.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def post_file(client, document, data: bytes, name: str, **extra):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/portal/documents/{document.uuid}/", {"file": upload, **extra})


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/portal/documents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=/portal/documents/")


def test_login_page_and_login(client, provider_user):
    assert client.get("/portal/login/").status_code == 200
    response = client.post(
        "/portal/login/", {"username": provider_user.username, "password": "wachtwoord-123"}
    )
    assert (response.status_code, response["Location"]) == (302, "/portal/")


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_are_sent_to_the_admin(client_for, role):
    response = client_for(getattr(factories, role)()).get("/portal/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_user_without_an_organisation_gets_a_clear_page(client_for):
    response = client_for(factories.UserFactory()).get("/portal/")
    assert response.status_code == 403


def test_the_dashboard_shows_what_is_due_overdue_rejected_and_pending(client_for, provider, provider_user):
    # given
    today = clock.today()
    late = requested(provider=provider, due_date=today - datetime.timedelta(days=2))
    soon = requested(provider=provider, due_date=today + datetime.timedelta(days=5))
    rejected = DocumentFactory(provider=provider, rejected=True, verdict_reason="Handtekening ontbreekt")
    agreement = factories.AgreementFactory(provider=provider, active=True, reference="WMO-PORTAL-1")
    membership = factories.MembershipFactory(provider=provider, active=True)
    other = factories.AgreementFactory(reference="WMO-ANDER-1")
    requested(due_date=today - datetime.timedelta(days=9))  # another provider's
    # when
    response = client_for(provider_user).get("/portal/")
    # then
    assert response.status_code == 200
    context = response.context
    assert context["overdue"] == [late]
    assert context["due"] == [soon]
    assert context["rejected"] == [rejected]  # (not overdue: it has no due date)
    assert "Handtekening ontbreekt" in response.content.decode()
    assert [a.reference for a in context["agreements"]] == [agreement.reference]
    assert context["memberships"] == [membership]
    assert other.reference not in response.content.decode()


def test_upload_in_the_portal_submits_the_document(client_for, provider, provider_user):
    document = requested(provider=provider)
    response = post_file(client_for(provider_user), document, files.pdf(), "beleid.pdf")
    assert (response.status_code, response["Location"]) == (302, f"/portal/documents/{document.uuid}/")
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    page = client_for(provider_user).get(f"/portal/documents/{document.uuid}/").content.decode()
    assert document.sha256 in page  # the checksum is shown


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (files.docm, "beleid.docm", "macro_enabled"),
        (files.exe, "setup.exe", "executable_not_allowed"),
        (files.plain_zip, "stukken.zip", "archive_not_allowed"),
        (files.encrypted_pdf, "beveiligd.pdf", "encrypted_pdf"),
        (files.png, "scan.pdf", "extension_mismatch"),
    ],
)
def test_a_refused_file_shows_its_message_in_the_error_summary(
    client_for, provider, provider_user, make, name, code
):
    # given
    from compliance.documents.validation import UploadRefused, validate_upload

    document = requested(provider=provider)
    with pytest.raises(UploadRefused) as expected:
        validate_upload(io.BytesIO(make()), name)
    # when
    response = post_file(client_for(provider_user), document, make(), name)
    # then: the same refusal as the API, shown in the error summary and at the field
    assert response.status_code == 400
    assert expected.value.code == code
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert response.context["form"].errors["file"] == [expected.value.detail]
    document.refresh_from_db()
    assert document.status == DocumentStatus.REQUESTED
    assert not DocumentVersion.objects.exists()


@pytest.mark.parametrize("path", ["/portal/documents/{uuid}/", "/documents/{uuid}/versions/1/file"])
def test_another_providers_document_is_not_found(client_for, provider_user, officer, path):
    other = uploaded(officer, requested())
    response = client_for(provider_user).get(path.format(uuid=other.uuid))
    assert response.status_code == 404


def test_a_provider_user_cannot_upload_for_another_provider(client_for, provider_user):
    other = requested()
    response = post_file(client_for(provider_user), other, files.pdf(), "beleid.pdf")
    assert response.status_code == 404
    assert not DocumentVersion.objects.exists()


def test_the_own_file_can_be_downloaded(client_for, provider_user):
    document = uploaded(provider_user, data=files.pdf("eigen"))
    response = client_for(provider_user).get(f"/documents/{document.uuid}/versions/1/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf("eigen")
    assert response["Content-Disposition"].startswith("attachment;")


def test_files_are_not_served_under_a_media_url(client_for, provider_user):
    document = uploaded(provider_user)
    version = document.current_version
    assert client_for(provider_user).get(f"/media/{version.file.name}").status_code == 404
    assert client_for(provider_user).get(f"/media-not-served/{version.file.name}").status_code == 404


def test_a_user_of_several_providers_chooses_one(client_for, provider, provider_user):
    # given
    second = factories.ProviderFactory(name="Tweede aanbieder")
    second.users.add(provider_user)
    requested(provider=second, due_date=clock.today())
    client = client_for(provider_user)
    # when
    first_visit = client.get("/portal/documents/")
    chosen = client.post(
        "/portal/organisation/", {"provider": str(second.uuid), "next": "/portal/documents/"}
    )
    page = client.get("/portal/documents/")
    # then
    assert first_visit.status_code == 302 and "/portal/organisation/" in first_visit["Location"]
    assert chosen["Location"] == "/portal/documents/"
    assert page.context["provider"] == second


def test_a_user_cannot_choose_a_provider_they_do_not_act_for(client_for, provider_user):
    stranger = factories.ProviderFactory()
    response = client_for(provider_user).post("/portal/organisation/", {"provider": str(stranger.uuid)})
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors


def test_the_documents_page_uses_a_constant_number_of_queries(client_for, provider, provider_user):
    def count() -> int:
        client = client_for(provider_user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portal/documents/").status_code == 200
        return len(queries)

    uploaded(provider_user)
    requested(provider=provider)
    few = count()
    for _ in range(4):
        uploaded(provider_user)
        requested(provider=provider)
        DocumentFactory(provider=provider, accepted=True)
    assert count() == few


def test_the_documents_page_lists_only_the_own_providers_documents(client_for, provider, provider_user):
    own = requested(provider=provider)
    other = requested()
    response = client_for(provider_user).get("/portal/documents/")
    html = response.content.decode()
    assert str(own.uuid) in html
    assert str(other.uuid) not in html

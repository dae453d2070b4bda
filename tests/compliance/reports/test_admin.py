"""Exports in the admin: buttons on provider and procedure pages, the exports list with its form, downloads,
the as-of view; exports cannot be changed or deleted."""

import datetime
import hashlib

import pytest

from audit.models import AuditEvent
from compliance.models import Export, ExportStatus
from contracting.services import agreement_suspend
from core import clock
from tests import factories
from tests.admin.helpers import change_url
from tests.compliance.reports.world import at, days_ago

pytestmark = pytest.mark.django_db

EXPORTS = "/admin/compliance/export/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Wrap a request: the in-process task backend runs the export when the request commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_provider_page_offers_the_dossier_which_an_auditor_can_make_and_download(
    client_for, auditor, committed
):
    provider = factories.ProviderFactory(name="De Zorgboog")
    client = client_for(auditor)
    # given the button
    page = client.get(change_url(provider)).content.decode()
    url = f"{EXPORTS}provider/{provider.pk}/dossier/"
    assert 'id="export-dossier"' in page and url in page
    # when
    with committed():
        response = client.post(url)
    # then
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(export)
    assert (export.kind, export.provider, export.requested_by, export.status) == (
        "provider_dossier",
        provider,
        auditor,
        ExportStatus.DONE,
    )
    detail = client.get(change_url(export)).content.decode()
    download_url = f"{EXPORTS}{export.pk}/download/"
    assert download_url in detail and export.sha256 in detail
    download = client.get(download_url)
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == export.sha256
    assert AuditEvent.objects.filter(event="export.downloaded", actor=auditor).exists()


def test_the_procedure_page_offers_its_report(client_for, officer, committed):
    procedure = factories.ProcedureFactory(consultation=True)
    client = client_for(officer)
    page = client.get(change_url(procedure)).content.decode()
    assert 'id="export-procedure-report"' in page
    assert 'data-transition="open"' in page  # the transition buttons are still there
    with committed():
        client.post(f"{EXPORTS}procedure/{procedure.pk}/report/")
    export = Export.objects.get()
    assert (export.kind, export.procedure, export.status) == (
        "procedure_report",
        procedure,
        ExportStatus.DONE,
    )


def test_the_exports_page_makes_a_workbook_for_an_authority_and_period(client_for, auditor, committed):
    authority = factories.MunicipalityFactory(name="Gemeente Testdam")
    client = client_for(auditor)
    page = client.get(EXPORTS).content.decode()
    assert 'id="export-form"' in page
    # when
    with committed():
        client.post(
            f"{EXPORTS}new/",
            {
                "kind": "workbook",
                "authority": str(authority.uuid),
                "period_start": "2026-01-01",
                "period_end": "2026-06-30",
                "language": "nl",
            },
        )
    # then
    export = Export.objects.get()
    assert (export.kind, export.authority, export.status) == ("workbook", authority, ExportStatus.DONE)
    assert export.parameters["period_end"] == "2026-06-30"
    listing = client.get(EXPORTS).content.decode()
    assert f"{EXPORTS}{export.pk}/download/" in listing and export.filename in listing


def test_an_invalid_export_form_changes_nothing(client_for, auditor):
    authority = factories.MunicipalityFactory()
    client = client_for(auditor)
    response = client.post(
        f"{EXPORTS}new/",
        {
            "kind": "workbook",
            "authority": str(authority.uuid),
            "period_start": "2026-06-01",
            "period_end": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert not Export.objects.exists()


def test_nobody_changes_or_deletes_an_export(client_for, auditor, officer, provider):
    from compliance.reports.services import export_request

    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer
    )
    for user in (auditor, officer):
        client = client_for(user)
        assert client.get(f"{EXPORTS}add/").status_code == 403
        assert client.post(change_url(export), {"status": "failed"}).status_code == 403
        assert client.post(f"{EXPORTS}{export.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Export.objects.get().status == export.status


def test_a_provider_user_has_no_access_to_the_admin_exports(client_for, provider, provider_user):
    client = client_for(provider_user)
    for response in (client.get(EXPORTS), client.post(f"{EXPORTS}provider/{provider.pk}/dossier/")):
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not Export.objects.exists()


def test_the_as_of_view_shows_the_state_on_a_past_date(client_for, officer, auditor):
    with at(days_ago(10)):
        agreement = factories.AgreementFactory(active=True)
    with at(days_ago(3)):
        agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Onderzoek")
    client = client_for(auditor)
    # the link on the change page
    url = f"{EXPORTS}as-of/contracting/agreement/{agreement.pk}/"
    assert url in client.get(change_url(agreement)).content.decode()
    # when
    before = client.get(url, {"date": (clock.today() - datetime.timedelta(days=5)).isoformat()})
    after = client.get(url, {"date": clock.today().isoformat()})
    # then
    assert before.status_code == 200
    assert 'data-state="active"' in before.content.decode()
    assert 'data-state="suspended"' in after.content.decode()
    assert "Onderzoek" in after.content.decode()
    assert 'id="as-of-result"' not in client.get(url).content.decode()  # no date yet: only the form


def test_the_as_of_link_is_on_memberships_applications_and_coalitions(client_for, auditor):
    membership = factories.MembershipFactory(active=True)
    application = factories.ApplicationFactory(submitted=True)
    client = client_for(auditor)
    for obj in (membership, application, membership.coalition):
        page = client.get(change_url(obj)).content.decode()
        assert f"{EXPORTS}as-of/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/" in page
        response = client.get(
            f"{EXPORTS}as-of/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/",
            {"date": clock.today().isoformat()},
        )
        assert response.status_code == 200

"""End to end: a provider user uploads a document in the portal and sees it awaiting review; an officer
accepts or rejects it in the admin; the provider sees the verdict."""

import datetime

import pytest

from compliance.models import AccountabilityDocument, DocumentStatus, DocumentType
from core import clock
from tests.compliance import files

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def requested_document(people):
    return AccountabilityDocument.objects.create(
        provider=people["provider"],
        document_type=DocumentType.objects.get(code="anti_discrimination_policy"),
        due_date=clock.today() + datetime.timedelta(days=10),
    )


def upload_in_portal(new_page, document, tmp_path):
    page = new_page()
    login(page, "/portal/login/", "aanbieder-e2e")
    page.goto("/portal/documents/")
    path = tmp_path / "Antidiscriminatiebeleid 2026.pdf"
    path.write_bytes(files.pdf())
    form = page.locator(f"form[action='/portal/documents/{document.uuid}/']")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    return page


def officer_takes_step(new_page, document, name: str, reason: str = "") -> None:
    page = new_page()
    login(page, "/admin/login/", "inkoper-e2e")
    page.goto(f"/admin/compliance/accountabilitydocument/{document.pk}/change/")
    page.locator(f"a[href$='/transitions/{name}/']").first.click()
    page.wait_for_load_state()
    if reason:
        page.fill("textarea[name=reason]", reason)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


def test_upload_then_accept_in_the_admin(new_page, requested_document, tmp_path):
    # given: the provider uploads the requested document
    portal = upload_in_portal(new_page, requested_document, tmp_path)
    # then it awaits review, with its version and checksum
    assert portal.url.endswith(f"/portal/documents/{requested_document.uuid}/")
    assert portal.locator(".status-submitted").first.is_visible()
    requested_document.refresh_from_db()
    assert requested_document.status == DocumentStatus.SUBMITTED
    assert portal.locator("code.hash").first.inner_text() == requested_document.sha256
    # when: the officer starts the review and accepts
    officer_takes_step(new_page, requested_document, "start_review")
    officer_takes_step(new_page, requested_document, "accept")
    # then: the provider sees it accepted
    portal.reload()
    assert portal.locator(".status-accepted").first.is_visible()
    requested_document.refresh_from_db()
    assert requested_document.status == DocumentStatus.ACCEPTED


def test_upload_then_reject_with_a_reason(new_page, requested_document, tmp_path):
    # given
    portal = upload_in_portal(new_page, requested_document, tmp_path)
    # when
    officer_takes_step(new_page, requested_document, "start_review")
    officer_takes_step(new_page, requested_document, "reject", reason="De handtekening ontbreekt.")
    # then: the provider sees the rejection, the reason and can upload a new version
    portal.goto("/portal/")
    assert portal.get_by_text("De handtekening ontbreekt.").first.is_visible()
    portal.goto(f"/portal/documents/{requested_document.uuid}/")
    assert portal.locator(".status-rejected").first.is_visible()
    assert portal.locator("input[type=file]").count() == 1

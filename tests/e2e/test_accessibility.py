"""axe-core (pinned in package.json, see tests/e2e/axe.py) in headless Chromium: no serious or critical violations on
any portal page, including a form in its error state."""

import datetime

import pytest

from compliance.models import AccountabilityDocument, DocumentType
from core import clock
from tests import factories
from tests.compliance import files
from tests.compliance.documents.helpers import uploaded

from .axe import serious_violations
from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(people):
    provider = people["provider"]
    today = clock.today()
    kinds = DocumentType.objects.in_bulk(field_name="code")
    overdue = AccountabilityDocument.objects.create(
        provider=provider,
        document_type=kinds["annual_accounts"],
        period_key="2025",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        due_date=today - datetime.timedelta(days=3),
    )
    due = AccountabilityDocument.objects.create(
        provider=provider, document_type=kinds["kvk_extract"], due_date=today + datetime.timedelta(days=20)
    )
    submitted = uploaded(
        people["provider_user"],
        AccountabilityDocument.objects.create(provider=provider, document_type=kinds["meldcode"]),
    )
    agreement = factories.AgreementFactory(provider=provider, active=True)
    factories.require(agreement.procedure or factories.ProcedureFactory(), "anti_discrimination_policy")
    factories.MembershipFactory(provider=provider, active=True)
    return {"overdue": overdue, "due": due, "submitted": submitted}


def test_portal_pages_have_no_serious_accessibility_violations(new_page, world):
    page = new_page()
    page.goto("/portal/login/")
    problems = {"login": serious_violations(page)}
    login(page, "/portal/login/", "aanbieder-e2e")
    for name, path in [
        ("dashboard", "/portal/"),
        ("documents", "/portal/documents/"),
        ("document with versions", f"/portal/documents/{world['submitted'].uuid}/"),
        ("document to upload", f"/portal/documents/{world['due'].uuid}/"),
    ]:
        page.goto(path)
        problems[name] = serious_violations(page)
    # a refused upload: the error summary and the field errors
    page.goto(f"/portal/documents/{world['overdue'].uuid}/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "setup.pdf", "mimeType": "application/pdf", "buffer": files.exe()}]
    )
    page.locator("form.upload-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    problems["upload refused"] = serious_violations(page)
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_organisation_choice_has_no_serious_accessibility_violations(new_page, people):
    second = factories.ProviderFactory(name="Jeugdhulp Rijnmond")
    second.users.add(people["provider_user"])
    page = new_page()
    login(page, "/portal/login/", "aanbieder-e2e")
    assert "/portal/organisation/" in page.url
    assert serious_violations(page) == []
    page.locator("input[type=radio]").first.check()
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    assert page.url.endswith("/portal/")
    assert PASSWORD  # the shared password of the e2e users

"""A provider applies and answers the offer in the browser, with JavaScript switched off: finds the open
procedures, applies for a lot with a declaration and a document, submits; after the officer's assessment,
admission and offer, it reads the offer and accepts it; the officer activates; the provider sees the
active agreement. A second provider joins the open house after its application deadline. axe-core finds
no serious or critical violations on any of these pages. Screenshots: var/screenshots/portal-*.png."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from contracting.models import Agreement, AgreementStatus, ApplicationStatus, AssessmentStep, Route
from contracting.services import (
    agreement_activate,
    agreement_offer,
    application_admit,
    application_assess,
    application_start_review,
)
from core import clock
from tests import factories
from tests.compliance import files

from .conftest import PASSWORD, login
from .test_accessibility import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str, problems: dict) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)
    # axe needs scripts; it runs in a second context of the same page content (see `audit`)
    problems[name] = page.url


def open_house(title: str, **kwargs):
    procedure = factories.ready_to_open_procedure(
        title=title,
        route=Route.OPEN_HOUSE,
        law="jeugd",
        contract_start=clock.today().replace(day=1),
        **kwargs,
    )
    type(procedure).objects.filter(pk=procedure.pk).update(status="open")
    procedure.refresh_from_db()
    factories.require(procedure, "confidential_advisor")
    lot = procedure.lots.get()
    # the factory numbers lots from a global sequence; the provider reads "Perceel 1" in its procedure
    lot.number = 1
    lot.name = "Jeugdhulp ambulant generalistisch"
    lot.save()
    return procedure


@pytest.fixture
def world(people):
    yesterday = clock.today() - datetime.timedelta(days=1)
    procedure = open_house("Toelating jeugdhulp ambulant", application_deadline=yesterday)
    administrative = factories.ready_to_open_procedure(
        title="Begeleiding Wmo (gesloten)", application_deadline=yesterday
    )
    type(administrative).objects.filter(pk=administrative.pk).update(status="open")
    return {"procedure": procedure, "administrative": administrative}


def test_a_provider_applies_accepts_the_offer_and_sees_its_active_agreement(
    browser, live_server, people, world
):
    procedure = world["procedure"]
    pages: dict[str, str] = {}
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, "/portal/login/", "aanbieder-e2e")

    # the open procedures: the open house admits after its deadline, the administrative one does not
    page.goto("/portal/procedures/")
    assert "Toelating jeugdhulp ambulant" in page.content()
    assert "Begeleiding Wmo (gesloten)" not in page.content()
    shot(page, "procedures", pages)
    page.get_by_role("link", name="Toelating jeugdhulp ambulant").click()
    page.wait_for_load_state()
    shot(page, "procedure", pages)

    # apply: a draft, a lot chosen and saved
    page.get_by_role("button", name="Aanmelden voor Stichting Zorg aan de Maas").click()
    page.wait_for_load_state()
    page.get_by_label("Perceel 1: Jeugdhulp ambulant generalistisch").check()
    page.get_by_role("textbox", name="Toelichting").fill(
        "Ambulante jeugdhulp in Rotterdam-Zuid, met vaste hulpverleners."
    )
    page.get_by_role("button", name="Concept opslaan").click()
    page.wait_for_load_state()
    shot(page, "application-draft", pages)

    # a declaration signed and a document uploaded in the same flow
    page.get_by_role("textbox", name="Naam van de ondertekenaar").fill("A. Jansen")
    page.get_by_role("textbox", name="Functie").fill("directeur-bestuurder")
    page.get_by_label("Ik ben bevoegd om namens de organisatie te ondertekenen.").check()
    page.get_by_role("button", name="Verklaring ondertekenen").click()
    page.wait_for_load_state()
    page.locator("form[aria-label='Antidiscriminatiebeleid uploaden'] input[type=file]").set_input_files(
        files=[{"name": "antidiscriminatiebeleid.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}]
    )
    page.locator("form[aria-label='Antidiscriminatiebeleid uploaden'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "Uw aanmelding is compleet." in page.content()
    shot(page, "application-complete", pages)
    page.get_by_role("button", name="Aanmelding indienen").click()
    page.wait_for_load_state()
    shot(page, "application-submitted", pages)

    # the officer assesses, admits and offers
    application = procedure.applications.get()
    officer = people["officer"]
    application_start_review(uuid=application.uuid, actor=officer)
    for step in AssessmentStep:
        application_assess(
            uuid=application.uuid, actor=officer, step=step, passed=True, reasoning=f"Voldoet: {step.label}"
        )
    from compliance.documents.services import document_accept, document_start_review
    from compliance.models import AccountabilityDocument

    document = AccountabilityDocument.objects.get(provider=people["provider"])
    document_start_review(uuid=document.uuid, actor=officer)
    document_accept(uuid=document.uuid, actor=officer)
    from compliance.models import ProviderAnnualFigures

    ProviderAnnualFigures.objects.create(
        provider=people["provider"], year=clock.today().year - 1, wnt_class="III"
    )
    application_admit(uuid=application.uuid, actor=officer)
    agreement = Agreement.objects.get(application=application)
    factories.BudgetCeilingFactory(
        agreement=agreement, year=agreement.start_date.year, amount=Decimal("180000")
    )
    agreement_offer(uuid=agreement.uuid, actor=officer)

    page.goto(f"/portal/applications/{application.uuid}/")
    shot(page, "application-admitted", pages)
    page.goto("/portal/applications/")
    shot(page, "applications", pages)
    page.goto("/portal/")
    page.get_by_role("link", name=agreement.reference).first.click()
    page.wait_for_load_state()
    shot(page, "offer", pages)
    page.get_by_role("textbox", name="Naam van de ondertekenaar").fill("A. Jansen")
    page.get_by_role("textbox", name="Functie").fill("directeur-bestuurder")
    page.get_by_label("Ik ben bevoegd om namens de organisatie te ondertekenen.").check()
    page.get_by_role("button", name="Overeenkomst aanvaarden en ondertekenen").click()
    page.wait_for_load_state()
    shot(page, "offer-accepted", pages)

    agreement_activate(uuid=agreement.uuid, actor=officer)
    page.goto(f"/portal/agreements/{agreement.uuid}/")
    assert "Actief" in page.content()
    shot(page, "agreement-active", pages)
    context.close()

    # a second provider joins the same open house after the deadline that closed the other procedure
    second = factories.ProviderFactory(name="Stichting Jonge Krachten")
    factories.provider_user(second, username="tweede-e2e", password=PASSWORD)
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    login(page, "/portal/login/", "tweede-e2e")
    page.goto(f"/portal/procedures/{procedure.uuid}/")
    page.get_by_role("button", name="Aanmelden voor Stichting Jonge Krachten").click()
    page.wait_for_load_state()
    page.get_by_label("Perceel 1: Jeugdhulp ambulant generalistisch").check()
    page.get_by_role("button", name="Concept opslaan").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Toch indienen").click()
    page.wait_for_load_state()
    assert procedure.applications.get(provider=second).status == ApplicationStatus.SUBMITTED
    shot(page, "second-provider-submitted", pages)
    context.close()
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE

    # axe-core (it runs scripts) on every page the walk visited, as the first provider
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    login(page, "/portal/login/", "aanbieder-e2e")
    problems = {}
    for path in (
        "/portal/procedures/",
        f"/portal/procedures/{procedure.uuid}/",
        "/portal/applications/",
        f"/portal/applications/{application.uuid}/",
        f"/portal/agreements/{agreement.uuid}/",
    ):
        page.goto(path)
        problems[path] = serious_violations(page)
    context.close()
    assert {path: found for path, found in problems.items() if found} == {}

"""End to end in the officer's workspace: an officer signs in, opens the start page, follows a worklist
item (a fraud signal to triage), takes the steps (start the investigation, propose the confirmation) and
sees the worklists, the relationship page and its timeline change; a second officer finds the signal in
"waiting for you (four eyes)" and confirms it.

axe-core finds no serious or critical violation on any workspace page (start, relationship with a
state diagram opened, coalition, calendar, document review, an agreement's admin page with its diagram).

The run writes screenshots of the start page, a relationship page, a coalition page, the calendar and a
document review under var/screenshots/workspace-*.png (look at them after a change to these pages).
"""

import datetime
import io
from pathlib import Path

import pytest

from coalitions.models import MembershipRole
from compliance.models import AccountabilityDocument, DocumentType, FraudSignal, SignalSeverity, SignalStatus
from core import clock
from tests import factories
from tests.compliance.documents.helpers import uploaded
from tests.security.logins import with_authenticator_app

from .axe import serious_violations
from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"workspace-{name}.png"), full_page=True)


def policy_pdf() -> bytes:
    """A readable one-page policy, so that the screenshot of the review shows the viewer with text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle("Antidiscriminatiebeleid")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(72, 770, "Antidiscriminatiebeleid")
    pdf.setFont("Helvetica", 12)
    lines = [
        "Stichting Zorg aan de Maas",
        "",
        "1. Iedere cliënt en medewerker wordt gelijk behandeld.",
        "2. Meldingen van discriminatie gaan naar de vertrouwenspersoon.",
        "3. Het bestuur evalueert dit beleid ieder jaar.",
    ]
    for i, line in enumerate(lines):
        pdf.drawString(72, 730 - 20 * i, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def count(page, worklist: str) -> int:
    return int(page.locator(f"#worklist-{worklist} .ws-count").get_attribute("data-count"))


def take_step(page, name: str, reason: str) -> None:
    """On an admin change page: the step's button, then the confirmation page with its reason."""
    page.locator(f"a.transition-button[data-transition={name}]").click()
    page.wait_for_load_state()
    page.fill("textarea[name=reason]", reason)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


@pytest.fixture
def office(people):
    """An authority with two officers, and a provider with an agreement near its notice deadline, an open
    fraud signal, a document to review and a coalition membership."""
    today = clock.today()
    authority = factories.MunicipalityFactory(name="Gemeente Maasdal")
    officer = people["officer"]
    officer.first_name, officer.last_name = "Ingrid", "de Vries"
    officer.save(update_fields=["first_name", "last_name"])
    second = factories.officer(
        username="inkoper2-e2e", password=PASSWORD, first_name="Karim", last_name="Bouzid"
    )
    with_authenticator_app(second)
    authority.officers.add(officer, second)
    provider = people["provider"]
    agreement = factories.AgreementFactory(
        reference="WMO-2026-0417",
        provider=provider,
        authority=authority,
        active=True,
        start_date=today.replace(day=1) - datetime.timedelta(days=700),
        end_date=today + datetime.timedelta(days=150),
        notice_months=3,
    )
    factories.BudgetCeilingFactory(agreement=agreement)
    signal = FraudSignal.objects.create(
        provider=provider,
        authority=authority,
        rule="implausible_hours_per_fte",
        period_start=datetime.date(today.year - 1, 1, 1),
        period_end=datetime.date(today.year - 1, 12, 31),
        severity=SignalSeverity.HIGH,
        explanation="Gemiddeld 2.140 gedeclareerde uren per fte, terwijl 1.500 haalbaar is.",
    )
    document = uploaded(
        people["provider_user"],
        AccountabilityDocument.objects.create(
            provider=provider,
            document_type=DocumentType.objects.get(code="anti_discrimination_policy"),
            due_date=today + datetime.timedelta(days=14),
        ),
        data=policy_pdf(),
        name="Antidiscriminatiebeleid 2026.pdf",
    )
    coalition = factories.CoalitionFactory(
        name="Zorgcoalitie Jeugd Maasdal", authority=authority, active=True
    )
    factories.MembershipFactory(coalition=coalition, provider=provider, role=MembershipRole.LEAD, active=True)
    factories.MembershipFactory(
        coalition=coalition,
        provider=factories.ProviderFactory(name="Jeugdzorg Rijnmond"),
        role=MembershipRole.MEMBER,
        active=True,
    )
    factories.MembershipFactory(
        coalition=coalition,
        provider=factories.ProviderFactory(name="Gezinshuis De Linde"),
        role=MembershipRole.SUBCONTRACTOR,
    )
    factories.AgreementFactory(
        reference="JW-2026-0031", provider=None, coalition=coalition, authority=authority, active=True
    )
    return {
        "authority": authority,
        "provider": provider,
        "signal": signal,
        "document": document,
        "coalition": coalition,
        "agreement": agreement,
    }


def test_an_officer_works_a_signal_and_a_second_officer_confirms_it(new_page, office):
    signal, provider = office["signal"], office["provider"]
    relationship = f"/admin/workspace/providers/{provider.uuid}/"
    # given: the officer signs in and sees the signal among the signals to triage
    page = new_page()
    login(page, "/admin/login/", "inkoper-e2e")
    page.goto("/admin/")
    assert count(page, "signals_to_triage") == 1
    assert count(page, "waiting_for_other_officer") == 0
    screenshot(page, "start")
    # when: the officer follows the item and takes the steps
    page.locator("#worklist-signals_to_triage a.ws-item-link").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/compliance/fraudsignal/{signal.pk}/change/")
    take_step(page, "start_investigation", "Uren per fte wijken sterk af; dossier opgevraagd.")
    take_step(page, "request_confirmation", "Onderzoek wijst op declaraties zonder geleverde zorg.")
    # then: the signal left the triage list and waits for the other officer
    page.goto("/admin/")
    assert count(page, "signals_to_triage") == 0
    assert count(page, "waiting_for_other_officer") == 1
    assert count(page, "waiting_for_you") == 0
    # and the relationship page says so, with both steps in its timeline
    page.goto(relationship)
    signals = page.locator("#signals")
    assert "bevestiging voorgesteld, wacht op een tweede" in signals.inner_text()
    events = page.locator("#timeline-table tbody tr")
    assert page.locator("#timeline-table tr[data-event='fraudsignal.investigation_started']").count() == 1
    assert page.locator("#timeline-table tr[data-event='fraudsignal.confirmation_requested']").count() == 1
    before = events.count()
    screenshot(page, "relationship")

    # when: the second officer signs in: the signal waits for them
    other = new_page()
    login(other, "/admin/login/", "inkoper2-e2e")
    other.goto("/admin/")
    assert count(other, "waiting_for_you") == 1
    other.locator("#worklist-waiting_for_you a.ws-item-link").first.click()
    other.wait_for_load_state()
    take_step(other, "confirm", "Eens met het voorstel: declaraties zonder geleverde zorg.")
    # then: confirmed, gone from both four-eyes lists, and in the timeline
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CONFIRMED
    other.goto("/admin/")
    assert count(other, "waiting_for_you") == 0
    page.goto("/admin/")
    assert count(page, "waiting_for_other_officer") == 0
    page.goto(relationship)
    assert page.locator("#timeline-table tr[data-event='fraudsignal.confirmed']").count() == 1
    assert page.locator("#timeline-table tbody tr").count() > before
    assert "Bevestigd" in page.locator("#signals").inner_text()


def test_screenshots_of_the_coalition_page_the_calendar_and_a_document_review(new_page, office):
    page = new_page()
    login(page, "/admin/login/", "inkoper-e2e")
    # the coalition: lead, members by role, its agreement
    page.goto(f"/admin/workspace/coalitions/{office['coalition'].uuid}/")
    assert office["provider"].name in page.locator("#lead").inner_text()
    assert "JW-2026-0031" in page.locator("#agreements").inner_text()
    screenshot(page, "coalition")
    # the calendar: the agreement's notice deadline and end date
    page.goto("/admin/workspace/calendar/")
    assert page.locator("tr[data-kind] a", has_text="WMO-2026-0417").count() >= 1
    screenshot(page, "calendar")
    # a document review: the PDF beside the verdict form
    document = office["document"]
    page.goto("/admin/")
    page.locator("#worklist-documents_to_review a.ws-item-link").first.click()
    page.wait_for_load_state()
    page.locator("#document-review button[data-step=start_review]").click()
    page.wait_for_load_state()
    assert page.locator("#document-review iframe#document-preview").count() == 1
    assert page.locator("#verdict-form button[data-step=accept]").is_visible()
    preview = page.request.get(page.locator("#document-preview").get_attribute("src"))
    assert preview.headers["content-disposition"].startswith("inline")
    page.wait_for_timeout(1500)  # the browser's PDF viewer draws the page
    screenshot(page, "document-review")
    # when the officer accepts it there
    page.fill("#verdict-reason", "Beleid is compleet en ondertekend.")
    page.locator("#verdict-form button[data-step=accept]").click()
    page.wait_for_load_state()
    document.refresh_from_db()
    assert document.status == "accepted"
    # a relationship page with the agreement's state diagram opened
    page.goto(f"/admin/workspace/providers/{office['provider'].uuid}/")
    page.locator(f"#agreement-{office['agreement'].pk}-states > summary").click()
    assert page.locator(f"#agreement-{office['agreement'].pk}-states .sm-current").count() == 1
    screenshot(page, "relationship-diagram")


def test_workspace_pages_have_no_serious_accessibility_violations(new_page, office):
    page = new_page()
    login(page, "/admin/login/", "inkoper-e2e")
    agreement = office["agreement"]
    problems = {}
    page.goto("/admin/")
    problems["start"] = serious_violations(page)
    page.goto(f"/admin/workspace/providers/{office['provider'].uuid}/")
    page.locator(f"#agreement-{agreement.pk}-states > summary").click()
    problems["relationship"] = serious_violations(page)
    page.goto(f"/admin/workspace/coalitions/{office['coalition'].uuid}/")
    problems["coalition"] = serious_violations(page)
    page.goto("/admin/workspace/calendar/")
    problems["calendar"] = serious_violations(page)
    page.goto(f"/admin/compliance/accountabilitydocument/{office['document'].pk}/change/")
    page.locator("#document-review button[data-step=start_review]").click()
    page.wait_for_load_state()
    assert page.locator("#verdict-form").is_visible()
    problems["document review"] = serious_violations(page)
    page.goto(f"/admin/contracting/agreement/{agreement.pk}/change/")
    assert page.locator("#state-machine svg[role=img]").count() == 1
    problems["agreement with its state diagram"] = serious_violations(page)
    found = [f"{name}: {line}" for name, lines in problems.items() for line in lines]
    assert not found, "\n".join(found)

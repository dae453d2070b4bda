"""The officer sees the warning of a retroactive start on the agreement page and decides in the browser.
Screenshots: var/screenshots/agreement-past-start-*.png."""

import datetime
from pathlib import Path

from contracting.models import Agreement, PastStart
from contracting.services import application_admit
from tests import factories
from tests.factories import today

from .conftest import login

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_officer_decides_on_a_start_in_the_past(new_page, people):
    # given: an admission to a term that began three months ago
    officer = people["officer"]
    application = factories.ApplicationFactory(under_review=True, provider=people["provider"])
    procedure = application.procedure
    procedure.contract_start = today().replace(day=1) - datetime.timedelta(days=90)
    procedure.save(update_fields=["contract_start"])
    factories.assess(application, officer)
    application_admit(uuid=application.uuid, actor=officer)
    agreement = Agreement.objects.get(application=application)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page()
    login(page, "/admin/login/", "inkoper-e2e")
    # when the officer opens the agreement
    page.goto(f"/admin/contracting/agreement/{agreement.pk}/change/")
    # then a warning says the offer waits for a decision
    assert page.get_by_text("voordat ze werd aangemaakt").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "agreement-past-start-pending.png"), full_page=True)
    # when the officer keeps the past start date, with a reason
    page.locator("a[href$='/transitions/keep_past_start/']").first.click()
    page.wait_for_load_state()
    page.fill("textarea[name=reason]", "Zorg is sinds de start geleverd.")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    # then the decision is recorded and shown; the warning is gone
    agreement.refresh_from_db()
    assert agreement.past_start == PastStart.KEPT
    page.goto(f"/admin/contracting/agreement/{agreement.pk}/change/")
    assert page.get_by_text("voordat ze werd aangemaakt").count() == 0
    assert page.get_by_text("Zorg is sinds de start geleverd.").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "agreement-past-start-decided.png"), full_page=True)

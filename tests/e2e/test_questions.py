"""Questions and answers in the browser, with JavaScript switched off: a provider asks a question on the
procedure's page; the officer answers and publishes it; another provider reads question and answer there,
without the asker's name or organisation. axe-core finds no serious or critical violations on the page.
Screenshots: var/screenshots/portal-questions*.png."""

import datetime

import pytest

from contracting.models import Question
from contracting.services import question_answer, question_publish
from core import clock
from tests import factories

from .axe import serious_violations
from .conftest import PASSWORD, login
from .test_applying import SCREENSHOTS, open_house

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_question_is_asked_answered_and_published_without_the_asker(browser, live_server, people):
    procedure = open_house(
        "Toelating jeugdhulp ambulant", question_deadline=clock.today() + datetime.timedelta(days=14)
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, "/portal/login/", "aanbieder-e2e")

    # the provider asks its question on the procedure's page
    page.goto(f"/portal/procedures/{procedure.uuid}/")
    page.get_by_role("textbox", name="Uw vraag").fill(
        "Mag de ambulante begeleiding ook deels in groepen worden gegeven?"
    )
    page.get_by_role("button", name="Vraag versturen").click()
    page.wait_for_load_state()
    assert "Uw vraag is verstuurd." in page.content()
    assert "Uw vragen die op antwoord wachten" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "portal-questions-asked.png"), full_page=True)
    context.close()

    # the officer answers and publishes it
    question = Question.objects.get(procedure=procedure)
    officer = people["officer"]
    question_answer(
        uuid=question.uuid,
        actor=officer,
        answer="Ja, tot de helft van de uren, als het behandelplan dat onderbouwt.",
    )
    question_publish(uuid=question.uuid, actor=officer)

    # another provider reads question and answer, and nothing that names the asker
    other = factories.ProviderFactory(name="Stichting Jonge Krachten")
    factories.provider_user(other, username="tweede-e2e", password=PASSWORD)
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    login(page, "/portal/login/", "tweede-e2e")
    page.goto(f"/portal/procedures/{procedure.uuid}/#questions")
    content = page.content()
    assert "Mag de ambulante begeleiding ook deels in groepen worden gegeven?" in content
    assert "Ja, tot de helft van de uren" in content
    assert people["provider"].name not in content and "aanbieder-e2e" not in content
    page.locator("#questions").screenshot(path=str(SCREENSHOTS / "portal-questions.png"))
    context.close()

    # axe-core (it runs scripts) on the page with the published answer
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    login(page, "/portal/login/", "tweede-e2e")
    page.goto(f"/portal/procedures/{procedure.uuid}/")
    problems = serious_violations(page)
    context.close()
    assert problems == []

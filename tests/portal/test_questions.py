"""Questions and answers in the portal (nota van inlichtingen): asking on the procedure's page, the question
deadline, published answers for every provider without the asker, unpublished questions for the asker only."""

import datetime

import pytest

from django.utils import translation

from audit.models import AuditEvent
from contracting.models import Question, QuestionStatus
from core import clock
from tests import factories

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 3, 10)


def page(client, procedure):
    return client.get(f"/portal/procedures/{procedure.uuid}/")


def ask(client, procedure, text):
    return client.post(f"/portal/procedures/{procedure.uuid}/questions/", {"text": text})


def named_asker():
    """A provider and a user of it whose names a page must never show to others."""
    asker = factories.ProviderFactory(name="Zorggroep Vraagsteller")
    user = factories.provider_user(
        asker, username="h.vragenmaker", first_name="Henriëtte", last_name="Vragenmaker"
    )
    return asker, user


def test_a_provider_user_asks_a_question_on_the_procedures_page(client_for, provider, provider_user):
    # given
    procedure = factories.ProcedureFactory(open=True)
    client = client_for(provider_user)
    # when
    response = ask(client, procedure, "Mogen wij ook in groepen werken?")
    # then
    assert response.status_code == 302
    assert response["Location"].endswith(f"/portal/procedures/{procedure.uuid}/#questions")
    question = Question.objects.get()
    assert (question.provider, question.asked_by, question.text) == (
        provider,
        provider_user,
        "Mogen wij ook in groepen werken?",
    )
    assert AuditEvent.objects.filter(subject_uuid=question.uuid, event="question.asked").exists()
    # and the asker sees its own question waiting for an answer
    text = page(client, procedure).content.decode()
    assert "Mogen wij ook in groepen werken?" in text


def test_after_the_question_deadline_the_form_is_gone_and_a_question_is_refused_in_dutch(
    client_for, provider_user
):
    with clock.travel(DEADLINE + datetime.timedelta(days=1)), translation.override("nl"):
        # given
        procedure = factories.ProcedureFactory(open=True, question_deadline=DEADLINE)
        client = client_for(provider_user)
        # then the page shows the deadline and no form
        shown = page(client, procedure)
        assert "10-03-2026" in shown.content.decode()
        assert shown.context["accepts_questions"] is False
        assert b'name="text"' not in shown.content
        # when a question is posted anyway
        response = ask(client, procedure, "Nog een vraag na de termijn")
        # then it is refused with the reason, and nothing is written
        assert response.status_code == 400
        assert "de termijn voor vragen" in response.content.decode().lower()
        assert not Question.objects.exists()
        assert not AuditEvent.objects.filter(event="question.asked").exists()


def test_an_empty_question_keeps_the_form_with_an_error(client_for, provider_user):
    procedure = factories.ProcedureFactory(open=True)
    response = ask(client_for(provider_user), procedure, "   ")
    assert response.status_code == 400
    assert response.context["question_form"].errors["text"]
    assert not Question.objects.exists()


def test_a_published_answer_is_on_the_page_for_every_provider_without_the_asker(client_for, officer):
    # given a question of another provider, answered and published
    asker, user = named_asker()
    procedure = factories.ProcedureFactory(open=True)
    factories.QuestionFactory(
        procedure=procedure,
        provider=asker,
        asked_by=user,
        text="Wij van Zorggroep Vraagsteller vragen: mag groepswerk?",
        public_text="Mag de begeleiding ook in groepen?",
        published=True,
        answer="Ja, binnen perceel 1.",
    )
    reader = factories.provider_user(factories.ProviderFactory())
    # when
    response = page(client_for(reader), procedure)
    # then question (as published) and answer are shown, and nothing that names the asker
    text = response.content.decode()
    assert "Mag de begeleiding ook in groepen?" in text and "Ja, binnen perceel 1." in text
    for secret in (asker.name, user.username, user.first_name, user.last_name, "Wij van"):
        assert secret not in text, secret


def test_another_provider_never_sees_an_unpublished_question(client_for):
    # given a question answered but not yet published
    asker, user = named_asker()
    procedure = factories.ProcedureFactory(open=True)
    factories.QuestionFactory(
        procedure=procedure,
        provider=asker,
        asked_by=user,
        text="Geheime vraag over groepswerk",
        answered=True,
    )
    reader = factories.provider_user(factories.ProviderFactory())
    # when
    response = page(client_for(reader), procedure)
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "Geheime vraag over groepswerk" not in text
    assert "Ja, binnen de producten van perceel 1." not in text
    assert response.context["own_questions"] == [] and response.context["published_questions"] == []


def test_the_asker_sees_its_unpublished_question_but_not_yet_the_answer(client_for):
    asker, user = named_asker()
    procedure = factories.ProcedureFactory(open=True)
    question = factories.QuestionFactory(procedure=procedure, provider=asker, asked_by=user, answered=True)
    response = page(client_for(user), procedure)
    assert response.context["own_questions"] == [question]
    assert question.text in response.content.decode()
    # the answer reaches every provider at the same moment: when it is published
    assert question.answer not in response.content.decode()
    assert question.status == QuestionStatus.ANSWERED

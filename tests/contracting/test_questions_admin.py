"""The officer answers and publishes questions in the admin; an auditor reads them and changes nothing."""

import pytest

from django.urls import reverse

from audit.models import AuditEvent
from contracting.models import QuestionStatus
from tests import factories
from tests.admin.helpers import change_url

pytestmark = pytest.mark.django_db


def answer_url(question):
    return reverse("admin:contracting_question_answer", args=[question.pk])


def publish_url(question):
    return reverse("admin:contracting_question_publish", args=[question.pk])


def test_an_officer_answers_and_publishes_on_the_questions_page(client_for, officer):
    # given
    question = factories.QuestionFactory()
    client = client_for(officer)
    page = client.get(change_url(question))
    assert page.context["answer_url"] == answer_url(question)
    # when
    answered = client.post(answer_url(question), {"answer": "Ja.", "public_text": "Mag groepswerk?"})
    published = client.post(publish_url(question))
    # then
    assert answered.status_code == published.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.answer, question.public_text) == (
        QuestionStatus.PUBLISHED,
        "Ja.",
        "Mag groepswerk?",
    )
    assert list(
        AuditEvent.objects.filter(subject_uuid=question.uuid).order_by("id").values_list("event", flat=True)
    ) == ["question.answered", "question.published"]
    # a published question offers no answer form any more
    assert "answer_form" not in client.get(change_url(question)).context


def test_an_officer_publishes_the_selected_answers_together(client_for, officer):
    questions = factories.QuestionFactory.create_batch(2, answered=True)
    response = client_for(officer).post(
        reverse("admin:contracting_question_changelist"),
        {"action": "publish_selected", "_selected_action": [q.pk for q in questions]},
    )
    assert response.status_code == 302
    for question in questions:
        question.refresh_from_db()
        assert question.status == QuestionStatus.PUBLISHED


def test_an_auditor_sees_the_question_but_cannot_answer_or_publish(client_for, auditor):
    # given
    question = factories.QuestionFactory(answered=True)
    client = client_for(auditor)
    # when
    page = client.get(change_url(question))
    answered = client.post(answer_url(question), {"answer": "Nee."})
    published = client.post(publish_url(question))
    # then
    assert page.status_code == 200 and "answer_form" not in page.context
    assert answered.status_code == published.status_code == 403
    question.refresh_from_db()
    assert (question.status, question.answer) == (
        QuestionStatus.ANSWERED,
        "Ja, binnen de producten van perceel 1.",
    )
    assert not AuditEvent.objects.filter(subject_uuid=question.uuid).exists()


def test_an_empty_answer_is_refused_with_a_message_and_nothing_changes(client_for, officer):
    question = factories.QuestionFactory()
    response = client_for(officer).post(answer_url(question), {"answer": ""}, follow=True)
    assert [m.tags for m in response.context["messages"]] == ["invalid error"]
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASKED

"""Questions about a procedure (nota van inlichtingen): a provider's user asks while the procedure accepts
questions, an officer answers and publishes; everything in the audit trail."""

import datetime

import pytest

from audit.models import AuditEvent
from contracting.guards import procedure_accepts_questions
from contracting.models import Question, QuestionStatus, Route
from contracting.services import question_answer, question_ask, question_publish
from core import clock
from core.exceptions import GuardFailed, InvalidInput, InvalidTransition, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 3, 10)


def ask(procedure, provider, user, text="Mogen wij ook in groepen werken?"):
    return question_ask(procedure_uuid=procedure.uuid, provider_uuid=provider.uuid, actor=user, text=text)


def test_a_provider_user_asks_a_question_and_it_is_audited(provider, provider_user):
    # given
    procedure = factories.ProcedureFactory(open=True)
    # when
    question = ask(procedure, provider, provider_user, text="  Mogen wij ook in groepen werken?  ")
    # then
    question.refresh_from_db()
    assert (question.status, question.text, question.asked_by, question.provider) == (
        QuestionStatus.ASKED,
        "Mogen wij ook in groepen werken?",
        provider_user,
        provider,
    )
    event = AuditEvent.objects.get(subject_uuid=question.uuid)
    assert (event.event, event.actor_id, event.to_state) == ("question.asked", provider_user.pk, "asked")
    assert event.data["procedure"] == str(procedure.uuid)


@pytest.mark.parametrize("day, allowed", [(DEADLINE, True), (DEADLINE + datetime.timedelta(days=1), False)])
def test_questions_are_accepted_until_and_including_the_question_deadline(
    provider, provider_user, day, allowed
):
    with clock.travel(day):
        # given a procedure open for applications whose question deadline is 10 March
        procedure = factories.ProcedureFactory(open=True, question_deadline=DEADLINE)
        # when / then
        if allowed:
            assert ask(procedure, provider, provider_user).status == QuestionStatus.ASKED
        else:
            with pytest.raises(GuardFailed) as refused:
                ask(procedure, provider, provider_user)
            assert [u["code"] for u in refused.value.extra["unmet"]] == ["question_deadline_passed"]
            assert not Question.objects.exists()
            assert not AuditEvent.objects.filter(event="question.asked").exists()


def test_a_procedure_that_does_not_accept_applications_takes_no_questions(provider, provider_user):
    procedure = factories.ProcedureFactory(consultation=True)
    with pytest.raises(GuardFailed) as refused:
        ask(procedure, provider, provider_user)
    assert [u["code"] for u in refused.value.extra["unmet"]] == ["procedure_not_open_for_questions"]
    assert not Question.objects.exists()


def test_an_open_house_takes_questions_after_applications_would_have_closed_but_not_after_its_deadline():
    # given an open house (admits during the whole term) past its application deadline
    with clock.travel(DEADLINE + datetime.timedelta(days=5)):
        procedure = factories.ProcedureFactory(
            route=Route.OPEN_HOUSE,
            assessing=True,
            application_deadline=DEADLINE - datetime.timedelta(days=20),
            term_months=48,
        )
        # then: no question deadline, questions are accepted; with one in the past, they are not
        assert list(procedure_accepts_questions(procedure, clock.today())) == []
        procedure.question_deadline = DEADLINE
        assert [u.code for u in procedure_accepts_questions(procedure, clock.today())] == [
            "question_deadline_passed"
        ]


@pytest.mark.parametrize("who", ["other_provider_user", "officer", "auditor"])
def test_only_the_providers_own_users_ask_for_it(provider, who):
    # given
    procedure = factories.ProcedureFactory(open=True)
    actor = {
        "other_provider_user": lambda: factories.provider_user(factories.ProviderFactory()),
        "officer": factories.officer,
        "auditor": factories.auditor,
    }[who]()
    # when / then
    with pytest.raises(TransitionForbidden):
        ask(procedure, provider, actor)
    assert not Question.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_an_empty_or_too_long_question_is_refused(provider, provider_user, text):
    with pytest.raises(InvalidInput) as refused:
        ask(factories.ProcedureFactory(open=True), provider, provider_user, text=text)
    assert refused.value.extra["field"] == "text"
    assert not Question.objects.exists()


def test_an_officer_answers_and_publishes_and_both_are_audited(officer):
    # given
    question = factories.QuestionFactory()
    # when
    question_answer(uuid=question.uuid, actor=officer, answer="Ja.", public_text="Mag groepswerk?")
    published = question_publish(uuid=question.uuid, actor=officer)
    # then
    published.refresh_from_db()
    assert (published.status, published.answer, published.shown_text, published.answered_by) == (
        QuestionStatus.PUBLISHED,
        "Ja.",
        "Mag groepswerk?",
        officer,
    )
    assert published.published_at is not None
    events = list(AuditEvent.objects.filter(subject_uuid=question.uuid).order_by("id"))
    assert [(e.event, e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("question.answered", "asked", "answered", officer.pk),
        ("question.published", "answered", "published", officer.pk),
    ]


def test_without_a_rephrasing_the_question_is_published_as_asked(officer):
    question = factories.QuestionFactory(text="Wat is de reële prijs van product 02A01?")
    question_answer(uuid=question.uuid, actor=officer, answer="Zie de kostprijsopbouw.")
    question.refresh_from_db()
    assert question.shown_text == "Wat is de reële prijs van product 02A01?"


@pytest.mark.parametrize("who", ["provider_user", "auditor"])
def test_a_provider_user_or_an_auditor_cannot_answer_or_publish(who):
    # given
    question = factories.QuestionFactory(answered=True)
    actor = factories.auditor() if who == "auditor" else question.asked_by
    # when / then
    with pytest.raises(TransitionForbidden):
        question_answer(uuid=question.uuid, actor=actor, answer="Ja, hoor.")
    with pytest.raises(TransitionForbidden):
        question_publish(uuid=question.uuid, actor=actor)
    question.refresh_from_db()
    assert (question.status, question.answer) == (
        QuestionStatus.ANSWERED,
        "Ja, binnen de producten van perceel 1.",
    )
    assert not AuditEvent.objects.filter(subject_uuid=question.uuid).exists()


def test_an_unanswered_question_cannot_be_published(officer):
    question = factories.QuestionFactory()
    with pytest.raises(InvalidTransition):
        question_publish(uuid=question.uuid, actor=officer)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASKED


def test_a_published_answer_is_not_changed(officer):
    question = factories.QuestionFactory(published=True)
    with pytest.raises(InvalidTransition):
        question_answer(uuid=question.uuid, actor=officer, answer="Toch niet.")
    question.refresh_from_db()
    assert question.answer == "Ja, binnen de producten van perceel 1."


def test_an_empty_answer_is_refused(officer):
    question = factories.QuestionFactory()
    with pytest.raises(InvalidInput) as refused:
        question_answer(uuid=question.uuid, actor=officer, answer="  ")
    assert refused.value.extra["field"] == "answer"
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASKED

"""/questions: a provider's own system asks questions about a procedure for one of the caller's providers;
every provider reads the published answers without who asked; nobody else reads an unpublished question."""

import datetime
import json

import pytest

from audit.models import AuditEvent
from contracting.models import Question
from core import clock
from tests import factories
from tests.api.helpers import assert_problem, uuids

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 3, 10)


def ask(client, procedure, provider, text="Mogen wij ook in groepen werken?"):
    body = {"procedure": str(procedure.uuid), "provider": str(provider.uuid), "text": text}
    return client.post("/api/v1/questions", body, format="json")


def named_asker():
    asker = factories.ProviderFactory(name="Zorggroep Vraagsteller")
    user = factories.provider_user(
        asker, username="h.vragenmaker", first_name="Henriëtte", last_name="Vragenmaker"
    )
    return asker, user


def test_a_provider_user_asks_a_question(api_for, provider, provider_user):
    # given
    procedure = factories.ProcedureFactory(open=True)
    # when
    response = ask(api_for(provider_user), procedure, provider)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["question"], body["answer"], body["provider"]["uuid"]) == (
        "asked",
        "Mogen wij ook in groepen werken?",
        "",
        str(provider.uuid),
    )
    assert response["Location"] == f"/api/v1/questions/{body['uuid']}"
    question = Question.objects.get(uuid=body["uuid"])
    assert AuditEvent.objects.get(subject_uuid=question.uuid).event == "question.asked"


def test_after_the_question_deadline_a_question_is_refused_with_a_code(api_for, provider, provider_user):
    with clock.travel(DEADLINE + datetime.timedelta(days=1)):
        procedure = factories.ProcedureFactory(open=True, question_deadline=DEADLINE)
        response = ask(api_for(provider_user), procedure, provider)
    body = assert_problem(response, 409, "guard_failed")
    assert [u["code"] for u in body["unmet"]] == ["question_deadline_passed"]
    assert not Question.objects.exists()
    assert not AuditEvent.objects.filter(event="question.asked").exists()


def test_the_procedure_shows_its_question_deadline(api_for, provider_user):
    procedure = factories.ProcedureFactory(open=True, question_deadline=DEADLINE)
    response = api_for(provider_user).get(f"/api/v1/procedures/{procedure.uuid}")
    assert response.json()["questionDeadline"] == "2026-03-10"


def test_a_provider_cannot_ask_for_another_provider(api_for, provider_user):
    response = ask(api_for(provider_user), factories.ProcedureFactory(open=True), factories.ProviderFactory())
    assert_problem(response, 403, "transition_forbidden")
    assert not Question.objects.exists()


def test_an_empty_question_lists_the_field(api_for, provider, provider_user):
    response = ask(api_for(provider_user), factories.ProcedureFactory(open=True), provider, text="")
    body = assert_problem(response, 400, "invalid")
    assert [p["name"] for p in body["invalidParams"]] == ["text"]
    assert not Question.objects.exists()


def test_a_published_answer_is_read_by_every_provider_without_the_asker(api_for):
    # given
    asker, user = named_asker()
    procedure = factories.ProcedureFactory(open=True)
    question = factories.QuestionFactory(
        procedure=procedure,
        provider=asker,
        asked_by=user,
        text="Wij van Zorggroep Vraagsteller vragen: mag groepswerk?",
        public_text="Mag de begeleiding ook in groepen?",
        published=True,
        answer="Ja, binnen perceel 1.",
    )
    reader = factories.provider_user(factories.ProviderFactory())
    client = api_for(reader)
    # when
    listed = client.get("/api/v1/questions", {"procedure": str(procedure.uuid)})
    detail = client.get(f"/api/v1/questions/{question.uuid}")
    # then
    assert uuids(listed) == {str(question.uuid)}
    body = detail.json()
    assert (body["question"], body["answer"], body["provider"], body["status"]) == (
        "Mag de begeleiding ook in groepen?",
        "Ja, binnen perceel 1.",
        None,
        "published",
    )
    for response in (listed, detail):
        text = json.dumps(response.json(), ensure_ascii=False)
        for secret in (
            asker.name,
            str(asker.uuid),
            user.username,
            user.first_name,
            user.last_name,
            "Wij van",
        ):
            assert secret not in text, secret


def test_another_provider_cannot_see_an_unpublished_question(api_for):
    # given a question answered but not published
    asker, user = named_asker()
    question = factories.QuestionFactory(provider=asker, asked_by=user, answered=True)
    reader = factories.provider_user(factories.ProviderFactory())
    client = api_for(reader)
    # then
    assert uuids(client.get("/api/v1/questions")) == set()
    assert_problem(client.get(f"/api/v1/questions/{question.uuid}"), 404, "not_found")


def test_the_asker_reads_its_own_unpublished_question_but_not_the_answer_yet(api_for):
    asker, user = named_asker()
    question = factories.QuestionFactory(provider=asker, asked_by=user, answered=True)
    body = api_for(user).get(f"/api/v1/questions/{question.uuid}").json()
    assert (body["question"], body["answer"], body["status"]) == (question.text, "", "answered")
    assert body["provider"]["uuid"] == str(asker.uuid)


def test_anonymous_gets_401(api_client):
    procedure = factories.ProcedureFactory(open=True)
    assert_problem(api_client.get("/api/v1/questions"), 401, "not_authenticated")
    response = ask(api_client, procedure, factories.ProviderFactory())
    assert_problem(response, 401, "not_authenticated")


def test_an_auditor_reads_every_question_and_its_asker_but_cannot_ask(api_for, auditor):
    # given
    asker, user = named_asker()
    question = factories.QuestionFactory(provider=asker, asked_by=user, answered=True)
    client = api_for(auditor)
    # when
    body = client.get(f"/api/v1/questions/{question.uuid}").json()
    refused = ask(client, question.procedure, asker)
    # then
    assert (body["answer"], body["provider"]["name"]) == (question.answer, asker.name)
    assert_problem(refused, 403, "transition_forbidden")
    assert Question.objects.count() == 1


def test_an_officer_cannot_ask_over_the_api(api_for, officer):
    procedure = factories.ProcedureFactory(open=True)
    assert_problem(ask(api_for(officer), procedure, factories.ProviderFactory()), 403, "transition_forbidden")
    assert not Question.objects.exists()

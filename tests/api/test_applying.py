"""Providers' own systems apply and answer offers through the API, with the same services as the portal,
scoped to the caller's providers."""

import datetime

import pytest

from audit.models import AuditEvent
from contracting.models import AgreementStatus, Application, ApplicationStatus, Route
from tests import factories
from tests.api.helpers import assert_problem, transition_url
from tests.factories import today

pytestmark = pytest.mark.django_db


def open_procedure(**kwargs):
    procedure = factories.ProcedureFactory(open=True, **kwargs)
    factories.LotFactory(procedure=procedure, number=1)
    return procedure


def create(client, procedure, provider, **extra):
    body = {"procedure": str(procedure.uuid), "provider": str(provider.uuid), **extra}
    return client.post("/api/v1/applications", body, format="json")


def test_a_provider_user_starts_a_draft_and_submits_it(api_for, provider, provider_user):
    # given
    procedure = open_procedure()
    lot = procedure.lots.get()
    client = api_for(provider_user)
    # when
    response = create(client, procedure, provider, lots=[str(lot.uuid)], motivation="In de wijk")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["motivation"], [lot_["uuid"] for lot_ in body["lots"]]) == (
        "draft",
        "In de wijk",
        [str(lot.uuid)],
    )
    assert response["Location"] == f"/api/v1/applications/{body['uuid']}"
    assert body["availableTransitions"] == ["submit", "withdraw"]
    application = Application.objects.get(uuid=body["uuid"])
    submitted = client.post(transition_url("applications", application, "submit"), format="json")
    assert submitted.json()["status"] == "submitted"


def test_a_provider_cannot_apply_for_another_provider(api_for, provider_user):
    other = factories.ProviderFactory()
    response = create(api_for(provider_user), open_procedure(), other)
    assert_problem(response, 403, "transition_forbidden")
    assert not Application.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_provider_cannot_see_another_providers_draft(api_for, provider, provider_user):
    own = factories.ApplicationFactory(provider=provider)
    other = factories.ApplicationFactory()  # a draft of another provider
    client = api_for(provider_user)
    listed = {row["uuid"] for row in client.get("/api/v1/applications").json()["results"]}
    assert listed == {str(own.uuid)}
    assert_problem(client.get(f"/api/v1/applications/{other.uuid}"), 404, "not_found")


def test_an_unknown_procedure_is_invalid_input(api_for, provider, provider_user):
    procedure = factories.ProcedureFactory()  # a draft procedure: not published
    response = create(api_for(provider_user), procedure, provider)
    body = assert_problem(response, 400, "invalid")
    assert [p["name"] for p in body["invalidParams"]] == ["procedure"]


def test_after_the_deadline_only_the_open_house_accepts_an_application(api_for, provider, provider_user):
    yesterday = today() - datetime.timedelta(days=1)
    client = api_for(provider_user)
    closed = create(client, open_procedure(application_deadline=yesterday), provider)
    body = assert_problem(closed, 409, "guard_failed")
    assert [u["code"] for u in body["unmet"]] == ["procedure_not_open"]
    open_house = create(
        client, open_procedure(application_deadline=yesterday, route=Route.OPEN_HOUSE), provider
    )
    assert open_house.status_code == 201


def test_withdraw_needs_a_reason(api_for, provider, provider_user):
    application = factories.ApplicationFactory(provider=provider, submitted=True)
    client = api_for(provider_user)
    url = transition_url("applications", application, "withdraw")
    assert_problem(client.post(url, {}, format="json"), 400, "reason_required")
    response = client.post(url, {"reason": "Geen capaciteit"}, format="json")
    assert response.json()["status"] == "withdrawn"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def offered(provider):
    return factories.AgreementFactory(provider=provider, offered=True, signed_on=None)


def test_the_provider_accepts_the_offer_with_a_signature(api_for, provider, provider_user):
    agreement = offered(provider)
    client = api_for(provider_user)
    assert client.get(f"/api/v1/agreements/{agreement.uuid}").json()["availableTransitions"] == [
        "accept",
        "decline",
    ]
    url = transition_url("agreements", agreement, "accept")
    body = assert_problem(client.post(url, {}, format="json"), 400, "invalid")
    assert body["detail"]
    response = client.post(url, {"signedByName": "A. Jansen", "signedByRole": "directeur"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["acceptedByName"], body["acceptedByRole"], body["status"]) == (
        "A. Jansen",
        "directeur",
        "offered",
    )
    assert body["acceptedAt"] is not None and body["availableTransitions"] == []


def test_a_declined_offer_cannot_be_activated(api_for, officer, provider, provider_user):
    agreement = offered(provider)
    response = api_for(provider_user).post(
        transition_url("agreements", agreement, "decline"), {"reason": "Geen capaciteit"}, format="json"
    )
    assert response.json()["status"] == "declined"
    refused = api_for(officer).post(transition_url("agreements", agreement, "activate"), format="json")
    assert_problem(refused, 409, "invalid_transition")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DECLINED


def test_an_unaccepted_offer_cannot_be_activated(api_for, officer, provider):
    agreement = offered(provider)
    refused = api_for(officer).post(transition_url("agreements", agreement, "activate"), format="json")
    body = assert_problem(refused, 409, "guard_failed")
    assert [u["code"] for u in body["unmet"]] == ["not_signed"]


def test_another_providers_offer_is_not_found(api_for, provider_user):
    agreement = offered(factories.ProviderFactory())
    response = api_for(provider_user).post(
        transition_url("agreements", agreement, "accept"),
        {"signedByName": "A", "signedByRole": "B"},
        format="json",
    )
    assert_problem(response, 404, "not_found")


def test_an_auditor_cannot_apply(api_for, auditor, provider):
    response = create(api_for(auditor), open_procedure(), provider)
    assert_problem(response, 403, "transition_forbidden")

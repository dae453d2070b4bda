"""Procedures: visibility for provider users, transitions and their refusals."""

import pytest

from audit.models import AuditEvent
from contracting.models import ProcedureStatus
from tests import factories
from tests.api.helpers import assert_problem, transition_url, uuids

pytestmark = pytest.mark.django_db


def test_officer_lists_procedures_with_lots_and_available_transitions(api_for, officer):
    # given
    procedure = factories.ProcedureFactory(consultation=True)
    lot = factories.LotFactory(procedure=procedure)
    product = factories.ProductFactory()
    lot.products.add(product)
    # when
    response = api_for(officer).get("/api/v1/procedures")
    # then
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["uuid"] == str(procedure.uuid)
    assert row["status"] == "consultation"
    assert row["authority"] == {"uuid": str(procedure.authority.uuid), "name": procedure.authority.name}
    assert row["lots"] == [
        {
            "uuid": str(lot.uuid),
            "number": lot.number,
            "name": lot.name,
            "products": [{"uuid": str(product.uuid), "code": product.code, "name": product.name}],
        }
    ]
    assert row["availableTransitions"] == ["open", "cancel"]


def test_provider_user_sees_published_procedures_and_those_applied_to(api_for, provider, provider_user):
    # given
    published = [
        factories.ProcedureFactory(open=True),
        factories.ProcedureFactory(assessing=True),
        factories.ProcedureFactory(concluded=True),
    ]
    draft = factories.ProcedureFactory()
    in_consultation = factories.ProcedureFactory(consultation=True)
    applied_to = factories.ProcedureFactory(consultation=True)
    factories.ApplicationFactory(procedure=applied_to, provider=provider)
    # when
    response = api_for(provider_user).get("/api/v1/procedures")
    # then
    assert uuids(response) == {str(p.uuid) for p in [*published, applied_to]}
    assert str(draft.uuid) not in uuids(response)
    assert str(in_consultation.uuid) not in uuids(response)


def test_provider_user_gets_404_on_unpublished_procedure(api_for, provider_user, officer):
    # given
    draft = factories.ProcedureFactory()
    client = api_for(provider_user)
    # when
    detail = client.get(f"/api/v1/procedures/{draft.uuid}")
    transition = client.post(transition_url("procedures", draft, "start_consultation"), format="json")
    events = client.get(f"/api/v1/procedures/{draft.uuid}/events")
    # then
    for response in (detail, transition, events):
        assert_problem(response, 404, "not_found")
    draft.refresh_from_db()
    assert draft.status == ProcedureStatus.DRAFT


def test_provider_user_may_not_take_procedure_transitions(api_for, provider_user):
    # given
    procedure = factories.ProcedureFactory(open=True)
    # when
    response = api_for(provider_user).post(transition_url("procedures", procedure, "close_applications"))
    # then
    assert_problem(response, 403, "transition_forbidden")
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN


def test_provider_user_sees_no_procedure_transitions(api_for, provider_user):
    # given
    procedure = factories.ProcedureFactory(open=True)
    # when
    response = api_for(provider_user).get(f"/api/v1/procedures/{procedure.uuid}")
    # then
    assert response.json()["availableTransitions"] == []


def test_officer_starts_consultation(api_for, officer):
    # given
    procedure = factories.ProcedureFactory()
    # when
    response = api_for(officer).post(
        transition_url("procedures", procedure, "start_consultation"), {"reason": "Start"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "consultation"
    assert response.json()["availableTransitions"] == ["open", "cancel"]
    event = AuditEvent.objects.get(subject_uuid=procedure.uuid)
    assert (event.event, event.actor, event.reason) == ("procedure.consultation_started", officer, "Start")


def test_open_without_lots_and_minutes_lists_the_unmet_guards(api_for, officer):
    # given
    procedure = factories.ProcedureFactory(consultation=True)
    # when
    response = api_for(officer).post(transition_url("procedures", procedure, "open"), format="json")
    # then
    body = assert_problem(response, 409, "guard_failed")
    assert {"no_lots", "no_consultation_minutes"} <= {u["code"] for u in body["unmet"]}
    assert body["currentStatus"] == "consultation"
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert not AuditEvent.objects.exists()


def test_conclude_from_draft_is_an_invalid_transition(api_for, officer):
    # given
    procedure = factories.ProcedureFactory()
    # when
    response = api_for(officer).post(transition_url("procedures", procedure, "conclude"), format="json")
    # then
    body = assert_problem(response, 409, "invalid_transition")
    assert body["currentStatus"] == "draft"


def test_cancel_needs_a_reason(api_for, officer):
    # given
    procedure = factories.ProcedureFactory(open=True)
    # when
    response = api_for(officer).post(
        transition_url("procedures", procedure, "cancel"), {"reason": "  "}, format="json"
    )
    # then
    assert_problem(response, 400, "reason_required")
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN


def test_cancel_with_a_reason(api_for, officer):
    # given
    procedure = factories.ProcedureFactory(open=True)
    # when
    response = api_for(officer).post(
        transition_url("procedures", procedure, "cancel"), {"reason": "Geen budget"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["availableTransitions"] == []


def test_procedures_filter_by_status(api_for, officer):
    # given
    open_procedure = factories.ProcedureFactory(open=True)
    factories.ProcedureFactory()
    concluded = factories.ProcedureFactory(concluded=True)
    # when
    response = api_for(officer).get("/api/v1/procedures?status=open&status=concluded")
    # then
    assert uuids(response) == {str(open_procedure.uuid), str(concluded.uuid)}

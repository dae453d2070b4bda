"""An admission whose term starts before today: the offer waits for an officer's recorded decision."""

import datetime

import pytest

from audit.models import AuditEvent
from contracting.models import Agreement, AgreementStatus, PastStart
from contracting.services import (
    AGREEMENT_TRANSITIONS,
    agreement_keep_past_start,
    agreement_offer,
    agreement_start_from_today,
    application_admit,
)
from core import formatting
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from core.transitions import available_transitions
from tests import factories
from tests.factories import today
from workspace.scope import Scope
from workspace.worklists import worklists_for

pytestmark = pytest.mark.django_db


def unmet_codes(exc) -> list[str]:
    return [u["code"] for u in exc.value.extra["unmet"]]


def admitted_agreement(officer, *, contract_start: datetime.date) -> Agreement:
    application = factories.ApplicationFactory(under_review=True)
    procedure = application.procedure
    procedure.contract_start = contract_start
    procedure.save(update_fields=["contract_start"])
    factories.assess(application, officer)
    application_admit(uuid=application.uuid, actor=officer)
    return Agreement.objects.get(application=application)


def past(officer) -> Agreement:
    return admitted_agreement(officer, contract_start=today().replace(day=1) - datetime.timedelta(days=90))


def test_an_admission_with_a_start_in_the_past_waits_for_a_decision_before_the_offer(officer):
    agreement = past(officer)
    assert agreement.past_start == PastStart.PENDING
    assert AuditEvent.objects.get(event="agreement.created").data["pastStartPending"] is True
    with pytest.raises(GuardFailed) as exc:
        agreement_offer(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["past_start_undecided"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_keeping_the_past_start_is_recorded_with_its_reason_and_allows_the_offer(officer):
    agreement = past(officer)
    start, end = agreement.start_date, agreement.end_date
    agreement_keep_past_start(uuid=agreement.uuid, actor=officer, reason="Zorg geleverd sinds de start.")
    agreement.refresh_from_db()
    assert (agreement.past_start, agreement.start_date, agreement.end_date) == (PastStart.KEPT, start, end)
    assert agreement.past_start_reason == "Zorg geleverd sinds de start."
    assert agreement.past_start_decided_by == officer
    event = AuditEvent.objects.get(event="agreement.past_start_decided")
    assert event.reason == "Zorg geleverd sinds de start."
    assert event.data == {
        "decision": "kept",
        "oldStartDate": start.isoformat(),
        "startDate": start.isoformat(),
    }
    agreement_offer(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OFFERED


def test_starting_from_today_moves_only_the_start(officer):
    agreement = past(officer)
    old_start, end = agreement.start_date, agreement.end_date
    agreement_start_from_today(uuid=agreement.uuid, actor=officer, reason="Geen terugwerkende kracht.")
    agreement.refresh_from_db()
    assert (agreement.past_start, agreement.start_date, agreement.end_date) == (PastStart.MOVED, today(), end)
    event = AuditEvent.objects.get(event="agreement.past_start_decided")
    assert event.data["oldStartDate"] == old_start.isoformat()
    assert event.data["startDate"] == today().isoformat()
    agreement_offer(uuid=agreement.uuid, actor=officer)


@pytest.mark.parametrize("service", [agreement_keep_past_start, agreement_start_from_today])
def test_a_decision_needs_a_reason(officer, service):
    agreement = past(officer)
    with pytest.raises(ReasonRequired):
        service(uuid=agreement.uuid, actor=officer, reason="  ")
    agreement.refresh_from_db()
    assert agreement.past_start == PastStart.PENDING
    assert not AuditEvent.objects.filter(event="agreement.past_start_decided").exists()


@pytest.mark.parametrize("service", [agreement_keep_past_start, agreement_start_from_today])
def test_an_auditor_cannot_decide(officer, auditor, service):
    agreement = past(officer)
    with pytest.raises(TransitionForbidden):
        service(uuid=agreement.uuid, actor=auditor, reason="Ik beslis.")
    agreement.refresh_from_db()
    assert agreement.past_start == PastStart.PENDING
    assert available_transitions(agreement, auditor, AGREEMENT_TRANSITIONS) == []


def test_the_decision_is_offered_once(officer):
    agreement = past(officer)
    names = available_transitions(agreement, officer, AGREEMENT_TRANSITIONS)
    assert {"keep_past_start", "start_from_today", "offer"} <= set(names)
    agreement_keep_past_start(uuid=agreement.uuid, actor=officer, reason="Besloten.")
    agreement.refresh_from_db()
    assert "keep_past_start" not in available_transitions(agreement, officer, AGREEMENT_TRANSITIONS)
    with pytest.raises(InvalidTransition):
        agreement_start_from_today(uuid=agreement.uuid, actor=officer, reason="Nog eens.")


def test_an_admission_with_a_future_start_has_no_pending_decision(officer):
    agreement = admitted_agreement(officer, contract_start=today() + datetime.timedelta(days=40))
    assert agreement.past_start == ""
    assert "keep_past_start" not in available_transitions(agreement, officer, AGREEMENT_TRANSITIONS)
    agreement_offer(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OFFERED


def test_the_agreement_page_warns_and_shows_the_decision_in_its_history(officer, client):
    agreement = past(officer)
    client.force_login(officer)
    url = f"/admin/contracting/agreement/{agreement.pk}/change/"
    page = client.get(url).content.decode()
    assert "voordat ze werd aangemaakt" in page
    assert 'data-transition="keep_past_start"' in page
    agreement_keep_past_start(uuid=agreement.uuid, actor=officer, reason="Zorg geleverd sinds de start.")
    page = client.get(url).content.decode()
    assert "voordat ze werd aangemaakt" not in page
    assert "Zorg geleverd sinds de start." in page
    assert "Startdatum in het verleden besloten" in page


def test_the_api_shows_the_pending_decision_and_takes_it_with_a_reason(officer, api_for):
    agreement = past(officer)
    client = api_for(officer)
    url = f"/api/v1/agreements/{agreement.uuid}"
    body = client.get(url).json()
    assert body["pastStart"] == "pending"
    assert {"keep_past_start", "start_from_today"} <= set(body["availableTransitions"])
    refused = client.post(f"{url}/transitions/offer", {}, format="json")
    assert refused.status_code == 409
    assert [u["code"] for u in refused.json()["unmet"]] == ["past_start_undecided"]
    assert client.post(f"{url}/transitions/start_from_today", {}, format="json").status_code == 400
    moved = client.post(f"{url}/transitions/start_from_today", {"reason": "Vanaf vandaag."}, format="json")
    assert moved.status_code == 200
    assert (moved.json()["pastStart"], moved.json()["startDate"]) == ("moved", today().isoformat())
    assert moved.json()["pastStartReason"] == "Vanaf vandaag."


def test_the_officer_decides_through_the_admin_confirmation_page(officer, client):
    agreement = past(officer)
    client.force_login(officer)
    url = f"/admin/contracting/agreement/{agreement.pk}/transitions/start_from_today/"
    assert "Vandaag laten beginnen" in client.get(url).content.decode()
    client.post(url, {"reason": ""})  # the reason is required: nothing changes
    agreement.refresh_from_db()
    assert agreement.past_start == PastStart.PENDING
    client.post(url, {"reason": "Geen terugwerkende kracht."})
    agreement.refresh_from_db()
    assert (agreement.past_start, agreement.start_date) == (PastStart.MOVED, today())


def test_a_pending_start_date_decision_is_on_the_start_page_until_it_is_decided(officer):
    # given an admitted agreement whose start lies in the past, and another authority's officer scope
    agreement = past(officer)
    own, other = Scope(frozenset({agreement.authority_id})), Scope(frozenset({agreement.authority_id + 1000}))

    def listed(scope):
        lists = {w.code: w for w in worklists_for(officer, scope, today())}
        return lists["start_dates_to_decide"]

    # then the officer of its authority sees why it waits and what to do; another authority does not
    worklist = listed(own)
    assert worklist.count == 1
    (item,) = worklist.items
    assert item.title.startswith(agreement.reference)
    assert formatting.date_long(agreement.start_date) in item.why
    assert "start" in item.next_step.lower()
    assert listed(other).count == 0
    # when the officer keeps the past start, the item leaves the list
    agreement_keep_past_start(uuid=agreement.uuid, actor=officer, reason="Zorg geleverd sinds de start.")
    assert listed(own).count == 0

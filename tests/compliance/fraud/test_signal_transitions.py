"""The fraud signal's state machine: investigation, four-eyes confirmation, dismissal with a reason, the
follow-up of a confirmation (integrity condition, suspensions) and the IKZ report."""

import datetime

import pytest

from audit.models import AuditEvent
from coalitions.models import MembershipStatus
from compliance.conditions.metrics import confirmed_fraud_signals
from compliance.fraud.services import (
    SIGNAL_TRANSITIONS,
    ikz_report_record,
    ikz_request_answer,
    ikz_request_record,
    signal_confirm,
    signal_dismiss,
    signal_request_confirmation,
    signal_start_investigation,
    signal_suspend_relations,
)
from compliance.models import SignalStatus
from contracting.models import AgreementStatus
from core import clock
from core.exceptions import GuardFailed, InvalidInput, InvalidTransition, ReasonRequired, TransitionForbidden
from core.transitions import available_transitions
from tests import factories
from tests.compliance.factories import FraudSignalFactory

pytestmark = pytest.mark.django_db


def registry():
    return SIGNAL_TRANSITIONS


def proposed(signal, officer):
    signal_start_investigation(uuid=signal.uuid, actor=officer)
    return signal_request_confirmation(uuid=signal.uuid, actor=officer, reason="Dossieronderzoek bevestigt")


def test_start_investigation_records_the_transition(officer):
    signal = FraudSignalFactory()

    signal = signal_start_investigation(uuid=signal.uuid, actor=officer)

    assert signal.status == SignalStatus.INVESTIGATING
    event = AuditEvent.objects.get(subject_uuid=signal.uuid)
    assert (event.event, event.from_state, event.to_state) == (
        "fraudsignal.investigation_started",
        "open",
        "investigating",
    )


def test_confirmation_needs_a_second_officer(officer, second_officer, django_capture_on_commit_callbacks):
    # given
    signal = proposed(FraudSignalFactory(), officer)
    # when: the proposer tries to confirm
    with pytest.raises(GuardFailed) as refused:
        signal_confirm(uuid=signal.uuid, actor=officer)
    # then
    assert refused.value.extra["unmet"][0]["code"] == "four_eyes_required"
    signal.refresh_from_db()
    assert signal.status == SignalStatus.INVESTIGATING
    # when: a second officer confirms
    with django_capture_on_commit_callbacks() as callbacks:
        signal = signal_confirm(uuid=signal.uuid, actor=second_officer)
    # then
    assert (signal.status, signal.decided_by, signal.confirmation_requested_by) == (
        "confirmed",
        second_officer,
        officer,
    )
    event = AuditEvent.objects.get(subject_uuid=signal.uuid, event="fraudsignal.confirmed")
    assert (event.actor, event.data["proposedBy"]) == (second_officer, officer.username)
    assert len(callbacks) == 1  # the re-evaluation of the provider's conditions


def test_confirmation_without_a_proposal_is_refused(officer):
    signal = FraudSignalFactory(investigating=True)

    with pytest.raises(GuardFailed) as refused:
        signal_confirm(uuid=signal.uuid, actor=officer)

    assert refused.value.extra["unmet"][0]["code"] == "confirmation_not_proposed"


def test_the_proposal_needs_grounds_and_an_investigation(officer):
    signal = FraudSignalFactory()
    with pytest.raises(InvalidTransition):
        signal_request_confirmation(uuid=signal.uuid, actor=officer, reason="x")
    signal_start_investigation(uuid=signal.uuid, actor=officer)
    with pytest.raises(ReasonRequired):
        signal_request_confirmation(uuid=signal.uuid, actor=officer, reason=" ")
    signal_request_confirmation(uuid=signal.uuid, actor=officer, reason="Gronden")
    with pytest.raises(InvalidTransition):
        signal_request_confirmation(uuid=signal.uuid, actor=officer, reason="Nog eens")


def test_buttons_offer_confirm_only_to_a_second_officer(officer, second_officer):
    signal = proposed(FraudSignalFactory(), officer)

    assert available_transitions(signal, officer, registry()) == ["dismiss"]
    assert available_transitions(signal, second_officer, registry()) == ["confirm", "dismiss"]


@pytest.mark.parametrize("state", ["open", "investigating"])
def test_dismissal_needs_a_reason(officer, state):
    signal = FraudSignalFactory(status=state)
    with pytest.raises(ReasonRequired):
        signal_dismiss(uuid=signal.uuid, actor=officer, reason="")

    signal = signal_dismiss(uuid=signal.uuid, actor=officer, reason="Correctie van de gemeente")

    assert (signal.status, signal.dismissal_reason, signal.decided_by) == (
        "dismissed",
        "Correctie van de gemeente",
        officer,
    )


@pytest.mark.parametrize("state", ["confirmed", "dismissed"])
def test_a_decided_signal_cannot_be_dismissed(officer, state):
    signal = FraudSignalFactory(**{state: True})
    with pytest.raises(InvalidTransition):
        signal_dismiss(uuid=signal.uuid, actor=officer, reason="x")


@pytest.mark.parametrize("step", ["start_investigation", "dismiss", "request_confirmation"])
def test_an_auditor_changes_nothing(auditor, step):
    signal = FraudSignalFactory(investigating=step == "request_confirmation")
    with pytest.raises(TransitionForbidden):
        registry()[step](uuid=signal.uuid, actor=auditor, reason="x")
    assert not AuditEvent.objects.filter(subject_uuid=signal.uuid).exists()


def test_a_confirmed_signal_violates_the_integrity_condition(
    officer, second_officer, django_capture_on_commit_callbacks
):
    agreement = factories.AgreementFactory(active=True)
    signal = proposed(FraudSignalFactory(provider=agreement.provider), officer)
    assert confirmed_fraud_signals(agreement, agreement.provider, clock.today()).value == 0

    with django_capture_on_commit_callbacks(execute=True):
        signal_confirm(uuid=signal.uuid, actor=second_officer)

    assert confirmed_fraud_signals(agreement, agreement.provider, clock.today()).value == 1


# --------------------------------------------------------------------------- suspensions


def test_confirmation_suspends_the_chosen_agreements_and_memberships_through_their_services(
    officer, second_officer
):
    # given
    provider = factories.ProviderFactory()
    kept = factories.AgreementFactory(provider=provider, active=True)
    suspended = factories.AgreementFactory(provider=provider, active=True)
    factories.AgreementFactory(provider=provider)  # a draft: not proposed
    membership = factories.MembershipFactory(provider=provider, active=True)
    signal = proposed(FraudSignalFactory(provider=provider), officer)
    signal_confirm(uuid=signal.uuid, actor=second_officer)
    # when
    outcome = signal_suspend_relations(
        uuid=signal.uuid,
        actor=second_officer,
        agreements=[suspended.uuid],
        memberships=[membership.uuid],
        reason="Bevestigd fraudesignaal",
    )
    # then
    assert not outcome.refused and len(outcome.suspended) == 2
    suspended.refresh_from_db(), kept.refresh_from_db(), membership.refresh_from_db()
    assert (suspended.status, suspended.suspension_reason) == (
        AgreementStatus.SUSPENDED,
        "Bevestigd fraudesignaal",
    )
    assert kept.status == AgreementStatus.ACTIVE
    assert membership.status == MembershipStatus.SUSPENDED
    assert AuditEvent.objects.filter(event="agreement.suspended", subject_uuid=suspended.uuid).exists()
    assert AuditEvent.objects.filter(event="membership.suspended", subject_uuid=membership.uuid).exists()
    assert AuditEvent.objects.filter(
        event="fraudsignal.suspensions_applied", subject_uuid=signal.uuid
    ).exists()


def test_suspensions_follow_a_confirmed_signal_only_and_only_of_its_provider(officer, auditor):
    signal = FraudSignalFactory(investigating=True)
    other = factories.AgreementFactory(active=True)
    with pytest.raises(InvalidTransition):
        signal_suspend_relations(uuid=signal.uuid, actor=officer, agreements=[other.uuid], reason="x")
    confirmed = FraudSignalFactory(confirmed=True)
    with pytest.raises(InvalidInput):
        signal_suspend_relations(uuid=confirmed.uuid, actor=officer, agreements=[other.uuid], reason="x")
    mine = factories.AgreementFactory(provider=confirmed.provider, active=True)
    outcome = signal_suspend_relations(uuid=confirmed.uuid, actor=auditor, agreements=[mine.uuid], reason="x")
    assert outcome.suspended == [] and outcome.refused[0][0] == mine  # the agreement's own service refused


# --------------------------------------------------------------------------- IKZ


def test_a_report_to_ikz_and_the_requests_that_come_back_are_recorded(officer, second_officer):
    # given
    signal = FraudSignalFactory(investigating=True)
    # when
    report = ikz_report_record(
        signal_uuid=signal.uuid,
        actor=officer,
        reported_on=clock.today(),
        reference="IKZ-2025-0042",
        shared_information="Declaraties 2025, toewijzingen, signaalrapport",
        decided_by=second_officer,
    )
    request = ikz_request_record(
        report_uuid=report.uuid,
        actor=officer,
        received_on=clock.today(),
        request="Graag de KvK-gegevens en bestuurders",
        due_on=clock.today() + datetime.timedelta(days=14),
    )
    answered = ikz_request_answer(
        uuid=request.uuid, actor=officer, answered_on=clock.today(), answer="Verstuurd"
    )
    # then
    assert (report.signal, report.decided_by, report.recorded_by) == (signal, second_officer, officer)
    assert answered.answered_by == officer
    events = list(
        AuditEvent.objects.filter(subject_uuid=signal.uuid).order_by("id").values_list("event", flat=True)
    )
    assert events == [
        "fraudsignal.reported_to_ikz",
        "fraudsignal.ikz_request_received",
        "fraudsignal.ikz_request_answered",
    ]
    with pytest.raises(InvalidTransition):
        ikz_request_answer(uuid=request.uuid, actor=officer, answered_on=clock.today(), answer="Nogmaals")


def test_an_ikz_report_needs_an_investigated_signal_an_officer_and_the_facts(officer, auditor):
    signal = FraudSignalFactory()
    arguments = {"reported_on": clock.today(), "reference": "IKZ-1", "shared_information": "Dossier"}
    with pytest.raises(InvalidTransition):
        ikz_report_record(signal_uuid=signal.uuid, actor=officer, decided_by=officer, **arguments)
    with pytest.raises(TransitionForbidden):
        ikz_report_record(signal_uuid=signal.uuid, actor=auditor, decided_by=officer, **arguments)
    with pytest.raises(InvalidInput):
        ikz_report_record(signal_uuid=signal.uuid, actor=officer, decided_by=auditor, **arguments)
    with pytest.raises(InvalidInput):
        ikz_report_record(
            signal_uuid=signal.uuid, actor=officer, decided_by=officer, **(arguments | {"reference": ""})
        )

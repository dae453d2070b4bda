import datetime

import pytest

from audit.models import AuditEvent
from contracting.models import AgreementStatus, add_months
from contracting.services import (
    agreement_activate,
    agreement_end,
    agreement_expire,
    agreement_extend,
    agreement_offer,
    agreement_reinstate,
    agreement_request_termination,
    agreement_suspend,
    agreement_terminate,
)
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from tests import factories
from tests.factories import today

pytestmark = pytest.mark.django_db


def unmet_codes(exc) -> list[str]:
    return [u["code"] for u in exc.value.extra["unmet"]]


def test_offer_moves_draft_to_offered(officer):
    agreement = factories.AgreementFactory()
    agreement_offer(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OFFERED


def test_offer_is_refused_after_the_term(officer):
    agreement = factories.AgreementFactory(
        start_date=datetime.date(2018, 1, 1), end_date=datetime.date(2020, 12, 31)
    )
    with pytest.raises(GuardFailed) as exc:
        agreement_offer(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["term_ended"]


def test_offer_of_a_procedure_agreement_needs_its_lots(officer):
    agreement = factories.AgreementFactory(procedure=factories.ProcedureFactory(concluded=True))
    with pytest.raises(GuardFailed) as exc:
        agreement_offer(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["no_sub_agreements"]


def test_activate_needs_the_signing_date(officer):
    agreement = factories.AgreementFactory(offered=True, signed_on=None)
    with pytest.raises(GuardFailed) as exc:
        agreement_activate(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["not_signed"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OFFERED


def test_activate_a_signed_offer(officer):
    agreement = factories.AgreementFactory(offered=True)
    agreement_activate(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_suspend_needs_a_reason(officer):
    agreement = factories.AgreementFactory(active=True)
    with pytest.raises(ReasonRequired):
        agreement_suspend(uuid=agreement.uuid, actor=officer, reason="")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_suspend_and_reinstate(officer):
    agreement = factories.AgreementFactory(active=True)
    agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Onderzoek IGJ")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.suspension_reason) == (AgreementStatus.SUSPENDED, "Onderzoek IGJ")
    agreement_reinstate(uuid=agreement.uuid, actor=officer, reason="Onderzoek afgerond")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.suspension_reason) == (AgreementStatus.ACTIVE, "")
    assert list(
        AuditEvent.objects.filter(subject_uuid=agreement.uuid).order_by("id").values_list("event", flat=True)
    ) == ["agreement.suspended", "agreement.reinstated"]


@pytest.mark.parametrize("state", ["draft", "offered", "suspended", "ended"])
def test_suspend_is_refused_outside_active(officer, state):
    agreement = factories.AgreementFactory(
        status=state, suspension_reason="x" if state == "suspended" else ""
    )
    with pytest.raises(InvalidTransition) as exc:
        agreement_suspend(uuid=agreement.uuid, actor=officer, reason="y")
    assert exc.value.extra["current_status"] == state


def test_termination_needs_two_different_officers(officer, second_officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    agreement_request_termination(uuid=agreement.uuid, actor=officer, reason="Structureel wanpresteren")
    # when the same officer tries to approve
    with pytest.raises(GuardFailed) as exc:
        agreement_terminate(uuid=agreement.uuid, actor=officer)
    # then
    assert unmet_codes(exc) == ["four_eyes_required"]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    # and a second officer can
    agreement_terminate(uuid=agreement.uuid, actor=second_officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATING
    event = AuditEvent.objects.get(event="agreement.terminated")
    assert (event.actor, event.data["requestedBy"]) == (second_officer, officer.username)
    assert agreement.termination_effective_date == min(add_months(today(), 6), agreement.end_date)


def test_terminate_without_a_request_is_refused(officer):
    agreement = factories.AgreementFactory(active=True)
    with pytest.raises(GuardFailed) as exc:
        agreement_terminate(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["termination_not_requested"]


def test_termination_request_needs_a_reason_and_an_active_agreement(officer):
    with pytest.raises(ReasonRequired):
        agreement_request_termination(uuid=factories.AgreementFactory(active=True).uuid, actor=officer)
    with pytest.raises(InvalidTransition):
        agreement_request_termination(uuid=factories.AgreementFactory().uuid, actor=officer, reason="x")


def test_end_waits_for_the_effective_date(officer):
    agreement = factories.AgreementFactory(
        terminating=True, termination_effective_date=today() + datetime.timedelta(1)
    )
    with pytest.raises(GuardFailed) as exc:
        agreement_end(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["termination_not_effective"]


def test_end_after_the_effective_date(officer):
    agreement = factories.AgreementFactory(terminating=True, termination_effective_date=today())
    agreement_end(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDED


def test_expire_only_after_the_end_date(officer):
    running = factories.AgreementFactory(active=True)
    with pytest.raises(GuardFailed) as exc:
        agreement_expire(uuid=running.uuid, actor=officer)
    assert unmet_codes(exc) == ["term_not_ended"]
    finished = factories.AgreementFactory(expired=True)
    agreement_expire(uuid=finished.uuid, actor=officer)
    finished.refresh_from_db()
    assert finished.status == AgreementStatus.EXPIRED


def test_extend_within_the_options_before_the_notice_deadline(officer):
    # given an agreement ending in two years with 2 × 24 months options
    agreement = factories.AgreementFactory(active=True, end_date=today() + datetime.timedelta(days=730))
    old_end = agreement.end_date
    # when
    agreement_extend(uuid=agreement.uuid, actor=officer, reason="Goede prestaties")
    # then
    agreement.refresh_from_db()
    assert agreement.end_date == add_months(old_end, 24)
    assert agreement.extensions_used == 1
    event = AuditEvent.objects.get(event="agreement.extended")
    assert event.data == {
        "oldEndDate": old_end.isoformat(),
        "newEndDate": agreement.end_date.isoformat(),
        "extensionsUsed": 1,
    }


def test_extend_is_refused_when_all_options_are_used(officer):
    agreement = factories.AgreementFactory(
        active=True, end_date=today() + datetime.timedelta(days=730), extensions_used=2
    )
    with pytest.raises(GuardFailed) as exc:
        agreement_extend(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["no_extension_left"]


def test_extend_is_refused_after_the_notice_deadline(officer):
    agreement = factories.AgreementFactory(active=True, end_date=today() + datetime.timedelta(days=90))
    with pytest.raises(GuardFailed) as exc:
        agreement_extend(uuid=agreement.uuid, actor=officer)
    assert unmet_codes(exc) == ["notice_deadline_passed"]
    agreement.refresh_from_db()
    assert agreement.extensions_used == 0


def test_extend_is_refused_for_a_suspended_agreement(officer):
    agreement = factories.AgreementFactory(suspended=True, end_date=today() + datetime.timedelta(days=730))
    with pytest.raises(InvalidTransition) as exc:
        agreement_extend(uuid=agreement.uuid, actor=officer)
    assert exc.value.extra["current_status"] == "suspended"


@pytest.mark.parametrize(
    "service", [agreement_suspend, agreement_request_termination, agreement_extend, agreement_terminate]
)
def test_auditor_changes_nothing(auditor, service):
    agreement = factories.AgreementFactory(active=True, end_date=today() + datetime.timedelta(days=730))
    with pytest.raises(TransitionForbidden):
        service(uuid=agreement.uuid, actor=auditor, reason="x")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert not AuditEvent.objects.exists()


def test_approve_termination_is_offered_only_to_a_second_officer(officer, second_officer):
    from contracting.services import AGREEMENT_TRANSITIONS
    from core.transitions import available_transitions

    agreement = factories.AgreementFactory(active=True)
    assert "terminate" not in available_transitions(agreement, second_officer, AGREEMENT_TRANSITIONS)
    agreement_request_termination(uuid=agreement.uuid, actor=officer, reason="Wanprestatie")
    agreement.refresh_from_db()
    assert "terminate" not in available_transitions(agreement, officer, AGREEMENT_TRANSITIONS)
    assert "request_termination" not in available_transitions(agreement, officer, AGREEMENT_TRANSITIONS)
    assert "terminate" in available_transitions(agreement, second_officer, AGREEMENT_TRANSITIONS)

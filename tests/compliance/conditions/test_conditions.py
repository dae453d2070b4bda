import datetime
from decimal import Decimal

import pytest

from coalitions.models import MembershipStatus
from coalitions.services import membership_activate
from compliance.conditions.guards import conditions_hold
from compliance.conditions.services import (
    condition_adjust,
    conditions_evaluate,
    evaluations_as_of,
    waiver_approve,
    waiver_reject,
    waiver_request,
)
from compliance.models import Condition, ConditionEvaluation, DocumentType, Waiver, WaiverStatus
from contracting.models import AgreementStatus, ApplicationStatus, Tariff
from contracting.services import agreement_activate, agreement_reinstate, application_admit, procedure_open
from core import clock
from core.exceptions import FourEyesRequired, GuardFailed, ReasonRequired, TransitionForbidden
from tests import factories
from tests.compliance.factories import (
    AnnualFiguresFactory,
    DeclarationFactory,
    DocumentFactory,
    FraudSignalFactory,
    JudgementFactory,
    agreement_with,
    condition,
)
from tests.factories import today

pytestmark = pytest.mark.django_db


def outcome(subject, code):
    results = {r.condition.code: r.result for r in conditions_evaluate(subject=subject)}
    return results[code].outcome


# --------------------------------------------------------------------------- each decision kind


def test_documents_decide_by_an_accepted_document_in_force():
    agreement = agreement_with("anti_discrimination_policy")
    assert outcome(agreement, "anti_discrimination_policy") == "pending"
    DocumentFactory(provider=agreement.provider)  # submitted, not yet reviewed
    assert outcome(agreement, "anti_discrimination_policy") == "pending"
    DocumentFactory(provider=agreement.provider, accepted=True)
    assert outcome(agreement, "anti_discrimination_policy") == "satisfied"


def test_a_rejected_document_without_a_valid_one_violates():
    agreement = agreement_with("anti_discrimination_policy")
    DocumentFactory(provider=agreement.provider, rejected=True)
    assert outcome(agreement, "anti_discrimination_policy") == "violated"


def test_expired_evidence_no_longer_satisfies():
    agreement = agreement_with("anti_discrimination_policy")
    DocumentFactory(provider=agreement.provider, lapsed=True)
    assert outcome(agreement, "anti_discrimination_policy") == "violated"


def test_a_document_accepted_for_another_provider_does_not_count():
    agreement = agreement_with("anti_discrimination_policy")
    DocumentFactory(accepted=True)
    assert outcome(agreement, "anti_discrimination_policy") == "pending"


def test_a_document_delivered_once_serves_every_subject_of_the_provider():
    first = agreement_with("anti_discrimination_policy")
    second = agreement_with("anti_discrimination_policy", provider=first.provider)
    DocumentFactory(provider=first.provider, accepted=True)
    assert (
        outcome(first, "anti_discrimination_policy")
        == outcome(second, "anti_discrimination_policy")
        == "satisfied"
    )


def test_declaration_counts_for_its_validity_period():
    agreement = agreement_with("discrimination_training")
    DeclarationFactory(
        provider=agreement.provider,
        condition=condition("discrimination_training"),
        signed_on=today() - datetime.timedelta(days=400),
    )
    assert outcome(agreement, "discrimination_training") == "violated"  # older than 12 months
    DeclarationFactory(provider=agreement.provider, condition=condition("discrimination_training"))
    assert outcome(agreement, "discrimination_training") == "satisfied"


def test_declaration_plus_evidence_needs_both():
    agreement = agreement_with("cao_applied")
    DeclarationFactory(provider=agreement.provider, condition=condition("cao_applied"))
    assert outcome(agreement, "cao_applied") == "pending"
    DocumentFactory(
        provider=agreement.provider,
        document_type=DocumentType.objects.get(code="cao_statement"),
        accepted=True,
    )
    assert outcome(agreement, "cao_applied") == "satisfied"


def test_metric_tariff_against_real_price():
    agreement = agreement_with("fair_pay_tariff")
    assert outcome(agreement, "fair_pay_tariff") == "satisfied"
    Tariff.objects.filter(authority=agreement.authority).update(amount=Decimal("50.00"))
    result = {r.condition.code: r.result for r in conditions_evaluate(subject=agreement)}["fair_pay_tariff"]
    assert result.outcome == "violated"
    assert result.evidence[0]["realPrice"] == "51.13"


@pytest.mark.parametrize(("pay", "expected"), [(190000, "satisfied"), (190001, "violated")])
def test_metric_executive_pay_against_the_wnt_class(pay, expected):
    agreement = agreement_with("wnt_executive_pay")
    AnnualFiguresFactory(provider=agreement.provider, year=2024, wnt_class="III", highest_executive_pay=pay)
    assert outcome(agreement, "wnt_executive_pay") == expected


def test_metric_flex_share_and_missing_figures():
    agreement = agreement_with("flex_contracts_limited")
    assert outcome(agreement, "flex_contracts_limited") == "pending"
    AnnualFiguresFactory(provider=agreement.provider, flex_contract_share_pct=35)
    assert outcome(agreement, "flex_contracts_limited") == "violated"


def test_metric_confirmed_fraud_signal():
    agreement = agreement_with("no_confirmed_fraud")
    FraudSignalFactory(provider=agreement.provider)  # open: not yet a violation of this condition
    assert outcome(agreement, "no_confirmed_fraud") == "satisfied"
    FraudSignalFactory(provider=agreement.provider, confirmed=True)
    assert outcome(agreement, "no_confirmed_fraud") == "violated"


def test_judgement_of_an_officer():
    agreement = agreement_with("local_presence")
    assert outcome(agreement, "local_presence") == "pending"
    JudgementFactory(provider=agreement.provider, verdict="violated")
    assert outcome(agreement, "local_presence") == "violated"


# --------------------------------------------------------------------------- history


def test_history_keeps_what_was_true_then():
    # given an evaluation while the policy was missing
    agreement = agreement_with("anti_discrimination_policy")
    conditions_evaluate(subject=agreement)
    before = clock.now()
    # when the evidence arrives and the condition is re-evaluated
    DocumentFactory(provider=agreement.provider, accepted=True)
    conditions_evaluate(subject=agreement)
    # then the past evaluation is unchanged and the present one differs
    assert [e.outcome for e in evaluations_as_of(agreement, before)] == ["pending"]
    assert [e.outcome for e in evaluations_as_of(agreement, clock.now())] == ["satisfied"]
    assert ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).count() == 2


def test_unchanged_outcomes_are_not_stored_again():
    agreement = agreement_with("anti_discrimination_policy")
    conditions_evaluate(subject=agreement)
    conditions_evaluate(subject=agreement)
    assert ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).count() == 1


# --------------------------------------------------------------------------- waivers


def test_waiver_counts_only_after_a_second_officer_approves(officer, second_officer):
    agreement = agreement_with("anti_discrimination_policy")
    waiver = waiver_request(
        subject=agreement,
        provider=agreement.provider,
        condition=condition("anti_discrimination_policy"),
        actor=officer,
        reason="Beleid in ontwikkeling, oplevering Q1",
        valid_until=today() + datetime.timedelta(90),
    )
    assert outcome(agreement, "anti_discrimination_policy") == "pending"
    with pytest.raises(FourEyesRequired):
        waiver_approve(uuid=waiver.uuid, actor=officer)
    waiver_approve(uuid=waiver.uuid, actor=second_officer)
    assert outcome(agreement, "anti_discrimination_policy") == "waived"


def test_rejected_waiver_does_not_count_and_needs_a_reason(officer, second_officer):
    agreement = agreement_with("anti_discrimination_policy")
    waiver = waiver_request(
        subject=agreement,
        provider=agreement.provider,
        condition=condition("anti_discrimination_policy"),
        actor=officer,
        reason="x",
        valid_until=today() + datetime.timedelta(90),
    )
    with pytest.raises(ReasonRequired):
        waiver_reject(uuid=waiver.uuid, actor=second_officer)
    waiver_reject(uuid=waiver.uuid, actor=second_officer, reason="Geen goede grond")
    assert Waiver.objects.get(pk=waiver.pk).status == WaiverStatus.REJECTED
    assert outcome(agreement, "anti_discrimination_policy") == "pending"


def test_auditor_cannot_waive(auditor):
    agreement = agreement_with("anti_discrimination_policy")
    with pytest.raises(TransitionForbidden):
        waiver_request(
            subject=agreement,
            provider=agreement.provider,
            condition=condition("anti_discrimination_policy"),
            actor=auditor,
            reason="x",
            valid_until=today(),
        )


# --------------------------------------------------------------------------- per-subject condition sets


def test_officer_adds_and_removes_conditions_for_one_agreement(officer):
    agreement = agreement_with("anti_discrimination_policy")
    condition_adjust(
        subject=agreement, condition=condition("meldcode"), action="add", actor=officer, reason="Jeugd"
    )
    condition_adjust(
        subject=agreement,
        condition=condition("anti_discrimination_policy"),
        action="remove",
        actor=officer,
        reason="Valt onder koepelbeleid",
    )
    codes = {r.condition.code for r in conditions_evaluate(subject=agreement)}
    assert codes == {"meldcode"}


# --------------------------------------------------------------------------- guards


def test_agreement_activation_names_the_unmet_condition_then_succeeds(officer):
    agreement = agreement_with("anti_discrimination_policy")
    with pytest.raises(GuardFailed) as exc:
        agreement_activate(uuid=agreement.uuid, actor=officer)
    assert [(u["code"], u["condition"]) for u in exc.value.extra["unmet"]] == [
        ("condition_not_met", "anti_discrimination_policy")
    ]
    DocumentFactory(provider=agreement.provider, accepted=True)
    agreement_activate(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_the_guard_only_reads_and_the_service_stores_what_it_decided_after_success(officer):
    # given: an agreement whose condition is not met
    agreement = agreement_with("anti_discrimination_policy")
    assert list(conditions_hold(agreement)) != []
    # then: deciding stored nothing, and neither did the refused transition
    assert not ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).exists()
    with pytest.raises(GuardFailed):
        agreement_activate(uuid=agreement.uuid, actor=officer)
    assert not ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).exists()
    # when the condition is met, the successful transition stores the evaluation it was decided on
    DocumentFactory(provider=agreement.provider, accepted=True)
    assert list(conditions_hold(agreement)) == []
    assert not ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).exists()
    agreement_activate(uuid=agreement.uuid, actor=officer)
    stored = ConditionEvaluation.objects.get(subject_uuid=agreement.uuid)
    assert (stored.outcome, stored.trigger) == ("satisfied", ConditionEvaluation.Trigger.TRANSITION)


def test_agreement_reinstatement_is_guarded_by_conditions(officer):
    agreement = agreement_with("no_confirmed_fraud")
    type(agreement).objects.filter(pk=agreement.pk).update(status="suspended", suspension_reason="Fraude")
    signal = FraudSignalFactory(provider=agreement.provider, confirmed=True)
    with pytest.raises(GuardFailed) as exc:
        agreement_reinstate(uuid=agreement.uuid, actor=officer)
    assert exc.value.extra["unmet"][0]["condition"] == "no_confirmed_fraud"
    type(signal).objects.filter(pk=signal.pk).update(status="dismissed", dismissal_reason="Onterecht signaal")
    agreement_reinstate(uuid=agreement.uuid, actor=officer)


def test_admission_is_guarded_by_conditions_and_fraud_signals(officer):
    # given an application to a procedure that asks for an anti-discrimination policy
    application = factories.ApplicationFactory(under_review=True)
    factories.require(application.procedure, "anti_discrimination_policy")
    factories.assess(application, officer)
    FraudSignalFactory(provider=application.provider, severity="high")
    # when / then: held for the open signal (the provider is heard first) and refused for the condition
    with pytest.raises(GuardFailed) as exc:
        application_admit(uuid=application.uuid, actor=officer)
    assert {u["code"] for u in exc.value.extra["unmet"]} == {"fraud_signal_not_heard", "condition_not_met"}
    # once met, admitted
    application.provider.fraud_signals.update(status="dismissed", dismissal_reason="Onterecht signaal")
    DocumentFactory(provider=application.provider, accepted=True)
    application_admit(uuid=application.uuid, actor=officer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED


def test_membership_activation_is_guarded_by_the_coalition_conditions(officer):
    membership = factories.MembershipFactory(admitted=True)
    factories.require(membership.coalition, "meldcode")
    with pytest.raises(GuardFailed) as exc:
        membership_activate(uuid=membership.uuid, actor=officer)
    assert exc.value.extra["unmet"][0]["condition"] == "meldcode"
    DocumentFactory(
        provider=membership.provider, document_type=DocumentType.objects.get(code="meldcode"), accepted=True
    )
    membership_activate(uuid=membership.uuid, actor=officer)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_a_non_mandatory_condition_does_not_block(officer):
    # given: an agreement whose only condition is optional and not met
    agreement = agreement_with("local_presence")
    assert not Condition.objects.get(code="local_presence").mandatory
    # when
    agreement_activate(uuid=agreement.uuid, actor=officer)
    # then: activated, and the unmet optional condition is on record as such
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    stored = ConditionEvaluation.objects.get(subject_uuid=agreement.uuid, condition__code="local_presence")
    assert stored.outcome != "satisfied"


def test_procedure_opens_only_with_fair_pay_and_anti_discrimination_conditions(officer):
    procedure = factories.ready_to_open_procedure()
    procedure.condition_requirements.filter(condition__category="anti_discrimination").delete()
    with pytest.raises(GuardFailed) as exc:
        procedure_open(uuid=procedure.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["condition_set_incomplete"]

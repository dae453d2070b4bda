import pytest

from django.core.management import call_command

from compliance.conditions.selectors import compliance_matrix, provider_missing
from compliance.conditions.services import conditions_evaluate
from compliance.models import ConditionEvaluation
from core import clock
from tests.compliance.factories import DocumentFactory, agreement_with, condition

pytestmark = pytest.mark.django_db


def test_matrix_shows_the_worst_outcome_per_provider_and_condition():
    # given one provider with two agreements: one policy missing, later accepted for both
    first = agreement_with("anti_discrimination_policy", "fair_pay_tariff")
    other = agreement_with("anti_discrimination_policy")
    conditions_evaluate(subject=first)
    conditions_evaluate(subject=other)
    # when
    conditions, cells = compliance_matrix(
        [first.provider, other.provider],
        [condition("anti_discrimination_policy"), condition("fair_pay_tariff")],
    )
    # then
    policy, tariff = condition("anti_discrimination_policy"), condition("fair_pay_tariff")
    assert cells[first.provider.pk][policy.pk].outcome == "pending"
    assert cells[first.provider.pk][tariff.pk].outcome == "satisfied"
    assert tariff.pk not in cells[other.provider.pk]


def test_missing_list_names_pending_and_violated_conditions_only():
    agreement = agreement_with("anti_discrimination_policy", "fair_pay_tariff", "meldcode")
    DocumentFactory(provider=agreement.provider, accepted=True)
    conditions_evaluate(subject=agreement)
    missing = provider_missing(agreement.provider)
    assert [(m.condition.code, m.outcome) for m in missing] == [("meldcode", "pending")]
    assert missing[0].subjects == [str(agreement)]


def test_scheduled_run_stores_only_changes():
    agreement = agreement_with("anti_discrimination_policy")
    call_command("evaluate_conditions")
    call_command("evaluate_conditions")
    assert ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid, trigger="schedule").count() == 1


def test_a_removed_condition_no_longer_shows_as_missing_but_stays_in_history(officer):

    from compliance.conditions.services import condition_adjust, evaluations_as_of

    agreement = agreement_with("anti_discrimination_policy", "meldcode")
    conditions_evaluate(subject=agreement)
    before = clock.now()
    condition_adjust(
        subject=agreement,
        condition=condition("meldcode"),
        action="remove",
        actor=officer,
        reason="Niet van toepassing",
    )
    conditions_evaluate(subject=agreement)
    assert [m.condition.code for m in provider_missing(agreement.provider)] == ["anti_discrimination_policy"]
    assert {e.condition.code for e in evaluations_as_of(agreement, before)} == {
        "anti_discrimination_policy",
        "meldcode",
    }


def test_an_ended_agreement_no_longer_counts_in_the_matrix():
    agreement = agreement_with("anti_discrimination_policy")
    conditions_evaluate(subject=agreement)
    type(agreement).objects.filter(pk=agreement.pk).update(status="ended")
    assert provider_missing(agreement.provider) == []

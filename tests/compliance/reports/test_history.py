"""subject_as_of: state, conditions, term and tariffs as they stood on a past date, from the history."""

import datetime
from decimal import Decimal

import pytest

from compliance.models import ConditionRequirement, EvaluationOutcome
from compliance.reports.history import subject_as_of
from contracting.models import IndexRate, SubAgreement
from contracting.services import agreement_extend, agreement_suspend, tariffs_index, tariffs_true_up
from core import clock
from tests import factories
from tests.compliance.factories import condition
from tests.compliance.reports.world import at, build_world, days_ago, record_evaluation

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.date:
    return clock.today() - datetime.timedelta(days=n)


@pytest.fixture
def agreement():
    with at(days_ago(10)):
        return factories.AgreementFactory(active=True)


def test_the_state_before_a_later_transition_is_the_state_it_left(agreement, officer):
    # given an agreement suspended five days ago
    with at(days_ago(5)):
        agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Onderzoek")
    # then
    assert subject_as_of(agreement, day(7)).state == "active"
    after = subject_as_of(agreement, day(3))
    assert (after.state, after.last_event.event, after.last_event.reason) == (
        "suspended",
        "agreement.suspended",
        "Onderzoek",
    )
    assert subject_as_of(agreement, day(0)).state == "suspended"


def test_before_it_was_created_it_did_not_exist(agreement):
    as_of = subject_as_of(agreement, day(12))
    assert (as_of.existed, as_of.state, as_of.events) == (False, None, [])


def test_without_any_recorded_transition_the_current_state_counts(agreement):
    assert subject_as_of(agreement, day(8)).state == "active"


def test_conditions_are_those_recorded_as_true_on_that_date(agreement):
    # given
    with at(days_ago(9)):
        record_evaluation(
            agreement, agreement.provider, "anti_discrimination_policy", EvaluationOutcome.PENDING, []
        )
    with at(days_ago(4)):
        record_evaluation(
            agreement, agreement.provider, "anti_discrimination_policy", EvaluationOutcome.SATISFIED, []
        )
    # then
    assert [e.outcome for e in subject_as_of(agreement, day(6)).evaluations] == ["pending"]
    assert [e.outcome for e in subject_as_of(agreement, day(2)).evaluations] == ["satisfied"]


def test_an_extension_after_the_date_is_undone_in_the_term(agreement, officer):
    old_end = agreement.end_date
    with at(days_ago(3)):
        agreement_extend(uuid=agreement.uuid, actor=officer, reason="Goede resultaten")
    agreement.refresh_from_db()
    before = subject_as_of(agreement, day(5)).term
    assert (before["end_date"], before["extensions_used"]) == (old_end, 0)
    now = subject_as_of(agreement, day(0)).term
    assert now["end_date"] > old_end and now["extensions_used"] == 1


def test_tariffs_as_the_indexation_runs_had_set_them(officer):
    # given last year's tariff, this year's index rates, an agreement on a lot with the product
    year = clock.today().year
    authority = factories.MunicipalityFactory()
    product = factories.ProductFactory()
    factories.TariffFactory(authority=authority, product=product, year=year - 1, amount=Decimal("60.00"))
    factories.CostModelFactory(authority=authority, product=product, year=year - 1)
    for component, weight, provisional, definitive in (("OVA", 90, 4, 5), ("PPC", 10, 2, 3)):
        IndexRate.objects.update_or_create(
            year=year,
            component=component,
            defaults={"weight_pct": weight, "provisional_pct": provisional, "definitive_pct": definitive},
        )
    with at(days_ago(20)):
        procedure = factories.ProcedureFactory(authority=authority, concluded=True)
        lot = factories.LotFactory(procedure=procedure)
        lot.products.add(product)
        agreement = factories.AgreementFactory(authority=authority, procedure=procedure, active=True)
        SubAgreement.objects.create(agreement=agreement, lot=lot)
    with at(days_ago(10)):
        tariffs_index(authority=authority, year=year, actor=officer, method="provisional_true_up")  # 3.8%
    with at(days_ago(2)):
        tariffs_true_up(authority=authority, year=year, actor=officer)  # 4.8% definitive
    # then
    if day(12).year == year:
        assert [t.amount for t in subject_as_of(agreement, day(12)).tariffs] == [None]  # not indexed yet
    if day(5).year == year:
        (provisional,) = subject_as_of(agreement, day(5)).tariffs
        assert (provisional.amount, provisional.basis) == (Decimal("62.28"), "provisional")
    (definitive,) = subject_as_of(agreement, day(0)).tariffs
    assert (definitive.amount, definitive.basis) == (Decimal("62.88"), "definitive")
    assert definitive.real_price is not None


def test_a_procedure_with_its_condition_set_and_applications_on_that_date(officer):
    world = build_world(officer)
    with at(days_ago(2)):
        ConditionRequirement.objects.create(condition=condition("meldcode"), procedure=world.procedure)
    # the application was under review fifteen days ago, rejected the day after
    as_of = subject_as_of(world.procedure, day(15))
    assert as_of.state == "open"
    assert [(p.obj, p.state) for p in as_of.parts] == [(world.application, "under_review")]
    assert "meldcode" not in {c.code for c in as_of.condition_set}
    assert {c.code for c in as_of.condition_set} == {"fair_pay_tariff", "anti_discrimination_policy"}
    assert "meldcode" in {c.code for c in subject_as_of(world.procedure, day(0)).condition_set}
    assert subject_as_of(world.procedure, day(19)).state == "consultation"


def test_a_membership_and_an_application(officer):
    world = build_world(officer)
    assert subject_as_of(world.application, day(15)).state == "under_review"
    assert subject_as_of(world.application, day(16)).state == "submitted"
    assert subject_as_of(world.application, day(17)).existed is False
    assert subject_as_of(world.membership, day(0)).state == "active"
    assert subject_as_of(world.membership, day(11)).existed is False

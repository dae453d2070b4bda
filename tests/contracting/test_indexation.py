from decimal import Decimal

import pytest

from audit.models import AuditEvent
from contracting.indexation import RateUnknown, true_up_per_agreement, weighted_rate
from contracting.models import CostModel, IndexationRun, SubAgreement, Tariff
from contracting.services import tariffs_index, tariffs_true_up
from core.exceptions import GuardFailed, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db


def test_weighted_rate_follows_the_vng_90_10_convention():
    # 2024: 0.9 × 4.94 + 0.1 × 2.51 = 4.697 (VNG published 4.7); definitive 0.9 × 6.0 + 0.1 × 3.1 = 5.71
    assert weighted_rate(2024, "provisional")[0] == Decimal("4.6970")
    assert weighted_rate(2024, "definitive")[0] == Decimal("5.7100")
    assert weighted_rate(2025, "provisional")[0] == Decimal("3.9440")


def test_unknown_rate_is_refused():
    with pytest.raises(RateUnknown):
        weighted_rate(2025, "definitive")


def priced_authority(year=2023):
    authority = factories.MunicipalityFactory()
    product = factories.ProductFactory()
    factories.TariffFactory(authority=authority, product=product, year=year, amount=Decimal("60.00"))
    factories.CostModelFactory(authority=authority, product=product, year=year)
    return authority, product


def test_index_creates_next_years_tariffs_with_the_provisional_rate(officer):
    # given
    authority, product = priced_authority(2023)
    # when
    run = tariffs_index(authority=authority, year=2024, actor=officer)
    # then
    tariff = Tariff.objects.get(authority=authority, product=product, year=2024)
    assert (tariff.amount, tariff.base_amount, tariff.indexation_run) == (
        Decimal("62.82"),
        Decimal("60.00"),
        run,
    )
    assert (run.basis, run.rate_pct, run.applied_by) == ("provisional", Decimal("4.6970"), officer)
    # the cost model follows the labour component (OVA 4.94%)
    assert CostModel.objects.get(authority=authority, year=2024).hourly_wage == Decimal("26.24")
    event = AuditEvent.objects.get(event="tariffs.indexed")
    assert (event.actor, event.data["ratePct"]) == (officer, "4.6970")


def test_index_twice_is_refused(officer):
    authority, _product = priced_authority(2023)
    tariffs_index(authority=authority, year=2024, actor=officer)
    with pytest.raises(GuardFailed) as exc:
        tariffs_index(authority=authority, year=2024, actor=officer)
    assert exc.value.extra["unmet"][0]["code"] == "already_indexed"
    assert Tariff.objects.filter(authority=authority, year=2024).count() == 1


def test_true_up_moves_to_the_definitive_rate_and_shows_the_difference_per_agreement(officer):
    # given an agreement running in 2024 for the product, with a budget ceiling
    authority, product = priced_authority(2023)
    tariffs_index(authority=authority, year=2024, actor=officer)
    procedure = factories.ProcedureFactory(authority=authority, concluded=True)
    lot = factories.LotFactory(procedure=procedure)
    lot.products.add(product)
    agreement = factories.AgreementFactory(
        authority=authority,
        procedure=procedure,
        active=True,
        start_date=factories.datetime.date(2024, 1, 1),
        end_date=factories.datetime.date(2026, 12, 31),
    )
    SubAgreement.objects.create(agreement=agreement, lot=lot)
    factories.BudgetCeilingFactory(agreement=agreement, year=2024, amount=Decimal("100000"))
    # when
    run = tariffs_true_up(authority=authority, year=2024, actor=officer)
    # then: 60 × 1.0571 = 63.43, was 62.82
    tariff = Tariff.objects.get(authority=authority, year=2024)
    assert tariff.amount == Decimal("63.43")
    assert run.differences == [
        {
            "productId": product.pk,
            "product": product.code,
            "provisional": "62.82",
            "definitive": "63.43",
            "difference": "0.61",
        }
    ]
    [row] = true_up_per_agreement(run)
    assert row["agreement"] == agreement
    assert [line["difference"] for line in row["lines"]] == ["0.61"]
    # 100000 × (5.71 − 4.697) / 104.697
    assert row["ceiling_effect"] == Decimal("967.55")
    assert IndexationRun.objects.filter(authority=authority, year=2024).count() == 2


def test_true_up_needs_a_provisional_run(officer):
    authority, _product = priced_authority(2023)
    with pytest.raises(GuardFailed):
        tariffs_true_up(authority=authority, year=2024, actor=officer)


def test_auditor_cannot_index(auditor):
    authority, _product = priced_authority(2023)
    with pytest.raises(TransitionForbidden):
        tariffs_index(authority=authority, year=2024, actor=auditor)
    assert not Tariff.objects.filter(year=2024).exists()

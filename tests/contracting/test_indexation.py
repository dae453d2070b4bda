from decimal import Decimal

import pytest

from audit.models import AuditEvent
from contracting.indexation import (
    IndexState,
    figure_for,
    provider_index,
    tariff_path,
    true_up_per_agreement,
    unpublished_years,
    weighted,
)
from contracting.models import CostModel, IndexationRun, IndexMethod, IndexRate, SubAgreement, Tariff
from contracting.services import index_rate_record, tariffs_index, tariffs_true_up
from core.exceptions import GuardFailed, InvalidInput, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db

VNG = IndexMethod.VNG_PROVIDER_INDEX
TRUE_UP = IndexMethod.PROVISIONAL_TRUE_UP


def test_weighted_rate_follows_the_vng_90_10_convention():
    # 2024: 0.9 × 4.94 + 0.1 × 2.51 = 4.697 (VNG published 4.7); definitive 0.9 × 6.0 + 0.1 × 3.1 = 5.71
    assert weighted(2024, "provisional").index_pct == Decimal("4.6970")
    assert weighted(2024, "definitive").index_pct == Decimal("5.7100")
    assert weighted(2025, "provisional").index_pct == Decimal("3.9440")


def test_an_unpublished_rate_is_a_named_state_not_an_error():
    # given: the definitive rate of 2025 is not in the reference data
    # when
    figure = weighted(2025, "definitive")
    # then
    assert (figure.known, figure.state, figure.missing) == (
        False,
        IndexState.NOT_PUBLISHED,
        ("definitive 2025",),
    )


def test_vng_provider_index_2024_is_the_published_figure_with_its_decomposition():
    # when
    figure = provider_index(2024)
    # then: 6,30% as published; weighted provisional 4,697% + correction over 2023 1,603%
    assert (figure.state, figure.index_pct) == (IndexState.PUBLISHED, Decimal("6.3"))
    assert (figure.provisional_pct, figure.correction_pct) == (Decimal("4.6970"), Decimal("1.6030"))
    assert (
        "https://vng.nl/artikelen/indexatie-bij-inkoop-jeugdhulp-en-wmo-ondersteuning-2024" in figure.sources
    )


def test_worked_example_100_euro_in_2023_is_106_30_in_2024_and_111_57_in_2025():
    # given € 100,00 in 2023, the VNG provider index (2024: 6,30%; 2025: 4,96% per the reference row
    # of the VNG correction of 2 October 2024, https://vng.nl/artikelen/indexatie-bij-inkoop-jeugdhulp-en-wmo-ondersteuning-2025)
    # when
    path = tariff_path(amount=Decimal("100.00"), from_year=2023, to_year=2025, method=VNG)
    # then: 100 × 1,063 = 106,30; 106,30 × 1,0496 = 111,572… → 111,57
    assert [(s.year, s.amount) for s in path] == [(2024, Decimal("106.30")), (2025, Decimal("111.57"))]
    assert path[1].figure.index_pct == Decimal("4.96")


def test_provider_index_is_computed_from_the_components_when_not_published():
    # given: the published 2025 provider index is removed; OVA/PPC 2025 provisional and 2024 definitive remain
    IndexRate.objects.filter(year=2025, component="provider_index").delete()
    # when
    figure = provider_index(2025)
    # then: 3,944 + (5,71 − 4,697) = 4,957 (VNG's corrected table, rounded: 4,96)
    assert (figure.state, figure.correction_pct, figure.index_pct) == (
        IndexState.COMPUTED,
        Decimal("1.0130"),
        Decimal("4.9570"),
    )


def test_index_2026_is_not_published():
    # when
    [figure] = unpublished_years([2025, 2026])
    # then
    assert (figure.year, figure.known) == (2026, False)
    assert figure.as_dict()["state"] == "not_published"


def test_fixed_percentage_method_uses_the_agreed_percentage():
    path = tariff_path(
        amount=Decimal("100.00"),
        from_year=2023,
        to_year=2025,
        method=IndexMethod.FIXED_PCT,
        fixed_pct=Decimal("2.5"),
    )
    # 100 × 1,025 = 102,50; × 1,025 = 105,0625 → 105,06
    assert [s.amount for s in path] == [Decimal("102.50"), Decimal("105.06")]


def test_true_up_method_carries_the_trued_up_level_forward():
    # when: 2024 definitive (5,71%) is known, 2025 only provisional (3,944%)
    path = tariff_path(amount=Decimal("100.00"), from_year=2023, to_year=2025, method=TRUE_UP)
    # then: 100 × 1,0571 = 105,71; 105,71 × 1,03944 = 109,879… → 109,88
    assert [(s.amount, s.state) for s in path] == [
        (Decimal("105.71"), "definitive"),
        (Decimal("109.88"), "provisional"),
    ]


def priced_authority(year=2023):
    authority = factories.MunicipalityFactory()
    product = factories.ProductFactory()
    factories.TariffFactory(authority=authority, product=product, year=year, amount=Decimal("60.00"))
    factories.CostModelFactory(authority=authority, product=product, year=year)
    return authority, product


def test_index_creates_next_years_tariffs_with_the_vng_provider_index(officer):
    # given
    authority, product = priced_authority(2023)
    # when
    run = tariffs_index(authority=authority, year=2024, actor=officer)
    # then: 60 × 1,063 = 63,78
    tariff = Tariff.objects.get(authority=authority, product=product, year=2024)
    assert (tariff.amount, tariff.base_amount, tariff.indexation_run) == (
        Decimal("63.78"),
        Decimal("60.00"),
        run,
    )
    assert (run.basis, run.method, run.rate_pct, run.applied_by) == ("final", VNG, Decimal("6.3"), officer)
    assert run.components["correctionPct"] == "1.6030"
    # the cost model's wage follows the same index: 25.00 × 1,063 = 26,575 → 26,58
    assert CostModel.objects.get(authority=authority, year=2024).hourly_wage == Decimal("26.58")
    event = AuditEvent.objects.get(event="tariffs.indexed")
    assert (event.actor, event.data["ratePct"], event.data["method"]) == (officer, "6.300", VNG)


def test_index_without_published_figures_creates_provisional_tariffs_in_a_named_state(officer):
    # given: tariffs for 2025, nothing published for 2026
    authority, product = priced_authority(2025)
    # when
    run = tariffs_index(authority=authority, year=2026, actor=officer)
    # then: no crash, no constant: the 2025 amount, provisional, awaiting the index
    tariff = Tariff.objects.get(authority=authority, product=product, year=2026)
    assert (run.basis, run.rate_pct, tariff.amount) == ("awaiting_index", Decimal(0), Decimal("60.00"))
    assert run.components["state"] == "not_published"


def test_true_up_of_an_awaited_index_and_carry_forward_give_the_vng_path(officer):
    # given: 2024 indexed with the VNG index; the 2025 figures were not yet published when 2025 and
    # 2026 were indexed (both provisional at the 2024 level)
    saved = list(IndexRate.objects.filter(year=2025).values())
    IndexRate.objects.filter(year=2025).delete()
    authority = factories.MunicipalityFactory()
    product = factories.ProductFactory()
    factories.TariffFactory(authority=authority, product=product, year=2023, amount=Decimal("100.00"))
    tariffs_index(authority=authority, year=2024, actor=officer)
    tariffs_index(authority=authority, year=2025, actor=officer)
    tariffs_index(authority=authority, year=2026, actor=officer)
    assert Tariff.objects.get(authority=authority, year=2026).amount == Decimal("106.30")
    # when: an officer enters the published 2025 figures with their source, and trues 2025 up
    for row in saved:
        index_rate_record(
            year=2025,
            component=row["component"],
            actor=officer,
            source=row["source"],
            provisional_pct=row["provisional_pct"],
            weight_pct=row["weight_pct"],
        )
    run = tariffs_true_up(authority=authority, year=2025, actor=officer)
    # then: 2025 is on the VNG path (111,57) and 2026 (still awaiting its index) carries it forward
    vng = tariff_path(amount=Decimal("100.00"), from_year=2023, to_year=2025, method=VNG)
    assert Tariff.objects.get(authority=authority, year=2025).amount == vng[-1].amount == Decimal("111.57")
    assert Tariff.objects.get(authority=authority, year=2026).amount == Decimal("111.57")
    assert [(d["year"], d["difference"], d["carriedForward"]) for d in run.differences] == [
        (2025, "5.27", False),
        (2026, "5.27", True),
    ]
    assert run.basis == "final"


def test_true_up_method_true_up_and_carry_forward_equal_its_path(officer):
    # given: 2024 and 2025 indexed provisionally under the true-up method
    authority = factories.MunicipalityFactory()
    factories.TariffFactory(authority=authority, year=2023, amount=Decimal("100.00"))
    tariffs_index(authority=authority, year=2024, actor=officer, method=TRUE_UP)
    tariffs_index(authority=authority, year=2025, actor=officer, method=TRUE_UP)
    assert Tariff.objects.get(authority=authority, year=2025).amount == Decimal("108.83")  # 104,70 × 1,03944
    # when: 2024's definitive rate (5,71%) is applied
    tariffs_true_up(authority=authority, year=2024, actor=officer)
    # then: 2024 at 105,71 and 2025 re-based on it: the same as the path of the method
    path = tariff_path(amount=Decimal("100.00"), from_year=2023, to_year=2025, method=TRUE_UP)
    amounts = [Tariff.objects.get(authority=authority, year=y).amount for y in (2024, 2025)]
    assert amounts == [s.amount for s in path] == [Decimal("105.71"), Decimal("109.88")]


def test_true_up_while_the_index_is_still_unpublished_is_refused_with_its_state(officer):
    authority, _product = priced_authority(2025)
    tariffs_index(authority=authority, year=2026, actor=officer)
    with pytest.raises(GuardFailed) as exc:
        tariffs_true_up(authority=authority, year=2026, actor=officer)
    assert exc.value.extra["unmet"][0]["code"] == "index_not_published"


def test_a_published_figure_needs_its_source(officer):
    with pytest.raises(InvalidInput):
        index_rate_record(
            year=2026, component="provider_index", actor=officer, source=" ", provisional_pct=Decimal("4")
        )
    assert not IndexRate.objects.filter(year=2026, component="provider_index").exists()


def test_an_officer_enters_the_2026_provider_index_and_it_is_used(officer):
    # when
    index_rate_record(
        year=2026,
        component="provider_index",
        actor=officer,
        source="https://vng.nl/artikelen/indexatie-2026",
        provisional_pct=Decimal("3.5"),
    )
    # then
    figure = figure_for(VNG, 2026)
    assert (figure.known, figure.index_pct, figure.state) == (True, Decimal("3.5"), IndexState.PUBLISHED)
    assert AuditEvent.objects.filter(event="index_rate.recorded", actor=officer).count() == 1


def test_auditor_cannot_enter_index_figures(auditor):
    with pytest.raises(TransitionForbidden):
        index_rate_record(
            year=2026,
            component="provider_index",
            actor=auditor,
            source="https://x.nl",
            provisional_pct=Decimal("3"),
        )


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
    tariffs_index(authority=authority, year=2024, actor=officer, method=TRUE_UP)
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
            "year": 2024,
            "carriedForward": False,
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

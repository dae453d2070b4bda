"""The contract checks: planted anomalies are found, each by its own rule and with hand-counted figures;
clean data raises nothing; a re-run is a no-op; thresholds per authority apply."""

import datetime
from decimal import Decimal

import pytest

from compliance.fraud.engine import fraud_rules_run
from compliance.fraud.rules import CONTRACT_RULE_CODES
from compliance.models import FraudRuleSetting, FraudSignal
from contracting.models import AgreementStatus, Product, SubAgreement, Tariff
from tests import factories
from tests.compliance.fraud.fixtures import BSN_B, BSN_C
from tests.compliance.spend.world import SpendWorld, month

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def contract_world(db):
    """The spend world's agreement (lots 1: TST02, 2: TST03; ceilings for Rotterdam and Nissewaard) with
    tariffs 68.00 and 40.00, Krimpenerwaard as a third member of the region, and a second provider whose
    agreement starts on 1 April 2025. Its clean lines: all at the tariff, within the terms and lots."""
    w = SpendWorld()
    w.krimpen = factories.MunicipalityFactory(name="Krimpenerwaard", cbs_code="GM1931")
    w.authority.members.add(w.krimpen)
    Tariff.objects.create(authority=w.authority, product=w.product, year=2025, amount=Decimal("68.00"))
    Tariff.objects.create(authority=w.authority, product=w.product_b, year=2025, amount=Decimal("40.00"))
    w.uncontracted = Product.objects.create(
        code="TST04", name="Niet gecontracteerd", category=w.product.category, unit=w.product.unit
    )
    w.other_agreement = factories.AgreementFactory(
        authority=w.authority,
        provider=w.other,
        status=AgreementStatus.ACTIVE,
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    SubAgreement.objects.create(agreement=w.other_agreement, lot=w.lot_1)
    jan, feb, may = month(2025, 1), month(2025, 2), month(2025, 5)
    w.clean = [
        w.declaration(municipality="GM0599", period_start=jan[0], period_end=jan[1]),
        w.declaration(municipality="GM1930", client_bsn=BSN_B, period_start=feb[0], period_end=feb[1]),
        w.declaration(municipality="GM0599", product_code="TST03", amount="400.00"),
        w.declaration(
            municipality="GM0599", provider_agb=w.other.agb_code, period_start=may[0], period_end=may[1]
        ),
    ]
    w.planted = [
        # a product in none of the lots: 1 unit for 100.00
        w.declaration(municipality="GM0599", product_code="TST04", volume="1", amount="100.00"),
        # the second provider in February, before its agreement starts
        w.declaration(
            municipality="GM0599", provider_agb=w.other.agb_code, period_start=feb[0], period_end=feb[1]
        ),
        # 10 hours at 80.00 instead of 68.00: 120.00 above the tariff
        w.declaration(municipality="GM0599", client_bsn=BSN_C, amount="800.00"),
        # Krimpenerwaard: no ceiling in the agreement
        w.declaration(municipality="GM1931", client_bsn=BSN_C, allocation_number="T-0009"),
    ]
    return w


def run(world):
    return fraud_rules_run(authority=world.authority, period_start=YEAR[0], period_end=YEAR[1],
                           rules=sorted(CONTRACT_RULE_CODES))  # fmt: skip


def signals(world) -> dict[tuple[str, str], dict]:
    return {
        (s.provider.agb_code, s.rule): s.evidence
        for s in FraudSignal.objects.filter(authority=world.authority).select_related("provider")
    }


def test_clean_declarations_raise_no_contract_signal(contract_world):
    # given
    contract_world.import_declarations(contract_world.clean)
    # when
    summary = run(contract_world)
    # then
    assert summary.created == 0 and not FraudSignal.objects.exists()


def test_each_planted_anomaly_is_found_by_its_rule(contract_world):
    # given
    w = contract_world
    w.import_declarations([*w.clean, *w.planted])
    # when
    run(w)
    # then
    found = signals(w)
    mine, other = w.provider.agb_code, w.other.agb_code
    assert set(found) == {
        (mine, "product_not_contracted"),
        (other, "declared_outside_agreement_term"),
        (mine, "tariff_deviation"),
        (mine, "municipality_not_covered"),
    }
    assert (
        found[mine, "product_not_contracted"]["lines"],
        found[mine, "product_not_contracted"]["amount"],
    ) == (
        1,
        100.0,
    )
    outside = found[other, "declared_outside_agreement_term"]
    assert (outside["lines"], outside["amount"], outside["firstDay"]) == (1, 680.0, "2025-02-01")
    tariff = found[mine, "tariff_deviation"]  # checked: the 5 lines of the provider with a tariff
    assert (tariff["linesChecked"], tariff["linesOffTariff"], tariff["sharePct"], tariff["difference"]) == (
        5,
        1,
        20.0,
        120.0,
    )
    assert found[mine, "municipality_not_covered"]["lines"] == 1


def test_a_rerun_of_the_contract_checks_is_a_no_op(contract_world):
    # given
    w = contract_world
    w.import_declarations([*w.clean, *w.planted])
    run(w)
    before = list(FraudSignal.objects.order_by("pk").values())
    # when
    summary = run(w)
    # then
    assert (summary.created, summary.updated, summary.withdrawn, summary.unchanged) == (0, 0, 0, 4)
    assert list(FraudSignal.objects.order_by("pk").values()) == before


def test_the_tariff_tolerance_is_a_threshold_of_the_authority(contract_world):
    # given: a tolerance of 20 % lets 80.00 instead of 68.00 (17.6 %) pass
    w = contract_world
    w.import_declarations([*w.clean, *w.planted])
    FraudRuleSetting.objects.create(
        authority=w.authority, rule="tariff_deviation", thresholds={"tolerance_pct": 20}
    )
    # when
    run(w)
    # then
    assert (w.provider.agb_code, "tariff_deviation") not in signals(w)

from decimal import Decimal

import pytest

from contracting.models import Unit, add_months
from tests import factories

pytestmark = pytest.mark.django_db


def test_real_price_per_hour_follows_the_cost_model_formula():
    # given: 25.00 × 1.30 ÷ 0.75 = 43.333..; × (1 + 0.15 + 0.03) = 51.13
    cost = factories.CostModelFactory()
    # then
    assert cost.real_price == Decimal("51.13")


def test_real_price_per_day_part_is_four_hours():
    product = factories.ProductFactory(unit=Unit.objects.get(code="16"))
    cost = factories.CostModelFactory(product=product)
    assert cost.real_price == Decimal("204.53")


def test_output_unit_has_no_hourly_real_price():
    product = factories.ProductFactory(unit=Unit.objects.get(code="82"))
    assert factories.CostModelFactory(product=product).real_price is None


def test_reference_data_is_loaded_by_migration():
    from contracting.models import IndexRate, ProductCategory, WntNorm

    assert ProductCategory.objects.filter(law="jeugd", code="45").exists()
    assert WntNorm.objects.get(year=2024, scope="zorg_jeugdhulp", wnt_class="I").amount == Decimal("130000")
    assert IndexRate.objects.get(year=2024, component="OVA").definitive_pct == Decimal("6.0")
    # unconfirmed figures (2025 general WNT norm) are not loaded
    assert not WntNorm.objects.filter(year=2025, scope="algemeen").exists()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [("2024-01-31", 1, "2024-02-29"), ("2024-06-30", -6, "2023-12-30"), ("2025-12-31", 24, "2027-12-31")],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    import datetime

    assert add_months(datetime.date.fromisoformat(day), months) == datetime.date.fromisoformat(expected)

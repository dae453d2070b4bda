"""Spend per municipality and lot against the budget ceilings, and the forecast of the month a ceiling
runs out; every figure worked out by hand from tests/compliance/spend/world.py."""

from decimal import Decimal

import pytest

from compliance.models import SpendWarningSetting
from compliance.spend import forecast
from compliance.spend.forecast import Forecast, ForecastState
from compliance.spend.selectors import WarningLevel, depletion_list, depletion_warnings
from tests.compliance.spend import world as spend_fixtures

spend_world = spend_fixtures.spend_world

pytestmark = pytest.mark.django_db

D = Decimal


def by_municipality(depletions):
    return {d.municipality.cbs_code if d.municipality else "total": d for d in depletions}


def test_spend_per_municipality_and_lot_against_the_ceiling(spend_world):
    # when
    found = by_municipality(depletion_list(spend_world.authority, 2025))
    # then: Rotterdam 6 x 600.00 + 400.00; Nissewaard 6 x 1,700.00; the total both
    rotterdam, nissewaard, total = found["GM0599"], found["GM1930"], found["total"]
    assert rotterdam.declared_total == D("4000.00")
    assert rotterdam.declared[:4] == [D("600.00"), D("600.00"), D("1000.00"), D("600.00")]
    assert rotterdam.lots == {spend_world.lot_1.pk: D("3600.00"), spend_world.lot_2.pk: D("400.00")}
    assert (rotterdam.ceiling, rotterdam.remaining, rotterdam.used_pct) == (
        D("6000.00"),
        D("2000.00"),
        D("66.7"),
    )
    assert (nissewaard.declared_total, nissewaard.used_pct) == (D("10200.00"), D("102.0"))
    assert (total.declared_total, total.used_pct) == (D("14200.00"), D("71.0"))
    assert rotterdam.last_year == [D("500.00")] * 6 + [D("250.00")] * 6


def test_the_forecasts_say_when_a_ceiling_runs_out(spend_world):
    # when
    found = by_municipality(depletion_list(spend_world.authority, 2025))
    # then
    rotterdam, nissewaard, total = found["GM0599"], found["GM1930"], found["total"]
    # linear: 4,000 + 666.67 a month reaches 6,000 after three more months (September)
    assert rotterdam.linear == Forecast(ForecastState.RUNS_OUT, 9)
    # seasonal: last year's profile 3,000 by June then 250 a month, scaled by 4,000 / 3,000, reaches
    # 6,000 when it reaches 4,500: December
    assert rotterdam.seasonal == Forecast(ForecastState.RUNS_OUT, 12)
    # Nissewaard used its 10,000 in June (8,500 by May, 10,200 by June); it has no profile of its own
    assert nissewaard.linear == Forecast(ForecastState.EXCEEDED, 6)
    # total: 14,200 + 2,366.67 a month reaches 20,000 in September; seasonal (scale 14,200 / 3,000)
    # reaches it when last year's cumulative reaches 4,225.35: November
    assert total.linear == Forecast(ForecastState.RUNS_OUT, 9)
    assert total.seasonal == Forecast(ForecastState.RUNS_OUT, 11)


def test_the_warnings_follow_the_thresholds(spend_world):
    # when: the defaults (80 %, 100 %, a forecast before 1 November)
    warnings = depletion_warnings([spend_world.authority], 2025)
    # then: Nissewaard exceeded, Rotterdam and the total run out in September
    assert [(w.municipality.cbs_code if w.municipality else "total", w.warning) for w in warnings] == [
        ("GM1930", WarningLevel.EXCEEDED),
        ("total", WarningLevel.FORECAST),
        ("GM0599", WarningLevel.FORECAST),
    ]


def test_an_authority_may_set_its_own_thresholds(spend_world):
    # given: warn at 60 %, the ceiling at 110 %, forecasts only before September
    SpendWarningSetting.objects.create(
        authority=spend_world.authority, warning_pct=60, exceeded_pct=110, forecast_before_month=9
    )
    # when
    found = by_municipality(depletion_list(spend_world.authority, 2025))
    # then
    assert {code: d.warning for code, d in found.items()} == {
        "GM0599": WarningLevel.THRESHOLD,
        "GM1930": WarningLevel.THRESHOLD,
        "total": WarningLevel.THRESHOLD,
    }


def test_allocated_amounts_are_spread_over_the_months_by_days(spend_world):
    # given: a budget of 7,300.00 for 2025: 20.00 a day
    w = spend_world
    w.import_allocations([w.allocation(municipality="GM0599", budget="7300.00")])
    # when
    rotterdam = by_municipality(depletion_list(w.authority, 2025))["GM0599"]
    # then
    assert rotterdam.allocated[:2] == [D("620.00"), D("560.00")]
    assert rotterdam.allocated_total == D("7300.00")


@pytest.mark.parametrize(
    ("declared", "known", "ceiling", "expected"),
    [
        ([D(100)] * 3 + [D(0)] * 9, 3, D(1000), Forecast(ForecastState.RUNS_OUT, 10)),
        ([D(100)] * 3 + [D(0)] * 9, 3, D(1201), Forecast(ForecastState.WITHIN)),
        ([D(100)] * 12, 0, D(1000), Forecast(ForecastState.NO_DATA)),
        ([D(600)] * 12, 2, D(1000), Forecast(ForecastState.EXCEEDED, 2)),
        ([D(100)] * 12, 3, None, Forecast(ForecastState.NO_CEILING)),
    ],
)
def test_the_linear_forecast(declared, known, ceiling, expected):
    assert forecast.linear(declared, known, ceiling) == expected


def test_the_seasonal_forecast_needs_last_years_profile():
    assert forecast.seasonal([D(100)] * 12, 3, D(1000), [D(0)] * 12) == Forecast(ForecastState.NO_PROFILE)

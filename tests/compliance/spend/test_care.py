"""Waiting times (allocation start -> start of care 305) and durations (305 -> stop 307) per provider,
category and municipality, and the share of care ended as planned; figures worked out by hand."""

import datetime

import pytest

from compliance.fraud.columns import CARE_FIELDS
from compliance.fraud.importer import production_import
from compliance.spend.selectors import care_figures, percentile, waiting_by_category
from tests.compliance.fraud.fixtures import BSN_B, BSN_C, csv_file
from tests.compliance.spend.world import SpendWorld

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def care(world, number, message, date, reason=""):
    row = {
        "municipality": "",
        "provider_agb": world.provider.agb_code,
        "client_bsn": BSN_B,
        "allocation_number": number,
        "product_category": "02",
        "product_code": world.product.code,
        "message": message,
        "date": date,
        "reason": reason,
    }
    return [row[c] for c in CARE_FIELDS]


@pytest.fixture
def care_world(db):
    w = SpendWorld()
    w.import_allocations(
        [
            w.allocation(municipality="GM0599", allocation_number="A-1", period_start="2025-01-01"),
            w.allocation(municipality="GM0599", allocation_number="A-2", period_start="2025-02-01",
                         client_bsn=BSN_B),
            w.allocation(municipality="GM1930", allocation_number="A-3", period_start="2025-03-01",
                         client_bsn=BSN_C),
        ]
    )  # fmt: skip
    rows = [
        care(w, "A-1", "305", "2025-01-15"),  # 14 days
        care(w, "A-2", "305", "2025-02-22"),  # 21 days
        care(w, "A-3", "305", "2025-03-08"),  # 7 days
        care(w, "A-1", "307", "2025-06-30", "31"),  # 166 days of care, as planned
        care(w, "A-2", "307", "2025-04-22", "33"),  # 59 days, ended early by the provider
    ]
    result = production_import(
        file=csv_file(list(CARE_FIELDS), rows),
        file_name="zorg.csv",
        kind="care",
        authority=w.authority,
        actor=None,
    )
    assert result.batch.rows_rejected == 0, result.rejections
    return w


def test_waiting_times_and_durations_per_provider_category_and_municipality(care_world):
    # when
    figures = {f.municipality_id: f for f in care_figures(care_world.authority, *YEAR)}
    # then
    rotterdam = figures[care_world.rotterdam.pk]
    assert sorted(rotterdam.waiting_days) == [14, 21]
    assert (rotterdam.waiting_median, rotterdam.waiting_p90) == (17.5, pytest.approx(20.3))
    assert sorted(rotterdam.duration_days) == [59, 166]
    assert (rotterdam.stops, rotterdam.stops_planned, str(rotterdam.planned_pct)) == (2, 1, "50.0")
    nissewaard = figures[care_world.nissewaard.pk]
    assert (nissewaard.waiting_days, nissewaard.stops, nissewaard.planned_pct) == ([7], 0, None)


def test_waiting_times_per_category_pool_every_municipality(care_world):
    # when
    per_category = waiting_by_category(care_figures(care_world.authority, *YEAR))
    # then: 7, 14, 21: median 14, p90 at rank 1.8 = 14 + 0.8 x 7
    assert per_category == {
        care_world.product.category_id: {"starts": 3, "median": 14, "p90": pytest.approx(19.6)}
    }


def test_a_period_without_starts_has_no_figures(care_world):
    assert care_figures(care_world.authority, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)) == []


def test_percentile_interpolates_between_ranks():
    assert (percentile([1, 2, 3, 4], 50), percentile([10], 90), percentile([], 90)) == (2.5, 10, None)

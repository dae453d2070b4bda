"""Starts (305) and stops (307) of care imported in the same format: linked to their allocation by its
number, reason codes from the JZ588 code list, one start and one stop per allocation."""

import pytest

from compliance.fraud.columns import CARE_FIELDS
from compliance.fraud.importer import production_import
from compliance.models import CareEvent, StopReason
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import BSN_A, csv_file

world = fraud_fixtures.world

pytestmark = pytest.mark.django_db


def care(world, **overrides) -> list[str]:
    row = {
        "municipality": "",
        "provider_agb": world.provider.agb_code,
        "client_bsn": BSN_A,
        "allocation_number": "T-0001",
        "product_category": "02",
        "product_code": world.product.code,
        "message": "305",
        "date": "2025-01-15",
        "reason": "",
    }
    row.update(overrides)
    return [row[c] for c in CARE_FIELDS]


def import_care(world, rows):
    return production_import(
        file=csv_file(list(CARE_FIELDS), rows),
        file_name="start-stop.csv",
        kind="care",
        authority=world.authority,
        actor=None,
    )


def test_the_stop_reasons_are_the_jz588_code_list_with_31_as_the_planned_end():
    assert StopReason.objects.count() == 11
    assert list(StopReason.objects.filter(planned=True).values_list("code", flat=True)) == ["31"]


def test_starts_and_stops_are_stored_with_their_reason(world):
    # given
    rows = [
        care(world),
        care(world, message="JW307", date="30-06-2025", reason="31"),
        care(world, allocation_number="T-0002", message="305", date="2025-02-01"),
    ]
    # when
    result = import_care(world, rows)
    # then
    assert (result.batch.rows_imported, result.batch.rows_rejected) == (3, 0)
    stored = CareEvent.objects.order_by("allocation_number", "message")
    assert [(e.allocation_number, e.message, e.date.isoformat(), e.reason) for e in stored] == [
        ("T-0001", "305", "2025-01-15", ""),
        ("T-0001", "307", "2025-06-30", "31"),
        ("T-0002", "305", "2025-02-01", ""),
    ]


def test_a_bad_message_reason_or_duplicate_is_a_row_error(world):
    # given
    rows = [
        care(world, message="301"),
        care(world, message="307", reason="99"),
        care(world, message="305", reason="31"),
        care(world, allocation_number=""),
        care(world),
        care(world, date="2025-01-20"),
    ]
    # when
    result = import_care(world, rows)
    # then
    assert list(result.batch.rejections.values_list("row_number", "code")) == [
        (2, "message_format"),
        (3, "unknown_reason"),
        (4, "reason_only_on_stop"),
        (5, "allocation_number_required"),
        (7, "duplicate_care_event"),
    ]
    assert CareEvent.objects.get().date.isoformat() == "2025-01-15"


def test_a_later_file_replaces_the_start_of_an_allocation(world):
    # given
    import_care(world, [care(world)])
    # when
    import_care(world, [care(world, date="2025-01-22")])
    # then
    assert CareEvent.objects.get().date.isoformat() == "2025-01-22"

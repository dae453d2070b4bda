"""The municipality on production data: every allocation and declaration line carries the CBS code of the
municipality that allocated; a regional file is split per participating municipality; a code outside the
authority's municipalities rejects the row. Both lanes (the general parser and, on PostgreSQL, the fast
lane) give the same result."""

import pytest

from django.db import connection

from compliance.models import AllocationLine, DeclarationLine
from tests import factories
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import BSN_B, BSN_C, DECLARATION_HEADER, World, csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_world(db) -> World:
    world = World()
    world.rotterdam = factories.MunicipalityFactory(name="Rotterdam", cbs_code="GM0599")
    world.nissewaard = factories.MunicipalityFactory(name="Nissewaard", cbs_code="GM1930")
    world.authority.members.add(world.rotterdam, world.nissewaard)
    return world


def _codes(model, batch) -> list[str | None]:
    return [
        line.municipality.cbs_code if line.municipality_id else None
        for line in model.objects.filter(batch=batch).select_related("municipality").order_by("row_number")
    ]


def test_each_declaration_carries_its_municipality_and_the_file_is_split_per_municipality(region_world):
    # given: a regional file with lines of two municipalities, the code written three ways
    w = region_world
    rows = [
        w.declaration(municipality="GM0599", amount="100.00"),
        w.declaration(municipality="0599", client_bsn=BSN_B, amount="250.50"),
        w.declaration(municipality="1930", client_bsn=BSN_C, amount="40.25"),
    ]
    # when
    result = w.import_declarations(rows)
    # then: 100 + 250.50 = 350.50 for Rotterdam, 40.25 for Nissewaard
    assert _codes(DeclarationLine, result.batch) == ["GM0599", "GM0599", "GM1930"]
    assert result.batch.municipality_totals == {
        "GM0599": {"rows": 2, "amount": "350.50"},
        "GM1930": {"rows": 1, "amount": "40.25"},
    }


def test_a_municipality_outside_the_region_or_not_a_code_rejects_the_row(region_world):
    # given: Amsterdam (GM0363) takes no part in the region; "Rotterdam" is no code
    w = region_world
    rows = [
        w.declaration(municipality="GM0599"),
        w.declaration(municipality="GM0363"),
        w.declaration(municipality="Rotterdam"),
    ]
    # when
    result = w.import_declarations(rows)
    # then
    assert (result.batch.rows_imported, result.batch.rows_rejected) == (1, 2)
    assert list(result.batch.rejections.values_list("row_number", "column", "code")) == [
        (3, "municipality", "municipality_not_in_authority"),
        (4, "municipality", "municipality_format"),
    ]


def test_a_regional_line_without_a_municipality_is_stored_as_not_given(region_world):
    # given: an older file without the municipality column
    w = region_world
    header = [c for c in DECLARATION_HEADER if c != "municipality"]
    file = csv_file(header, [w.declaration()[1:]])
    # when
    result = fraud_fixtures.production_import(
        file=file, file_name="oud.csv", kind="declarations", authority=w.authority, actor=None
    )
    # then: a visible state of its own, not a guessed municipality
    assert _codes(DeclarationLine, result.batch) == [None]
    assert result.batch.municipality_totals == {"none": {"rows": 1, "amount": "680.00"}}


def test_a_municipality_importing_its_own_file_needs_no_column_and_refuses_another_code(db):
    # given: a municipality as the authority
    w = World()
    w.authority = factories.MunicipalityFactory(name="Zwolle", cbs_code="GM0193")
    # when
    result = w.import_declarations([w.declaration(), w.declaration(municipality="GM0599")])
    # then
    assert _codes(DeclarationLine, result.batch) == ["GM0193"]
    assert list(result.batch.rejections.values_list("code", flat=True)) == ["municipality_not_in_authority"]


def test_allocations_carry_their_municipality_and_a_later_file_may_move_one(region_world):
    # given
    w = region_world
    first = w.import_allocations([w.allocation(municipality="GM0599", allocation_number="A-1")])
    # when: the allocation is replaced by one of Nissewaard
    second = w.import_allocations([w.allocation(municipality="GM1930", allocation_number="A-1", volume="4")])
    # then
    assert first.batch.municipality_totals == {"GM0599": {"rows": 1}}
    assert second.batch.municipality_totals == {"GM1930": {"rows": 1}}
    assert AllocationLine.objects.get(allocation_number="A-1").municipality == w.nissewaard


@pytest.mark.postgres
def test_the_fast_lane_stores_the_municipality_and_the_split_like_the_general_path(region_world):
    # given: canonical rows (the fast lane) of two municipalities, one of them outside the region
    assert connection.vendor == "postgresql"
    w = region_world
    rows = [w.declaration(municipality="GM0599", allocation_number=f"T-{i}") for i in range(30)]
    rows += [w.declaration(municipality="GM1930", client_bsn=BSN_B, amount="10.01") for _ in range(3)]
    rows.append(w.declaration(municipality="GM0363"))
    # when
    result = w.import_declarations(rows)
    # then: 30 x 680.00 = 20400.00; 3 x 10.01 = 30.03
    assert (result.batch.rows_imported, result.batch.rows_rejected) == (33, 1)
    assert result.batch.municipality_totals == {
        "GM0599": {"rows": 30, "amount": "20400.00"},
        "GM1930": {"rows": 3, "amount": "30.03"},
    }
    assert _codes(DeclarationLine, result.batch) == ["GM0599"] * 30 + ["GM1930"] * 3
    assert list(result.batch.rejections.values_list("code", flat=True)) == ["municipality_not_in_authority"]

"""Import of allocation and declaration lines: valid rows stored, rejected rows reported with their row
number and a specific reason, all-or-nothing on request, idempotent per file, BSNs never stored."""

import datetime
import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from django.apps import apps
from django.db import connection, models

from audit.models import AuditEvent
from compliance.fraud.columns import ALLOCATION_FIELDS, DECLARATION_FIELDS, header_line
from compliance.fraud.importer import production_import
from compliance.fraud.pseudonym import (
    InvalidBsn,
    check_bsn,
    contains_bsn,
    is_valid_bsn,
    key_id,
    mask_bsns,
    normalise_bsn,
    pseudonymise,
)
from compliance.models import (
    AllocationLine,
    DeclarationLine,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    ProductionKind,
)
from contracting.models import Product, ProductCategory, Unit
from core.exceptions import TransitionForbidden
from tests import factories
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import BSN_A, BSN_B, BSN_C, DECLARATION_HEADER, YEAR, csv_file

world = fraud_fixtures.world

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- BSN


@pytest.mark.parametrize("bsn", [BSN_A, BSN_B, BSN_C])
def test_valid_bsns_pass_the_eleven_test(bsn):
    assert check_bsn(bsn) is None  # accepted: no InvalidBsn


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("123456789", "bsn_checksum"),
        ("000000000", "bsn_zero"),
        ("12345678", "bsn_format"),
        ("1234567890", "bsn_format"),
        ("12345678a", "bsn_format"),
        ("١١١٢٢٢٣٣٣", "bsn_format"),  # Arabic-Indic digits are digits to Python, not to the BSN
    ],
)
def test_invalid_bsns_are_refused_with_a_code(value, code):
    with pytest.raises(InvalidBsn) as refused:
        check_bsn(value)
    assert refused.value.code == code
    assert value not in str(refused.value)


def test_an_eight_digit_bsn_gets_its_leading_zero_back():
    # a spreadsheet stores 012345672 as the number 12345672
    assert normalise_bsn(12345672) == "012345672"
    assert is_valid_bsn(12345672)


def test_the_pseudonym_is_a_keyed_hash(settings):
    first = pseudonymise(BSN_A)
    assert len(first) == 32 and pseudonymise(BSN_A) == first and pseudonymise(BSN_B) != first
    settings.PSEUDONYMISATION_KEY = "another-key"
    assert pseudonymise(BSN_A) != first


# --------------------------------------------------------------------------- valid files


def test_valid_declarations_are_stored_with_pseudonymised_clients(world, officer):
    # given
    rows = [world.declaration(), world.declaration(client_bsn=BSN_B, amount="12.50")]
    # when
    result = world.import_declarations(rows, actor=officer)
    # then
    batch = result.batch
    assert (batch.status, batch.rows_total, batch.rows_imported, batch.rows_rejected) == (
        "completed",
        2,
        2,
        0,
    )
    assert batch.total_amount == Decimal("692.50") and batch.imported_by == officer
    lines = list(DeclarationLine.objects.order_by("row_number"))
    assert [line.row_number for line in lines] == [2, 3]
    assert bytes(lines[0].client_hash) == pseudonymise(BSN_A)
    assert (lines[0].provider, lines[0].product, lines[0].volume) == (world.provider, world.product, 10)
    assert AuditEvent.objects.filter(event="importbatch.imported", subject_uuid=batch.uuid).count() == 1


def test_semicolons_and_decimal_commas_are_read(world):
    rows = [world.declaration(amount="680,5", product_code="")]
    result = world.import_declarations([])  # an empty file of only a header stores nothing
    assert result.batch.status == ImportStatus.REJECTED
    file = csv_file(DECLARATION_HEADER, rows, delimiter=";")
    result = production_import(
        file=file, file_name="d.csv", kind="declarations", authority=world.authority, actor=None
    )
    assert result.batch.rows_imported == 1
    assert DeclarationLine.objects.get().amount == Decimal("680.50")


def test_dutch_column_names_are_understood(world):
    header = ["Gemeente", "AgbCode", "Bsn", "ToewijzingNummer", "Productcategorie", "Productcode", "Begindatum",
              "Einddatum", "Volume", "Eenheid", "Bedrag"]  # fmt: skip
    file = csv_file(header, [world.declaration()])
    result = production_import(
        file=file, file_name="d.csv", kind="declarations", authority=world.authority, actor=None
    )
    assert result.batch.rows_imported == 1


def test_xlsx_with_numbers_and_dates_as_cells(world):
    # given: Excel turned the BSN into a number (leading zero lost) and the dates into dates
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(DECLARATION_HEADER)
    sheet.append([None, int(world.provider.agb_code), 12345672, "T-1", "02", "TST02", datetime.date(YEAR, 1, 1),
                  datetime.datetime(YEAR, 1, 31), 10, "04", 680.0])  # fmt: skip
    sheet.append([None] * 11)  # trailing empty rows are ignored
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    # when
    result = production_import(
        file=buffer, file_name="declaraties.xlsx", kind="declarations", authority=world.authority, actor=None
    )
    # then
    assert (result.batch.file_format, result.batch.rows_imported, result.batch.rows_rejected) == (
        "xlsx",
        1,
        0,
    )
    assert bytes(DeclarationLine.objects.get().client_hash) == pseudonymise("012345672")


# --------------------------------------------------------------------------- rejected rows


def test_every_rejected_row_is_reported_with_its_row_number_and_reason(world):
    # given
    rows = [
        world.declaration(),  # row 2: valid
        world.declaration(client_bsn="123456789"),  # row 3
        world.declaration(provider_agb="40000000"),  # row 4
        world.declaration(period_start=f"{YEAR}-02-30"),  # row 5
        world.declaration(period_start=f"{YEAR}-02-01", period_end=f"{YEAR}-01-01"),  # row 6
        world.declaration(product_code="NOPE"),  # row 7
        world.declaration(unit="21"),  # row 8: removed in iWmo 2.3
        world.declaration(amount="12.345", volume="0"),  # row 9: two problems
        world.declaration(client_bsn=BSN_B),  # row 10: valid
    ]
    # when
    result = world.import_declarations(rows)
    # then
    batch = result.batch
    assert (batch.status, batch.rows_total, batch.rows_imported, batch.rows_rejected) == (
        "completed",
        9,
        2,
        7,
    )
    reported = list(ImportRejection.objects.filter(batch=batch).values_list("row_number", "column", "code"))
    assert reported == [
        (3, "client_bsn", "bsn_checksum"),
        (4, "provider_agb", "unknown_provider"),
        (5, "period_start", "date_format"),
        (6, "period_end", "period_order"),
        (7, "product_code", "unknown_product"),
        (8, "unit", "unit_not_current"),
        (9, "volume", "volume_range"),
        (9, "amount", "amount_format"),
    ]
    assert [r["row"] for r in result.rejections][:2] == [3, 4]
    assert DeclarationLine.objects.count() == 2


def test_all_or_nothing_stores_no_line_when_one_row_is_rejected(world):
    rows = [
        world.declaration(),
        world.declaration(client_bsn="123456789"),
        world.declaration(client_bsn=BSN_B),
    ]

    result = world.import_declarations(rows, strict=True)

    batch = result.batch
    assert (batch.status, batch.rows_imported, batch.rows_rejected) == (ImportStatus.REJECTED, 0, 1)
    assert DeclarationLine.objects.count() == 0
    assert list(batch.rejections.values_list("row_number", "code")) == [(3, "bsn_checksum")]
    assert AuditEvent.objects.filter(event="importbatch.rejected", subject_uuid=batch.uuid).exists()


def test_a_file_without_the_required_columns_is_rejected_as_a_whole(world):
    file = csv_file(["provider_agb", "client_bsn"], [[world.provider.agb_code, BSN_A]])

    result = production_import(
        file=file, file_name="d.csv", kind="declarations", authority=world.authority, actor=None
    )

    assert result.batch.status == ImportStatus.REJECTED
    assert "product_category" in result.batch.error
    assert not DeclarationLine.objects.exists()


# --------------------------------------------------------------------------- idempotency


def test_importing_the_same_file_twice_changes_nothing(world):
    # given
    rows = [world.declaration(), world.declaration(client_bsn="123456789")]
    first = world.import_declarations(rows)
    counts = (DeclarationLine.objects.count(), ImportBatch.objects.count(), ImportRejection.objects.count())
    events = AuditEvent.objects.count()
    # when
    second = world.import_declarations(rows)
    # then
    assert second.created is False and second.batch == first.batch
    assert (
        DeclarationLine.objects.count(),
        ImportBatch.objects.count(),
        ImportRejection.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == events


def test_a_rejected_attempt_may_be_imported_again(world):
    rows = [world.declaration(provider_agb="41999077")]
    assert world.import_declarations(rows).batch.status == ImportStatus.REJECTED
    factories.ProviderFactory(agb_code="41999077")  # the provider is registered afterwards

    again = world.import_declarations(rows)

    assert again.created and again.batch.status == ImportStatus.COMPLETED and again.batch.rows_imported == 1


def test_a_later_allocation_file_replaces_an_allocation_and_duplicates_in_one_file_are_rejected(world):
    world.import_allocations([world.allocation(volume="3")])

    result = world.import_allocations(
        [world.allocation(volume="5", period_end=f"{YEAR}-06-30"), world.allocation(volume="9")]
    )

    allocation = AllocationLine.objects.get()
    assert (allocation.volume, allocation.period_end.month, allocation.batch) == (5, 6, result.batch)
    assert list(result.batch.rejections.values_list("row_number", "code")) == [
        (3, "duplicate_allocation_number")
    ]
    assert result.batch.rows_rejected == 1
    # 5 a week from 1 January to 30 June (181 days) = 129.29 hours (iWmo CD076)
    assert allocation.total_volume == Decimal("129.29")


def test_an_auditor_cannot_import(world, auditor):
    with pytest.raises(TransitionForbidden):
        world.import_declarations([world.declaration()], actor=auditor)
    assert not ImportBatch.objects.exists()


# --------------------------------------------------------------------------- no BSN anywhere


def _text_values():
    """Every text value in every table of the project's apps (also JSON, as text)."""
    for model in apps.get_models():
        if model._meta.app_label not in ("contracting", "coalitions", "compliance"):
            continue
        fields = [
            connection.ops.quote_name(f.column)
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(fields)} FROM {model._meta.db_table}")  # noqa: S608
            for row in cursor.fetchall():
                yield from (str(value) for value in row if value is not None)


def test_no_bsn_reaches_the_database_or_the_logs(world, caplog):
    # given: valid and invalid BSNs, in every mode
    caplog.set_level(logging.DEBUG)
    bsns = [BSN_A, BSN_B, BSN_C, "123456789", "111222334"]
    rows = [world.declaration(client_bsn=bsn) for bsn in bsns]
    # when
    world.import_declarations(rows)
    world.import_declarations(rows[:3], strict=True)
    world.import_allocations(
        [world.allocation(client_bsn=bsn, allocation_number=f"A-{i}") for i, bsn in enumerate(bsns)]
    )
    # then
    values = list(_text_values())
    assert values  # the scan found text
    for bsn in bsns:
        assert not any(bsn in value for value in values), bsn
        assert bsn not in caplog.text
    for line in DeclarationLine.objects.all():
        assert bytes(line.client_hash) in {pseudonymise(b) for b in bsns[:3]}


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_postgres_copy_path_stores_and_rolls_back_like_the_portable_path(world):
    assert connection.vendor == "postgresql"
    rows = [world.declaration(allocation_number=f"T-{i}", client_bsn=BSN_B) for i in range(5000)]
    rows.append(world.declaration(client_bsn="123456789"))

    stored = world.import_declarations(rows)
    strict = world.import_declarations([*rows, world.declaration()], strict=True)

    assert (stored.batch.rows_imported, stored.batch.rows_rejected) == (5000, 1)
    assert DeclarationLine.objects.filter(batch=stored.batch).count() == 5000
    assert strict.batch.status == ImportStatus.REJECTED
    assert not DeclarationLine.objects.filter(batch=strict.batch).exists()
    line = DeclarationLine.objects.filter(batch=stored.batch).order_by("row_number").first()
    assert (line.row_number, bytes(line.client_hash), line.amount) == (
        2,
        pseudonymise(BSN_B),
        Decimal("680.00"),
    )


# --------------------------------------------------------------------------- the documented examples

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def test_the_columns_are_those_of_the_documentation_in_its_order():
    # the one definition of the columns (importer, fast lane, generator, these tests) is the documented one
    assert DECLARATION_FIELDS == ("municipality", "provider_agb", "client_bsn", "allocation_number", "product_category",
                                  "product_code", "period_start", "period_end", "volume", "unit",
                                  "amount")  # fmt: skip
    assert list(ALLOCATION_FIELDS) == [*DECLARATION_FIELDS[:-1], "frequency", "budget"]
    for name, kind in [("declarations.csv", ProductionKind.DECLARATIONS),
                       ("allocations.csv", ProductionKind.ALLOCATIONS)]:  # fmt: skip
        with (EXAMPLES / name).open(encoding="utf-8", newline="") as fh:
            assert fh.readline() == header_line(kind)
    documentation = (EXAMPLES.parent / "import-format.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in documentation for name in ALLOCATION_FIELDS + ("amount",))


def test_the_example_files_of_the_documentation_import_as_described():
    # given: the demo's region, providers and products the examples use
    authority = factories.RegionFactory()
    authority.members.add(
        *(factories.MunicipalityFactory(cbs_code=c) for c in ("GM0599", "GM1930", "GM1931"))
    )
    for agb in ("41518110", "41697135"):
        factories.ProviderFactory(agb_code=agb)
    for code, law, category, unit in [("02R01", "wmo", "02", "04"), ("02R02", "wmo", "02", "04"),
                                      ("07R01", "wmo", "07", "16"), ("45R01", "jeugd", "45", "04")]:  # fmt: skip
        Product.objects.create(
            code=code,
            name=code,
            category=ProductCategory.objects.get(law=law, code=category),
            unit=Unit.objects.get(code=unit),
        )

    def load(name, kind):
        with (EXAMPLES / name).open("rb") as fh:
            return production_import(
                file=fh, file_name=name, kind=kind, authority=authority, actor=None
            ).batch

    # when / then
    assert load("allocations.csv", "allocations").rows_imported == 4
    assert load("declarations.csv", "declarations").rows_imported == 9
    assert load("declarations.xlsx", "declarations").rows_imported == 9
    assert DeclarationLine.objects.filter(municipality__isnull=True).count() == 0
    assert load("declarations.csv", "declarations").municipality_totals == {
        "GM0599": {"rows": 5, "amount": "4764.00"},
        "GM1930": {"rows": 2, "amount": "1955.00"},
        "GM1931": {"rows": 2, "amount": "2576.00"},
    }
    assert load("care.csv", "care").rows_imported == 6
    errors = load("declarations-with-errors.csv", "declarations")
    assert (errors.rows_imported, errors.rows_rejected) == (1, 7)
    assert list(errors.rejections.values_list("row_number", "code")) == [
        (3, "bsn_checksum"),
        (4, "unknown_provider"),
        (5, "date_format"),
        (6, "product_category_mismatch"),
        (7, "unit_not_current"),
        (8, "volume_range"),
        (8, "amount_format"),
        (9, "municipality_not_in_authority"),
    ]


# --------------------------------------------------------------------------- a BSN in free text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (BSN_B, True),
        (f"T-{BSN_B}-01", True),
        ("1234.56.782", True),  # the printed form of a BSN
        ("123456789", False),  # fails the 11-test
        ("000000000", False),
        ("1234567820", False),  # ten digits: another number
        ("RR-2025-000001", False),
        ("S7-0000000001", False),  # the generator's allocation numbers
    ],
)
def test_a_bsn_is_found_in_free_text(text, found):
    assert contains_bsn(text) is found
    assert (mask_bsns(text) != text) is found


@pytest.mark.parametrize("number", [BSN_B, f"A/{BSN_C}", "1234.56.782"])
def test_a_bsn_in_the_allocation_number_rejects_the_row_and_is_stored_nowhere(world, number):
    # given
    rows = [world.declaration(), world.declaration(allocation_number=number)]
    # when
    result = world.import_declarations(rows)
    allocations = world.import_allocations([world.allocation(allocation_number=number)])
    # then
    assert list(result.batch.rejections.values_list("row_number", "column", "code")) == [
        (3, "allocation_number", "bsn_in_free_text")
    ]
    assert result.batch.rows_imported == 1
    assert list(allocations.batch.rejections.values_list("code", flat=True)) == ["bsn_in_free_text"]
    assert not AllocationLine.objects.exists()
    values = [*_text_values(), *(str(e.data) for e in AuditEvent.objects.all())]
    assert not any(number in value for value in values)


def test_the_rejection_says_in_dutch_that_a_bsn_belongs_in_the_bsn_column(world):
    result = world.import_declarations([world.declaration(allocation_number=BSN_B)])
    rejection = result.batch.rejections.get()
    assert rejection.code == "bsn_in_free_text"
    assert "BSN" in rejection.message and "elfproef" in rejection.message


def test_an_allocation_number_that_fails_the_eleven_test_is_accepted(world):
    result = world.import_declarations([world.declaration(allocation_number="123456789")])
    assert (result.batch.rows_imported, result.batch.rows_rejected) == (1, 0)


def test_a_bsn_in_the_file_name_is_masked_in_the_batch_and_the_trail(world):
    # when
    result = production_import(
        file=csv_file(DECLARATION_HEADER, [world.declaration()]),
        file_name=f"declaraties client {BSN_B}.csv",
        kind="declarations",
        authority=world.authority,
        actor=None,
    )
    # then
    batch = result.batch
    assert batch.file_name == "declaraties client *********.csv"
    event = AuditEvent.objects.get(event="importbatch.imported", subject_uuid=batch.uuid)
    assert event.data["file"] == batch.file_name
    assert BSN_B not in str(event.data) and BSN_B not in event.subject_repr


def test_every_import_records_the_id_of_its_pseudonymisation_key(world, settings):
    # given
    first = world.import_declarations([world.declaration()])
    settings.PSEUDONYMISATION_KEY = "a-rotated-key-of-at-least-32-characters-0123"
    # when
    second = world.import_declarations([world.declaration(client_bsn=BSN_B)])
    # then
    ids = [
        AuditEvent.objects.get(subject_uuid=r.batch.uuid).data["pseudonymisationKeyId"]
        for r in (first, second)
    ]
    assert all(len(i) == 16 for i in ids) and ids[0] != ids[1]
    assert ids[0] == key_id("tests-only-7f3c9a1e5b2d8046-pseudonymisation")


@pytest.mark.postgres
def test_the_postgres_fast_lane_rejects_a_bsn_in_the_allocation_number_too(world):
    # given: canonical declaration rows, which take the fast lane on PostgreSQL
    assert connection.vendor == "postgresql"
    rows = [world.declaration(allocation_number=f"T-{i}") for i in range(50)]
    rows.append(world.declaration(allocation_number=BSN_B))
    # when
    result = world.import_declarations(rows)
    # then
    assert (result.batch.rows_imported, result.batch.rows_rejected) == (50, 1)
    assert list(result.batch.rejections.values_list("row_number", "code")) == [(52, "bsn_in_free_text")]
    assert not DeclarationLine.objects.filter(allocation_number=BSN_B).exists()

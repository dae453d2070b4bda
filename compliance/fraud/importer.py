"""Import of allocation and declaration lines from CSV or XLSX (format: docs/import-format.md).

How a file is imported:

- The file's SHA-256 is computed first. A file that was imported before for the same authority and
  kind (a *completed* batch with the same hash) is not read again: the existing batch is returned and
  nothing changes.
- The rows are streamed (constant memory, whatever the file size) and every value is checked in Python:
  provider AGB code, BSN (9 digits, 11-test, not 000000000), product category and code, dates, volume,
  unit, amount. The BSN is replaced by its keyed hash at once (``pseudonym.Pseudonymiser``); it is never
  written, logged or repeated in a message.
- Valid rows are stored; every rejected row is stored as an ``ImportRejection`` with its row number (the
  header is row 1) and the specific reason. With ``strict=True`` one rejected row rejects the whole file
  (all or nothing): nothing is stored but the attempt and its rejections. A file of which no row is
  valid is a rejected attempt too; a rejected attempt may be imported again.
- On PostgreSQL the valid rows go to the table with one COPY (psycopg 3 ``cursor.copy``); allocations go
  through a temporary staging table and an ``INSERT ... SELECT ... ON CONFLICT`` upsert (a later file with
  the same allocation number replaces the allocation, as a changed allocation does in iWmo/iJw). On
  other databases the rows are inserted with ``executemany`` in batches. Everything runs in one
  transaction: a crash leaves nothing half-imported.
"""

import contextlib
import csv
import datetime
import hashlib
import io
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from compliance.fraud.pseudonym import InvalidBsn, Pseudonymiser, normalise_bsn
from compliance.models import (
    AllocationLine,
    DeclarationLine,
    Frequency,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    ProductionKind,
)
from contracting.models import ContractingAuthority, Product, ProductCategory, Provider, Unit
from core import clock
from core.exceptions import InvalidInput, TransitionForbidden

logger = logging.getLogger(__name__)

IMPORT_PERMISSION = "compliance.add_importbatch"
MAX_VOLUME = 10_000_000
MAX_AMOUNT_CENTS = 10**12  # 10 billion euro: far above any line, within the column
COPY_ROWS = 2000  # rows per write to the COPY stream
INSERT_BATCH = 5000
AVG_MONTH_DAYS = Decimal("30.4375")
CENT = Decimal("0.01")
FREQUENCIES = frozenset(Frequency.values)  # (the enum builds the list anew on every access)

ALLOCATION_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,19}")
AGB_CODE = re.compile(r"[0-9]{8}")
AMOUNT = re.compile(r"([0-9]{1,10})(?:[.,]([0-9]{1,2}))?")


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read (format, encoding, header)."""

    code = "import_file_invalid"
    title = _("The file cannot be imported.")


class ImportRejected(InvalidInput):
    """No row of the file was stored: every row was rejected, or one was in all-or-nothing mode."""

    code = "import_rejected"
    title = _("The file was rejected.")


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    aliases: tuple[str, ...] = ()


COMMON_COLUMNS = (
    Column("provider_agb", True, ("agb", "agbcode", "agbcodeaanbieder", "aanbieder", "zorgaanbieder")),
    Column("client_bsn", True, ("bsn", "burgerservicenummer", "client", "clientbsn")),
    Column("allocation_number", False, ("toewijzingnummer", "toewijzingsnummer", "toewijzing")),
    Column("product_category", True, ("productcategorie", "categorie", "category")),
    Column("product_code", False, ("productcode", "product")),
    Column("period_start", True, ("begindatum", "ingangsdatum", "startdatum", "start")),
    Column("period_end", True, ("einddatum", "end")),
    Column("volume", True, ("aantal", "omvang")),
    Column("unit", True, ("eenheid",)),
)
COLUMNS = {
    ProductionKind.DECLARATIONS: (
        *COMMON_COLUMNS,
        Column("amount", True, ("bedrag", "gedeclareerdbedrag", "ingediendbedrag")),
    ),
    ProductionKind.ALLOCATIONS: (
        *COMMON_COLUMNS[:2],
        Column("allocation_number", True, ("toewijzingnummer", "toewijzingsnummer", "toewijzing")),
        *COMMON_COLUMNS[3:],
        Column("frequency", True, ("frequentie",)),
        Column("budget", False, ("bedrag",)),
    ),
}


def _key(header: object) -> str:
    return re.sub(r"[\s_\-.]", "", str(header or "")).lower()


def map_header(kind: str, header: list[object]) -> dict[str, int]:
    """Column name -> position. Raises ImportFileError naming missing and duplicate columns."""
    positions: dict[str, int] = {}
    lookup = {}
    for column in COLUMNS[kind]:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(_key(alias), column.name)
    for index, cell in enumerate(header):
        name = lookup.get(_key(cell))
        if name is None:
            continue
        if name in positions:
            raise ImportFileError(
                _("The column '%(column)s' appears more than once in the header.") % {"column": name}
            )
        positions[name] = index
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in positions]
    if missing:
        raise ImportFileError(
            _("The header (row 1) lacks the required columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return positions


# --------------------------------------------------------------------------- readers


class CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read (for the progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(raw: IO[bytes]) -> tuple[Iterator[list[str]], CountingReader, str]:
    """The rows of a CSV file as lists of strings. A line without quotes is split directly (twice as
    fast as the csv module); a line with quotes, possibly spanning lines, goes through the csv module."""
    counter = CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding="utf-8-sig", newline="")
    first = text.readline()
    delimiter = sniff_delimiter(first)
    return _csv_rows(first, text, delimiter), counter, delimiter


def _csv_rows(first: str, text: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    pending = first
    lines = iter(text)
    while True:
        line = pending if pending is not None else next(lines, None)
        pending = None
        if line is None:
            return
        if '"' not in line:
            yield line.rstrip("\r\n").split(delimiter)
            continue
        while line.count('"') % 2:  # a quoted field goes on on the next line
            more = next(lines, None)
            if more is None:
                break
            line += more
        yield next(csv.reader([line], delimiter=delimiter), [])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(raw: IO[bytes]) -> tuple[Iterator[list[str]], int | None]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    total = sheet.max_row if isinstance(sheet.max_row, int) else None

    def rows() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        finally:
            workbook.close()

    return rows(), total


# --------------------------------------------------------------------------- row validation


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors  # (column, code, message)


@dataclass
class Lookups:
    providers: dict[str, int]
    categories: dict[str, int]
    products: dict[str, tuple[int, int]]
    units: dict[str, tuple[int, bool]]

    @classmethod
    def load(cls) -> "Lookups":
        categories: dict[str, int] = {}
        for pk, code in ProductCategory.objects.values_list("pk", "code"):
            categories[code] = pk
            categories.setdefault(code.lstrip("0") or "0", pk)
        return cls(
            providers=dict(Provider.objects.values_list("agb_code", "pk")),
            categories=categories,
            products={
                code: (pk, cat) for pk, code, cat in Product.objects.values_list("pk", "code", "category")
            },
            units={
                code: (pk, current)
                for pk, code, current in Unit.objects.values_list("pk", "code", "is_current")
            },
        )


def _message(code: str, column: str) -> str:
    messages = {
        "missing_value": _("The column '%(column)s' is empty."),
        "agb_format": _("The AGB code must be 8 digits."),
        "unknown_provider": _("No provider with this AGB code is registered."),
        "bsn_format": _("The BSN must be 9 digits."),
        "bsn_zero": _("000000000 is not a BSN."),
        "bsn_checksum": _("The BSN fails the 11-test."),
        "unknown_category": _("Unknown product category."),
        "unknown_product": _("Unknown product code."),
        "product_category_mismatch": _("The product code does not belong to the product category."),
        "date_format": _("'%(column)s' is not a date (use YYYY-MM-DD or DD-MM-YYYY)."),
        "period_order": _("The period ends before it starts."),
        "volume_format": _("The volume must be a whole number."),
        "volume_range": _("The volume must be between 1 and 10,000,000."),
        "unknown_unit": _("Unknown unit code."),
        "unit_not_current": _("This unit code is no longer in use (removed in iWmo/iJw 2.3)."),
        "amount_format": _("'%(column)s' must be an amount in euros with at most 2 decimals, e.g. 1234.50."),
        "frequency_format": _("The frequency must be 1 (per day), 2 (per week), 4 (per month) or 6 (total)."),
        "allocation_number_required": _("An allocation needs an allocation number."),
        "allocation_number_format": _(
            "The allocation number must be at most 20 letters, digits or . _ / - characters."
        ),
        "duplicate_allocation_number": _("This allocation number appears earlier in the same file."),
        "column_count": _("The row has fewer columns than the header."),
    }
    return messages[code] % {"column": column}


def parse_date(text: str) -> datetime.date:
    if len(text) == 10 and text[2] == "-" and text[5] == "-":  # DD-MM-YYYY
        text = f"{text[6:]}-{text[3:5]}-{text[:2]}"
    if len(text) != 10 or text[4] != "-":
        raise ValueError(text)
    return datetime.date.fromisoformat(text)


def parse_cents(text: str) -> int:
    match = AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(text)
    whole, fraction = match.groups()
    cents = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    if cents >= MAX_AMOUNT_CENTS:
        raise ValueError(text)
    return cents


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def total_volume(volume: int, frequency: str, start: datetime.date, end: datetime.date) -> Decimal:
    """The allocated volume over the whole period (iWmo/iJw rule CD076 for weekly volumes)."""
    days = (end - start).days + 1
    if frequency == Frequency.PER_DAY:
        total = Decimal(volume * days)
    elif frequency == Frequency.PER_WEEK:
        total = Decimal(volume * days) / 7
    elif frequency == Frequency.PER_MONTH:
        total = Decimal(volume * days) / AVG_MONTH_DAYS
    else:
        total = Decimal(volume)
    return total.quantize(CENT)


class RowParser:
    """Turns the cells of one row into the values of a line, or raises RowInvalid with every problem."""

    def __init__(self, kind: str, positions: dict[str, int], lookups: Lookups) -> None:
        self.kind = kind
        self.lookups = lookups
        self.pseudonymise = Pseudonymiser()
        self.p = positions
        self.width = max(positions.values()) + 1
        self.allocations = kind == ProductionKind.ALLOCATIONS
        self.current_units = {code: pk for code, (pk, current) in lookups.units.items() if current}
        self.valid_dates: dict[str, bool] = {}
        self.positions = tuple(
            positions.get(name, -1)
            for name in (
                "provider_agb",
                "client_bsn",
                "allocation_number",
                "product_category",
                "product_code",
                "period_start",
                "period_end",
                "volume",
                "unit",
                "amount",
            )
        )

        self._fast = self._make_fast()

    def _date_ok(self, text: str) -> bool:
        known = self.valid_dates.get(text)
        if known is None:
            try:
                known = len(text) == 10 and text[4] == "-" and bool(datetime.date.fromisoformat(text))
            except ValueError:
                known = False
            if len(self.valid_dates) < 100_000:
                self.valid_dates[text] = known
        return known

    def fast(self, cells: list[str]) -> tuple | None:
        """The common case of a declaration row in the canonical format (ISO dates, amounts with two
        decimals after a point, no surrounding spaces), checked with as little work as possible.
        Returns None for anything else; ``parse`` then checks the row and names every problem."""
        return self._fast(cells) if self._fast is not None else None

    def _make_fast(self):
        """A closure with every lookup bound to a local: this runs for every row of the file."""
        if self.allocations:
            return None
        pa, pb, pn, pc, pp, ps, pe, pv, pu, pm = self.positions
        providers, categories = self.lookups.providers, self.lookups.categories
        products, units = self.lookups.products, self.current_units
        pseudonymise, date_ok, good_dates = self.pseudonymise, self._date_ok, self.valid_dates
        number_ok = ALLOCATION_NUMBER.fullmatch
        last_number = [""]

        def fast(cells: list[str]) -> tuple | None:
            try:
                provider_id = providers[cells[pa]]
                client_hash = pseudonymise(cells[pb])
                number = cells[pn] if pn >= 0 else ""
                if number and number is not last_number[0] and number != last_number[0]:
                    if not number_ok(number):
                        return None
                    last_number[0] = number
                category_id = categories[cells[pc]]
                code = cells[pp] if pp >= 0 else ""
                product_id = None
                if code:
                    product_id, product_category = products[code]
                    if product_category != category_id:
                        return None
                start, end = cells[ps], cells[pe]
                if end < start:
                    return None
                if good_dates.get(start) is not True and not date_ok(start):
                    return None
                if good_dates.get(end) is not True and not date_ok(end):
                    return None
                text = cells[pv]
                if not (text.isdigit() and text.isascii()):
                    return None
                volume = int(text)
                if not 1 <= volume <= MAX_VOLUME:
                    return None
                unit_id = units[cells[pu]]
                amount = cells[pm]
                if len(amount) < 4 or amount[-3] != "." or len(amount) > 13:
                    return None
                digits = amount[:-3] + amount[-2:]
                if not (digits.isdigit() and digits.isascii()):
                    return None
                cents = int(digits)
            except (KeyError, IndexError, ValueError, InvalidBsn):
                return None
            return (provider_id, client_hash, number, category_id, product_id, start, end, volume, unit_id,
                    cents, amount)  # fmt: skip

        return fast

    def parse(self, cells: list[str]) -> tuple:
        """(provider_id, client_hash, allocation_number, category_id, product_id, start, end, volume,
        unit_id, extra...) where extra is (amount_cents,) for declarations and (frequency, total_volume,
        budget_cents) for allocations. Dates come back as ISO strings."""
        errors: list[tuple[str, str, str]] = []
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
            if not any(cells):
                raise RowInvalid([("", "column_count", _message("column_count", ""))])

        def fail(column: str, code: str) -> None:
            errors.append((column, code, _message(code, column)))

        p = self.p
        agb = cells[p["provider_agb"]].strip()
        provider_id = self.lookups.providers.get(agb)
        if provider_id is None:
            if not agb:
                fail("provider_agb", "missing_value")
            else:
                fail("provider_agb", "unknown_provider" if AGB_CODE.fullmatch(agb) else "agb_format")

        client_hash = None
        bsn = cells[p["client_bsn"]]
        if not bsn:
            fail("client_bsn", "missing_value")
        else:
            try:
                client_hash = self.pseudonymise(bsn if len(bsn) == 9 else normalise_bsn(bsn))
            except InvalidBsn as exc:
                fail("client_bsn", exc.code)
        bsn = None  # noqa: F841 - the BSN is not kept beyond this point

        number = cells[p["allocation_number"]].strip() if "allocation_number" in p else ""
        if number and not ALLOCATION_NUMBER.fullmatch(number):
            fail("allocation_number", "allocation_number_format")
        elif not number and self.allocations:
            fail("allocation_number", "allocation_number_required")

        category = cells[p["product_category"]].strip()
        category_id = self.lookups.categories.get(category)
        if category_id is None:
            fail("product_category", "missing_value" if not category else "unknown_category")

        product_id = None
        code = cells[p["product_code"]].strip() if "product_code" in p else ""
        if code:
            product = self.lookups.products.get(code)
            if product is None:
                fail("product_code", "unknown_product")
            else:
                product_id = product[0]
                if category_id is not None and product[1] != category_id:
                    fail("product_code", "product_category_mismatch")

        dates = []
        for column in ("period_start", "period_end"):
            text = cells[p[column]].strip()
            try:
                dates.append(parse_date(text))
            except ValueError:
                fail(column, "missing_value" if not text else "date_format")
        if len(dates) == 2 and dates[1] < dates[0]:
            fail("period_end", "period_order")

        volume = None
        text = cells[p["volume"]].strip()
        try:
            volume = int(text)
        except ValueError:
            fail("volume", "missing_value" if not text else "volume_format")
        else:
            if not 1 <= volume <= MAX_VOLUME:
                fail("volume", "volume_range")

        unit_code = cells[p["unit"]].strip()
        unit = self.lookups.units.get(unit_code) or self.lookups.units.get(unit_code.zfill(2))
        if unit is None:
            fail("unit", "missing_value" if not unit_code else "unknown_unit")
        elif not unit[1]:
            fail("unit", "unit_not_current")

        if self.allocations:
            frequency = cells[p["frequency"]].strip()
            if frequency not in FREQUENCIES:
                fail("frequency", "missing_value" if not frequency else "frequency_format")
            budget = None
            text = cells[p["budget"]].strip() if "budget" in p else ""
            if text:
                try:
                    budget = parse_cents(text)
                except ValueError:
                    fail("budget", "amount_format")
        else:
            amount = None
            text = cells[p["amount"]].strip()
            try:
                amount = parse_cents(text)
            except ValueError:
                fail("amount", "missing_value" if not text else "amount_format")

        if errors:
            raise RowInvalid(errors)
        start, end = dates
        common = (
            provider_id,
            client_hash,
            number,
            category_id,
            product_id,
            start.isoformat(),
            end.isoformat(),
            volume,
            unit[0],
        )
        if self.allocations:
            return (*common, frequency, total_volume(volume, frequency, start, end), budget)
        return (*common, amount, cents_text(amount))


# --------------------------------------------------------------------------- writers

DECLARATION_COLUMNS = (
    "batch_id",
    "row_number",
    "authority_id",
    "provider_id",
    "client_hash",
    "allocation_number",
    "category_id",
    "product_id",
    "period_start",
    "period_end",
    "volume",
    "unit_id",
    "amount",
)
ALLOCATION_COLUMNS = (
    *DECLARATION_COLUMNS[:-1],
    "frequency",
    "total_volume",
    "budget",
)
STAGING = "fraud_allocation_staging"


class Writer:
    """Receives valid lines (as tuples of DECLARATION_/ALLOCATION_COLUMNS) for one batch."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.prefix = (batch.pk,)

    def write(self, row_number: int, values: tuple) -> None:
        raise NotImplementedError

    def close(self) -> int:
        """Finish writing; returns the number of lines stored."""
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


class PostgresDeclarationWriter(Writer):
    """One COPY into the declaration table, fed in chunks while the file is being parsed."""

    table = DeclarationLine._meta.db_table
    columns = DECLARATION_COLUMNS

    def __init__(self, batch: ImportBatch) -> None:
        super().__init__(batch)
        self.head = f"{batch.pk}\t"
        self.tail = f"\t{batch.authority_id}\t"
        self.buffer: list[str] = []
        self.count = 0
        self.cursor = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
        self._context = self.cursor.copy(
            f"COPY {self.target()} ({', '.join(self.columns)}) FROM STDIN"  # noqa: S608
        )
        self.copy = self._context.__enter__()

    def target(self) -> str:
        return self.table

    def write(self, row_number: int, values: tuple) -> None:
        provider_id, client_hash, number, category_id, product_id, start, end, volume, unit_id, _c, amount = (
            values
        )
        self.buffer.append(
            f"{self.head}{row_number}{self.tail}{provider_id}\t\\\\x{client_hash.hex()}\t{number}\t"
            f"{category_id}\t{'\\N' if product_id is None else product_id}\t{start}\t{end}\t{volume}\t"
            f"{unit_id}\t{amount}\n"
        )
        self.count += 1
        if len(self.buffer) >= COPY_ROWS:
            self.copy.write("".join(self.buffer))
            self.buffer.clear()

    def close(self) -> int:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer.clear()
        self._context.__exit__(None, None, None)
        return self.count

    def abort(self) -> None:
        self.buffer.clear()
        # Ending the COPY with an error makes the server cancel it; the caller rolls the savepoint back.
        with contextlib.suppress(Exception):
            self._context.__exit__(RuntimeError, RuntimeError("import aborted"), None)


class PostgresAllocationWriter(PostgresDeclarationWriter):
    """COPY into a temporary staging table; ``close`` upserts into the allocation table."""

    columns = ALLOCATION_COLUMNS

    def __init__(self, batch: ImportBatch) -> None:
        create_staging()
        super().__init__(batch)

    def target(self) -> str:
        return STAGING

    def write(self, row_number: int, values: tuple) -> None:
        provider_id, client_hash, number, category_id, product_id, start, end, volume, unit_id, *extra = (
            values
        )
        frequency, total, budget = extra
        self.buffer.append(
            f"{self.head}{row_number}{self.tail}{provider_id}\t\\\\x{client_hash.hex()}\t{number}\t"
            f"{category_id}\t{'\\N' if product_id is None else product_id}\t{start}\t{end}\t{volume}\t"
            f"{unit_id}\t{frequency}\t{total}\t{'\\N' if budget is None else cents_text(budget)}\n"
        )
        self.count += 1
        if len(self.buffer) >= COPY_ROWS:
            self.copy.write("".join(self.buffer))
            self.buffer.clear()

    def close(self) -> int:
        super().close()
        return finish_allocations(self.batch)


class InsertWriter(Writer):
    """executemany in batches: the portable path (SQLite)."""

    def __init__(self, batch: ImportBatch, table: str, columns: tuple[str, ...]) -> None:
        super().__init__(batch)
        self.sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        self.rows: list[tuple] = []
        self.count = 0

    def convert(self, values: tuple) -> tuple:
        *common, cents, _text = values
        return (*common, Decimal(cents) / 100)

    def write(self, row_number: int, values: tuple) -> None:
        self.rows.append((self.batch.pk, row_number, self.batch.authority_id, *self.convert(values)))
        if len(self.rows) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows.clear()

    def close(self) -> int:
        self.flush()
        return self.count

    def abort(self) -> None:
        self.rows.clear()


class InsertAllocationWriter(InsertWriter):
    def __init__(self, batch: ImportBatch) -> None:
        create_staging()
        super().__init__(batch, STAGING, ALLOCATION_COLUMNS)

    def convert(self, values: tuple) -> tuple:
        *common, frequency, total, budget = values
        return (*common, frequency, total, None if budget is None else Decimal(budget) / 100)

    def close(self) -> int:
        self.flush()
        return finish_allocations(self.batch)


def create_staging() -> None:
    """A temporary table with the allocation columns and no constraints (dropped after the import)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} AS "  # noqa: S608
            f"SELECT {', '.join(ALLOCATION_COLUMNS)} FROM {AllocationLine._meta.db_table} WHERE 1 = 0"
        )


def drop_staging() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")


def finish_allocations(batch: ImportBatch) -> int:
    """Staging -> allocation table, set-based: the first row of an allocation number in the file is
    upserted (a later file replaces the allocation), later rows with the same number are rejected."""
    table = AllocationLine._meta.db_table
    rejection_table = ImportRejection._meta.db_table
    columns = ", ".join(ALLOCATION_COLUMNS)
    updates = ", ".join(
        f"{c} = excluded.{c}" for c in ALLOCATION_COLUMNS if c not in ("authority_id", "allocation_number")
    )
    message = _message("duplicate_allocation_number", "allocation_number")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {rejection_table} (batch_id, row_number, "column", code, message)
            SELECT %s, row_number, 'allocation_number', 'duplicate_allocation_number', %s
            FROM (
                SELECT row_number,
                       ROW_NUMBER() OVER (PARTITION BY allocation_number ORDER BY row_number) AS position_in_file
                FROM {STAGING}
            ) AS ranked
            WHERE position_in_file > 1
            """,  # noqa: S608
            [batch.pk, message],
        )
        duplicates = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {table} ({columns})
            SELECT {columns} FROM (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY allocation_number ORDER BY row_number) AS position_in_file
                FROM {STAGING}
            ) AS ranked
            WHERE position_in_file = 1
            ON CONFLICT (authority_id, allocation_number) DO UPDATE SET {updates}
            """  # noqa: S608
        )
        stored = cursor.rowcount
    drop_staging()
    batch.rows_rejected += duplicates
    return stored


def make_writer(batch: ImportBatch) -> Writer:
    postgres = connection.vendor == "postgresql"
    if batch.kind == ProductionKind.ALLOCATIONS:
        return PostgresAllocationWriter(batch) if postgres else InsertAllocationWriter(batch)
    if postgres:
        return PostgresDeclarationWriter(batch)
    return InsertWriter(batch, DeclarationLine._meta.db_table, DECLARATION_COLUMNS)


class RejectionLog:
    """Rejected rows, spooled to a temporary file (bounded memory) and stored after the lines."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by store() or close()
            max_size=4 << 20, mode="w+", encoding="utf-8", newline=""
        )
        self.writer = csv.writer(self.file)
        self.rows = 0  # rejected rows (a row may have several problems)
        self.first: list[dict[str, Any]] = []

    def add(self, row_number: int, errors: list[tuple[str, str, str]]) -> None:
        self.rows += 1
        for column, code, message in errors:
            self.writer.writerow((row_number, column, code, message))
            if len(self.first) < 1000:
                self.first.append({"row": row_number, "column": column, "code": code, "reason": message})

    def store(self, batch: ImportBatch) -> None:
        self.file.seek(0)
        reader = csv.reader(self.file)
        sql = (
            f"INSERT INTO {ImportRejection._meta.db_table} "  # noqa: S608
            '(batch_id, row_number, "column", code, message) VALUES (%s, %s, %s, %s, %s)'
        )
        batch_rows: list[tuple] = []
        with connection.cursor() as cursor:
            for row_number, column, code, message in reader:
                batch_rows.append((batch.pk, int(row_number), column, code, message))
                if len(batch_rows) >= INSERT_BATCH:
                    cursor.executemany(sql, batch_rows)
                    batch_rows.clear()
            if batch_rows:
                cursor.executemany(sql, batch_rows)
        self.close()

    def close(self) -> None:
        self.file.close()


# --------------------------------------------------------------------------- the service


@dataclass
class ImportResult:
    batch: ImportBatch
    created: bool
    rejections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def already_imported(self) -> bool:
        return not self.created


Progress = Callable[[int, float | None], None]


def file_digest(file: IO[bytes]) -> tuple[str, int]:
    file.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := file.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def file_format(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    raise ImportFileError(_("Only .csv and .xlsx files can be imported."))


def production_import(
    *,
    file: IO[bytes],
    file_name: str,
    kind: str,
    authority: ContractingAuthority,
    actor: Any,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file of allocation or declaration lines for ``authority`` (see the module docstring).
    ``actor`` is the user who imports (``None`` for a system job, e.g. the command without --user).
    Returns the batch; ``created`` is False when the same file had been imported before. A batch with
    status ``rejected`` stored nothing (its ``error`` and rejections say why)."""
    if actor is not None and not (actor.is_authenticated and actor.has_perm(IMPORT_PERMISSION)):
        raise TransitionForbidden(_("You are not allowed to import production data."))
    if kind not in ProductionKind.values:
        raise ImportFileError(_("Unknown kind of production data: %(kind)s.") % {"kind": kind})
    fmt = file_format(file_name)
    sha256, size = file_digest(file)
    existing = _completed(authority, kind, sha256)
    if existing is not None:
        logger.info("production_import_skipped batch=%s sha256=%s", existing.uuid, sha256)
        return ImportResult(existing, created=False)
    try:
        with transaction.atomic():
            return _import(file, file_name, fmt, sha256, size, kind, authority, actor, strict, progress)
    except IntegrityError:
        # The same file was imported concurrently and committed first.
        existing = _completed(authority, kind, sha256)
        if existing is None:
            raise
        return ImportResult(existing, created=False)


def _completed(authority: ContractingAuthority, kind: str, sha256: str) -> ImportBatch | None:
    return ImportBatch.objects.filter(
        authority=authority, kind=kind, file_sha256=sha256, status=ImportStatus.COMPLETED
    ).first()


def _import(file, file_name, fmt, sha256, size, kind, authority, actor, strict, progress) -> ImportResult:
    started = time.monotonic()
    batch = ImportBatch.objects.create(
        authority=authority,
        kind=kind,
        status=ImportStatus.COMPLETED,  # claims the file: a concurrent import of it waits, then yields
        strict=strict,
        file_name=file_name[:255],
        file_format=fmt,
        file_sha256=sha256,
        file_size=size,
        imported_by=actor if getattr(actor, "pk", None) else None,
        started_at=clock.now(),
    )
    rejections = RejectionLog()
    try:
        rows_total, stored, stats = _stream(batch, file, fmt, size, strict, rejections, progress)
    except ImportFileError as exc:
        rejections.close()
        batch.status = ImportStatus.REJECTED
        batch.error = exc.detail
        batch.finished_at = clock.now()
        batch.save()
        _audit(batch, actor)
        logger.warning("production_import_rejected batch=%s reason=file_invalid", batch.uuid)
        return ImportResult(batch, created=True)
    batch.rows_total = rows_total
    batch.rows_rejected += rejections.rows
    batch.rows_imported = stored
    if stored == 0:
        batch.status = ImportStatus.REJECTED
        if strict and batch.rows_rejected:
            batch.error = _("All or nothing: %(n)s rows were rejected, so nothing was stored.") % {
                "n": batch.rows_rejected
            }
        else:
            batch.error = _("No row of the file could be stored.")
    else:
        batch.period_start, batch.period_end = stats.first_start, stats.last_end
        if kind == ProductionKind.DECLARATIONS:
            batch.total_amount = Decimal(stats.cents) / 100
    batch.finished_at = clock.now()
    batch.save()
    rejections.store(batch)
    _audit(batch, actor)
    if progress is not None:
        progress(batch.rows_total, 1.0)
    logger.info(
        "production_imported batch=%s kind=%s status=%s rows=%s stored=%s rejected=%s seconds=%.1f",
        batch.uuid,
        kind,
        batch.status,
        batch.rows_total,
        batch.rows_imported,
        batch.rows_rejected,
        time.monotonic() - started,
    )
    return ImportResult(batch, created=True, rejections=rejections.first)


def _discard(row_number: int, values: tuple) -> None:
    """The writer after an all-or-nothing import met its first rejected row: the rest is only checked."""


def _stream(batch, file, fmt, size, strict, rejections, progress) -> tuple[int, int, "_Stats"]:
    """Parse every row and write the valid ones; returns (data rows, lines stored, stats). In strict
    mode the first rejected row rolls the lines back and the rest is only checked."""
    if fmt == "csv" and batch.kind == ProductionKind.DECLARATIONS and connection.vendor == "postgresql":
        from compliance.fraud import fastlane

        lane = fastlane.eligible(file)
        if lane is not None:
            return fastlane.stream_declarations(batch, *lane, size, strict, rejections, progress)
    if fmt == "csv":
        rows, counter, _delimiter = read_csv(file)

        def fraction(_row: int) -> float | None:
            return counter.count / size if size else None
    else:
        rows, total_rows = read_xlsx(file)

        def fraction(row: int) -> float | None:
            return min(row / total_rows, 1.0) if total_rows else None

    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(_("The file is not UTF-8 encoded text.")) from exc
    parser = RowParser(batch.kind, map_header(batch.kind, header), Lookups.load())
    stats = _Stats(batch.kind)
    savepoint = transaction.savepoint()
    writer: Writer | None = make_writer(batch)
    write = writer.write
    fast, parse = parser.fast, parser.parse
    declarations = batch.kind == ProductionKind.DECLARATIONS
    first_start, last_end, cents = stats.first_start, stats.last_end, 0
    row_number = 1
    try:
        # The hot loop: kept flat (no calls beyond the parser and the writer) for speed.
        for row_number, cells in enumerate(rows, start=2):
            values = fast(cells)
            if values is None:
                try:
                    values = parse(cells)
                except RowInvalid as exc:
                    if not any(c.strip() for c in cells):
                        continue  # an empty row (spreadsheets often end with some)
                    rejections.add(row_number, exc.errors)
                    if strict and writer is not None:
                        writer.abort()
                        writer = None
                        write = _discard
                        transaction.savepoint_rollback(savepoint)
                    continue
            if values[5] < first_start:
                first_start = values[5]
            if values[6] > last_end:
                last_end = values[6]
            if declarations:
                cents += values[9]
            write(row_number, values)
            if row_number % 50_000 == 0 and progress is not None:
                progress(row_number - 1, fraction(row_number))
        stats.first_start, stats.last_end, stats.cents = first_start, last_end, cents
        stored = writer.close() if writer is not None else 0
    except (UnicodeDecodeError, csv.Error) as exc:
        if writer is not None:
            writer.abort()
        transaction.savepoint_rollback(savepoint)
        raise ImportFileError(
            _("Row %(row)s cannot be read (%(error)s); nothing was stored.")
            % {"row": row_number + 1, "error": type(exc).__name__}
        ) from exc
    except BaseException:
        if writer is not None:
            writer.abort()
        transaction.savepoint_rollback(savepoint)
        raise
    if stored:
        transaction.savepoint_commit(savepoint)
    else:
        transaction.savepoint_rollback(savepoint)
    return row_number - 1, stored, stats


class _Stats:
    __slots__ = ("cents", "declarations", "first_start", "last_end")

    def __init__(self, kind: str) -> None:
        self.declarations = kind == ProductionKind.DECLARATIONS
        self.cents = 0
        self.first_start = "9999-12-31"
        self.last_end = "0001-01-01"


def _audit(batch: ImportBatch, actor: Any) -> None:
    audit_record(
        actor=actor,
        event="importbatch.imported" if batch.status == ImportStatus.COMPLETED else "importbatch.rejected",
        subject=batch,
        to_state=batch.status,
        reason=batch.error,
        data={
            "kind": batch.kind,
            "file": batch.file_name,
            "sha256": batch.file_sha256,
            "rowsTotal": batch.rows_total,
            "rowsImported": batch.rows_imported,
            "rowsRejected": batch.rows_rejected,
            "strict": batch.strict,
        },
    )

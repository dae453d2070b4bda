"""Import of allocation and declaration lines from CSV or XLSX (format: docs/import-format.md).

How a file is imported:

- The file's SHA-256 is computed first. A file that was imported before for the same authority and
  kind (a *completed* batch with the same hash) is not read again: the existing batch is returned and
  nothing changes.
- The rows are streamed (constant memory, whatever the file size) and every value is checked in Python:
  provider AGB code, BSN (9 digits, 11-test, not 000000000), product category and code, dates, volume,
  unit, amount. The BSN is replaced by its keyed hash at once (``pseudonym.Pseudonymiser``); it is never
  written, logged or repeated in a message. A BSN-like number (11-test) in the free-text allocation number
  rejects the row (``bsn_in_free_text``); in the file name it is masked before the name is stored.
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
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from openpyxl import load_workbook

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from audit.services import audit_record
from compliance.fraud import fastlane, reading
from compliance.fraud.columns import map_header
from compliance.fraud.exceptions import ImportFileError
from compliance.fraud.lines import ImportStats, Lookups, RowInvalid, RowParser, cents_text, rejection_message
from compliance.fraud.pseudonym import key_id, mask_bsns
from compliance.models import (
    AllocationLine,
    CareEvent,
    DeclarationLine,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    ProductionKind,
)
from contracting.models import ContractingAuthority
from core import clock
from core.exceptions import TransitionForbidden

logger = logging.getLogger(__name__)

IMPORT_PERMISSION = "compliance.add_importbatch"
COPY_ROWS = 2000  # rows per write to the COPY stream
INSERT_BATCH = 5000


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


def read_csv(
    raw: IO[bytes], text_profile: reading.TextProfile | None = None
) -> tuple[Iterator[list[str]], CountingReader, str]:
    """The rows of a CSV file as lists of strings, decoded as ``reading.profile`` found (compliance/fraud/
    reading.py: encodings, line ends, limits, quotes); raises ImportFileError for an unreadable file."""
    encoding = (text_profile or reading.profile(raw)).encoding
    counter = CountingReader(raw)
    rows = reading.CsvRows(reading.text_of(counter, encoding))
    return rows.rows(), counter, rows.delimiter


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
    "municipality_id",
)
ALLOCATION_COLUMNS = (
    *DECLARATION_COLUMNS[:-2],
    "frequency",
    "total_volume",
    "budget",
    "municipality_id",
)
CARE_COLUMNS = (
    *DECLARATION_COLUMNS[:8],  # batch ... product_id
    "date",
    "message",
    "reason",
    "municipality_id",
)
STAGING = "fraud_allocation_staging"
CARE_STAGING = "fraud_care_staging"


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
        (
            provider_id,
            client_hash,
            number,
            category_id,
            product_id,
            start,
            end,
            volume,
            unit_id,
            _c,
            amount,
            m,
        ) = values
        self.buffer.append(
            f"{self.head}{row_number}{self.tail}{provider_id}\t\\\\x{client_hash.hex()}\t{number}\t"
            f"{category_id}\t{'\\N' if product_id is None else product_id}\t{start}\t{end}\t{volume}\t"
            f"{unit_id}\t{amount}\t{'\\N' if m is None else m}\n"
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
        frequency, total, budget, m = extra
        self.buffer.append(
            f"{self.head}{row_number}{self.tail}{provider_id}\t\\\\x{client_hash.hex()}\t{number}\t"
            f"{category_id}\t{'\\N' if product_id is None else product_id}\t{start}\t{end}\t{volume}\t"
            f"{unit_id}\t{frequency}\t{total}\t{'\\N' if budget is None else cents_text(budget)}\t"
            f"{'\\N' if m is None else m}\n"
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
        *common, cents, _text, municipality_id = values
        return (*common, Decimal(cents) / 100, municipality_id)

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
        *common, frequency, total, budget, municipality_id = values
        return (*common, frequency, total, None if budget is None else Decimal(budget) / 100, municipality_id)

    def close(self) -> int:
        self.flush()
        return finish_allocations(self.batch)


class CareWriter(InsertWriter):
    """Starts and stops of care: executemany into a staging table, then an upsert (one start and one
    stop per allocation number; a later file replaces them). Far fewer lines than declarations."""

    def __init__(self, batch: ImportBatch) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {CARE_STAGING}")
            cursor.execute(
                f"CREATE TEMP TABLE {CARE_STAGING} AS "  # noqa: S608
                f"SELECT {', '.join(CARE_COLUMNS)} FROM {CareEvent._meta.db_table} WHERE 1 = 0"
            )
        super().__init__(batch, CARE_STAGING, CARE_COLUMNS)

    def convert(self, values: tuple) -> tuple:
        *common, day, _end, message, reason, municipality_id = values
        return (*common, day, message, reason, municipality_id)

    def close(self) -> int:
        self.flush()
        return finish_care(self.batch)


def finish_care(batch: ImportBatch) -> int:
    """Staging -> care events, set-based: the first row of an allocation number and message in the file
    is upserted, later ones are rejected (like allocations)."""
    columns = ", ".join(CARE_COLUMNS)
    keys = ("authority_id", "allocation_number", "message")
    updates = ", ".join(f"{c} = excluded.{c}" for c in CARE_COLUMNS if c not in keys)
    ranked = (
        f"SELECT *, ROW_NUMBER() OVER (PARTITION BY allocation_number, message ORDER BY row_number) "  # noqa: S608
        f"AS position_in_file FROM {CARE_STAGING}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ImportRejection._meta.db_table} (batch_id, row_number, "column", code, message)
            SELECT %s, row_number, 'allocation_number', 'duplicate_care_event', %s
            FROM ({ranked}) AS ranked WHERE position_in_file > 1
            """,  # noqa: S608
            [batch.pk, rejection_message("duplicate_care_event", "allocation_number")],
        )
        duplicates = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {CareEvent._meta.db_table} ({columns})
            SELECT {columns} FROM ({ranked}) AS ranked WHERE position_in_file = 1
            ON CONFLICT (authority_id, allocation_number, message) DO UPDATE SET {updates}
            """  # noqa: S608
        )
        stored = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {CARE_STAGING}")
    batch.rows_rejected += duplicates
    return stored


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
    message = rejection_message("duplicate_allocation_number", "allocation_number")
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
    if batch.kind == ProductionKind.CARE:
        return CareWriter(batch)
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
    file_error: str = ""  # why the file as a whole could not be read (a stable code), e.g. encoding_unknown

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
    file_name = mask_bsns(file_name)  # "toewijzingen 123456782.csv": the batch and the trail keep no BSN
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
        reason = exc.extra.get("reason", ImportFileError.code)
        logger.warning("production_import_rejected batch=%s reason=%s", batch.uuid, reason)
        return ImportResult(batch, created=True, file_error=reason)
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
        if kind != ProductionKind.DECLARATIONS:
            # duplicates in the file were dropped after the split was counted: count what was stored
            model = AllocationLine if kind == ProductionKind.ALLOCATIONS else CareEvent
            stats.municipalities = {
                row["municipality_id"]: [row["rows"], 0]
                for row in model.objects.filter(batch=batch)
                .values("municipality_id")
                .annotate(rows=Count("pk"))
                .order_by()
            }
        batch.municipality_totals = stats.split(
            Lookups.load(authority), amounts=kind == ProductionKind.DECLARATIONS
        )
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


def _stream(batch, file, fmt, size, strict, rejections, progress) -> tuple[int, int, ImportStats]:
    """Parse every row and write the valid ones; returns (data rows, lines stored, stats). In strict
    mode the first rejected row rolls the lines back and the rest is only checked."""
    text_profile = reading.profile(file) if fmt == "csv" else None
    if (
        text_profile is not None
        and text_profile.canonical  # UTF-8, no old-Mac line ends, no over-long line, no quote
        and batch.kind == ProductionKind.DECLARATIONS
        and connection.vendor == "postgresql"
    ):
        lane = fastlane.eligible(file)
        if lane is not None:
            return fastlane.stream_declarations(batch, *lane, size, strict, rejections, progress)
    if fmt == "csv":
        rows, counter, _delimiter = read_csv(file, text_profile)

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
    lookups = Lookups.load(batch.authority)
    parser = RowParser(batch.kind, map_header(batch.kind, header), lookups)
    stats = ImportStats()
    split = stats.municipalities
    savepoint = transaction.savepoint()
    writer: Writer | None = make_writer(batch)
    write = writer.write
    fast, parse = parser.fast, reading.checked(parser.parse)  # a row the reader could not split: rejected
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
                    if type(cells) is list and not any(c.strip() for c in cells):
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
            share = split.get(values[-1])
            if share is None:
                share = split[values[-1]] = [0, 0]
            share[0] += 1
            if declarations:
                cents += values[9]
                share[1] += values[9]
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
            "pseudonymisationKeyId": key_id(),  # changes when the key is rotated (docs/pseudonymisation-key.md)
        },
    )

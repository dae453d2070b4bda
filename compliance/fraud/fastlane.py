"""The fast lane of the import: a CSV file of declarations in the documented column order, on
PostgreSQL. This is the path of the large files (ten million lines a year), so it works on the raw bytes
of each line and does as little as possible per line:

- consecutive lines of one client and allocation share their first six fields (municipality, provider,
  BSN, allocation number, category, product): a line that starts with the previous line's first six
  fields reuses their checked, looked-up and hashed output (and the municipality's running total of the
  import's split); only a new combination is checked and hashed;
- the other fields (dates, volume, unit, amount) are checked and encoded once per distinct value (a small
  bounded cache per field), so that a line costs a few dictionary lookups;
- the output is PostgreSQL's binary COPY format (no text parsing in the database), written into one
  ``COPY`` into the declaration table while the database processes the previous chunks.

Any line that is not in the canonical form (quotes, other separators, spaces, Dutch dates or decimal
commas, an unknown code, a bad BSN ...) goes through the general parser (``RowParser.parse``), so a value
is accepted or rejected, with the same reason, whichever lane it takes. The result is the same as the
general path's; the tests run both (PostgreSQL and SQLite).
"""

import contextlib
import csv
import datetime
import hashlib
import hmac
import re
import struct
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from compliance.fraud.columns import DECLARATION_FIELDS, map_header, sniff_delimiter
from compliance.fraud.exceptions import ImportFileError
from compliance.fraud.lines import ImportStats, Lookups, RowInvalid, RowParser
from compliance.fraud.pseudonym import contains_bsn
from compliance.models import DeclarationLine, ImportBatch, ProductionKind

COPY_COLUMNS = (
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
    "row_number",
    "batch_id",
    "authority_id",
    "municipality_id",
)
NUMBER = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._/-]{0,19}")
ROWS_PER_WRITE = 2000
CACHE = 20_000  # entries per cache (hashes, amounts ...): bounded memory whatever the file size
ZERO = ord("0")
DASH = ord("-")
POINT = ord(".")
EPOCH = datetime.date(2000, 1, 1).toordinal()  # PostgreSQL dates count days from 2000-01-01

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
NULL = struct.pack(">i", -1)
INT4 = struct.Struct(">ii")  # length 4, value
INT8 = struct.Struct(">iq")  # length 8, value
FIELDS = struct.pack(">h", len(COPY_COLUMNS))


def int8(value: int) -> bytes:
    return INT8.pack(8, value)


def text(value: bytes) -> bytes:
    return struct.pack(">i", len(value)) + value


def date_field(value: datetime.date) -> bytes:
    return INT4.pack(4, value.toordinal() - EPOCH)


def numeric_field(cents: int) -> bytes:
    """A numeric with two decimals in PostgreSQL's binary form: base-10000 digits, weight, scale."""
    whole, fraction = divmod(cents, 100)
    groups = []
    while whole:
        whole, group = divmod(whole, 10000)
        groups.insert(0, group)
    weight = len(groups) - 1 if groups else -1
    digits = [*groups, fraction * 100] if fraction else groups
    if not digits:
        weight = 0
    body = struct.pack(f">hhhh{len(digits)}h", len(digits), weight, 0, 2, *digits)
    return text(body)


def eligible(file: IO[bytes]) -> tuple[IO[bytes], list[str]] | None:
    """The underlying binary file and the header, when the file can take the fast lane."""
    raw = getattr(file, "file", file)  # an uploaded file: its temporary file or buffer
    raw.seek(0)
    first = raw.readline()
    try:
        decoded = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raw.seek(0)
        return None
    header = next(csv.reader([decoded]), [])
    if sniff_delimiter(decoded) != "," or [h.strip().lower() for h in header] != list(DECLARATION_FIELDS):
        raw.seek(0)
        return None
    return raw, header


def stream_declarations(
    batch: ImportBatch, raw: IO[bytes], header: list[str], size: int, strict: bool, rejections, progress
):
    """Read, check and COPY every line after the header; returns (rows, stored, stats)."""
    lookups = Lookups.load(batch.authority)
    parser = RowParser(ProductionKind.DECLARATIONS, map_header(ProductionKind.DECLARATIONS, header), lookups)
    providers = {agb.encode(): int8(pk) for agb, pk in lookups.providers.items()}
    categories = {code.encode(): pk for code, pk in lookups.categories.items()}
    products = {code.encode(): (int8(pk), category) for code, (pk, category) in lookups.products.items()}
    units = {code.encode(): int8(pk) for code, (pk, current) in lookups.units.items() if current}
    municipalities = {code.encode(): pk for code, pk in lookups.municipalities.items()}
    base = hmac.new(settings.PSEUDONYMISATION_KEY.encode(), digestmod=hashlib.sha256)
    hashes: dict[bytes, bytes] = {}
    dates: dict[bytes, bytes] = {}
    volumes: dict[bytes, bytes] = {}
    amounts: dict[bytes, tuple[bytes, int]] = {}
    suffix = int8(batch.pk) + int8(batch.authority_id)
    row_field = INT4.pack
    stats = ImportStats()
    split = stats.municipalities  # municipality id -> [rows, cents]
    tails: dict[int | None, tuple[bytes, list[int]]] = {}

    def tail_of(municipality_id: int | None) -> tuple[bytes, list[int]]:
        """The fields after the row number (batch, authority, municipality) and the municipality's share."""
        known = tails.get(municipality_id)
        if known is None:
            share = split.setdefault(municipality_id, [0, 0])
            field = NULL if municipality_id is None else int8(municipality_id)
            known = tails[municipality_id] = (suffix + field, share)
        return known

    first_start, last_end, cents = b"9999-12-31", b"0001-01-01", 0

    def bounded(cache: dict, key: bytes, value):
        if len(cache) >= CACHE:
            cache.clear()
        cache[key] = value
        return value

    def date_of(value: bytes) -> bytes | None:
        if len(value) != 10 or value[4] != DASH or value[7] != DASH:
            return None
        try:
            day = datetime.date.fromisoformat(value.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            return None
        return bounded(dates, value, date_field(day))

    def volume_of(value: bytes) -> bytes | None:
        # ASCII digits, 1 to 9,999,999 without leading zeros; anything else: the general parser decides
        if not (value.isdigit() and len(value) <= 7 and value[0] != ZERO):
            return None
        return bounded(volumes, value, INT4.pack(4, int(value)))

    def amount_of(value: bytes) -> tuple[bytes, int] | None:
        if not (4 <= len(value) <= 13 and value[-3] == POINT):
            return None
        digits = value[:-3] + value[-2:]
        if not digits.isdigit():
            return None
        amount = int(digits)
        return bounded(amounts, value, (numeric_field(amount), amount))

    def client_hash(bsn: bytes) -> bytes | None:
        """The keyed hash (as a bytea field) of a canonical BSN, or None (the general parser explains)."""
        known = hashes.get(bsn)
        if known is not None:
            return known
        if len(bsn) != 9 or not bsn.isdigit() or bsn == b"000000000":
            return None
        d = bsn
        total = 9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8]
        if (total - ZERO * 43) % 11:
            return None
        mac = base.copy()
        mac.update(bsn)
        return bounded(hashes, bsn, text(mac.digest()))

    def head_of(parts: list[bytes]) -> tuple[bytes, bytes, list[int]] | None:
        """The encoded provider, client, allocation number, category and product, the fields after the
        row number and the municipality's share of the split; or None."""
        code = parts[0]
        if code:
            municipality_id = municipalities.get(code)
            if municipality_id is None:
                return None
        else:
            municipality_id = lookups.default_municipality
        parts = parts[1:]
        provider = providers.get(parts[0])
        hashed = client_hash(parts[1]) if provider is not None else None
        category = categories.get(parts[3]) if hashed is not None else None
        number = parts[2]
        if category is None or (number and not NUMBER.fullmatch(number)):
            return None
        if number and contains_bsn(number.decode("ascii")):  # the general parser refuses the row
            return None
        code = parts[4]
        if code:
            product = products.get(code)
            if product is None or product[1] != category:
                return None
            product_field = product[0]
        else:
            product_field = NULL
        tail, share = tail_of(municipality_id)
        return FIELDS + provider + hashed + text(number) + int8(category) + product_field, tail, share

    savepoint = transaction.savepoint()
    cursor = connection.cursor().cursor
    context = cursor.copy(
        f"COPY {DeclarationLine._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN (FORMAT binary)"
    )
    copy = context.__enter__()
    copy.write(HEADER)
    writing = True
    out: list[bytes] = []
    stored = 0
    row_number = 1
    last_key = b"\x00"  # matches no line
    head = tail = b""
    share = [0, 0]
    lines = iter(raw)

    def general(line: bytes) -> tuple | None:
        """The general parser for one line (continued over the next lines while a quote is open)."""
        try:
            decoded = line.decode("utf-8")
            while decoded.count('"') % 2:
                more = next(lines, None)
                if more is None:
                    break
                decoded += more.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise csv.Error("not UTF-8") from exc
        cells = next(csv.reader([decoded]), [])
        if not any(c.strip() for c in cells):
            return None
        try:
            return parser.parse(cells)
        except RowInvalid as exc:
            rejections.add(row_number, exc.errors)
            return None

    def abort() -> None:
        nonlocal writing
        out.clear()
        # ending the COPY with an error makes the server cancel it; the savepoint rolls it back
        with contextlib.suppress(Exception):
            context.__exit__(RuntimeError, RuntimeError("all or nothing: a row was rejected"), None)
        transaction.savepoint_rollback(savepoint)
        writing = False

    try:
        for line in lines:
            row_number += 1
            if line.startswith(last_key):  # the same provider, client, allocation and product as before
                fields = line[len(last_key) :].rstrip(b"\r\n").split(b",")
            else:
                parts = line.split(b",", 6)
                encoded = head_of(parts) if len(parts) == 7 and 34 not in line else None  # 34: a quote
                if encoded is not None:
                    head, tail, share = encoded
                    last_key = line[: len(line) - len(parts[6])]
                    fields = parts[6].rstrip(b"\r\n").split(b",")
                else:
                    last_key = b"\x00"
                    fields = ()
            if len(fields) == 5:
                start, end, volume, unit, amount = fields
                start_field = dates.get(start) or date_of(start)
                end_field = dates.get(end) or date_of(end)
                volume_field = volumes.get(volume) or volume_of(volume)
                unit_field = units.get(unit)
                money = amounts.get(amount) or amount_of(amount)
                if start_field and end_field and volume_field and unit_field and money and start <= end:
                    cents += money[1]
                    share[0] += 1
                    share[1] += money[1]
                    if start < first_start:
                        first_start = start
                    if end > last_end:
                        last_end = end
                    if writing:
                        out.append(
                            b"".join(
                                (
                                    head,
                                    start_field,
                                    end_field,
                                    volume_field,
                                    unit_field,
                                    money[0],
                                    row_field(4, row_number),
                                    tail,
                                )
                            )  # fmt: skip
                        )
                        if len(out) >= ROWS_PER_WRITE:
                            copy.write(b"".join(out))
                            stored += len(out)
                            out.clear()
                    if progress is not None and row_number % 50_000 == 0:
                        progress(row_number - 1, raw.tell() / size if size else None)
                    continue
            # not in the canonical form: the general parser decides, and explains a rejection
            last_key = b"\x00"
            values = general(line)
            if values is None:
                if strict and writing and rejections.rows:
                    abort()
                continue
            (
                provider_id,
                hashed,
                number,
                category_id,
                product_id,
                start_s,
                end_s,
                volume_i,
                unit_id,
                c,
                _t,
                m,
            ) = values
            cents += c
            general_tail, general_share = tail_of(m)
            general_share[0] += 1
            general_share[1] += c
            start, end = start_s.encode(), end_s.encode()
            if start < first_start:
                first_start = start
            if end > last_end:
                last_end = end
            if writing:
                out.append(
                    b"".join(
                        (
                            FIELDS,
                            int8(provider_id),
                            text(hashed),
                            text(number.encode()),
                            int8(category_id),
                            NULL if product_id is None else int8(product_id),
                            date_field(datetime.date.fromisoformat(start_s)),
                            date_field(datetime.date.fromisoformat(end_s)),
                            INT4.pack(4, volume_i),
                            int8(unit_id),
                            numeric_field(c),
                            row_field(4, row_number),
                            general_tail,
                        )
                    )
                )
        if writing:
            out.append(TRAILER)
            copy.write(b"".join(out))
            stored += len(out) - 1
            out.clear()
            context.__exit__(None, None, None)
    except csv.Error as exc:
        if writing:
            abort()
        raise ImportFileError(
            _("Row %(row)s cannot be read (%(error)s); nothing was stored.")
            % {"row": row_number, "error": exc}
        ) from exc
    except BaseException:
        if writing:
            abort()
        raise
    if stored and writing:
        transaction.savepoint_commit(savepoint)
    elif writing:
        transaction.savepoint_rollback(savepoint)
    else:
        stored = 0
    stats.first_start, stats.last_end, stats.cents = first_start.decode(), last_end.decode(), cents
    return row_number - 1, stored, stats

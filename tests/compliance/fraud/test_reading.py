"""Reading an import file's text (compliance/fraud/reading.py): encodings detected or refused with a code,
every line-end style, line and field limits, a stray quote as the row error it is, in one pass."""

import codecs
import io

import pytest

from compliance.fraud import reading
from compliance.fraud.importer import production_import
from compliance.models import DeclarationLine, ImportStatus
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import BSN_B, DECLARATION_HEADER

world = fraud_fixtures.world

pytestmark = pytest.mark.django_db


def text_file(
    world, rows: int = 2, *, delimiter: str = ",", end: str = "\n", extra: list | None = None
) -> str:
    lines = [delimiter.join(DECLARATION_HEADER)]
    lines += [delimiter.join(world.declaration(allocation_number=f"T-{i}")) for i in range(rows)]
    lines += extra or []
    return end.join(lines) + end


def import_bytes(world, data: bytes, name: str = "declaraties.csv"):
    file = io.BytesIO(data)
    file.name = name
    return production_import(
        file=file, file_name=name, kind="declarations", authority=world.authority, actor=None
    )


def stored(result) -> tuple:
    batch = result.batch
    return batch.status, batch.rows_imported, batch.rows_rejected


# --------------------------------------------------------------------------- encodings


def test_utf8_with_a_byte_order_mark_is_read(world):
    # given
    data = codecs.BOM_UTF8 + text_file(world).encode()
    # when
    result = import_bytes(world, data)
    # then
    assert stored(result) == (ImportStatus.COMPLETED, 2, 0)


def test_excels_unicode_text_utf16_le_with_tabs_is_read(world):
    # given: what Excel writes as "Unicode text": UTF-16 LE with its mark, tabs, \r\n
    data = codecs.BOM_UTF16_LE + text_file(world, delimiter="\t", end="\r\n").encode("utf-16-le")
    # when
    result = import_bytes(world, data, name="declaraties.txt")
    # then
    assert stored(result) == (ImportStatus.COMPLETED, 2, 0)


def test_utf16_big_endian_with_its_mark_is_read(world):
    data = codecs.BOM_UTF16_BE + text_file(world, delimiter=";").encode("utf-16-be")

    result = import_bytes(world, data)

    assert stored(result) == (ImportStatus.COMPLETED, 2, 0)


def test_windows_1252_is_read_and_its_characters_kept(world):
    # given: "é" and "€" as cp1252 bytes (not valid UTF-8) in an ignored column
    text = text_file(world).splitlines()
    text = [text[0] + ",opmerking", *(line + ",café €" for line in text[1:])]
    data = "\n".join(text).encode("cp1252")
    # when
    result = import_bytes(world, data)
    # then
    assert reading.profile(io.BytesIO(data)).encoding == "cp1252"
    assert stored(result) == (ImportStatus.COMPLETED, 2, 0)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"provider_agb,client_bsn\n\x81\x8d\x90", "encoding_unknown"),  # bytes undefined in cp1252
        ("provider_agb,client_bsn\n".encode("utf-16-le"), "encoding_unknown"),  # UTF-16 without its mark
        (codecs.BOM_UTF8 + b"provider_agb\n\xff\xfe", "encoding_invalid"),  # says UTF-8, is not
        (codecs.BOM_UTF16_LE + b"p\x00r", "encoding_invalid"),  # an odd number of bytes
        (b"PK\x03\x04\x14\x00\x06\x00", "not_text"),  # a workbook renamed to .csv
    ],
)
def test_an_unreadable_encoding_is_refused_with_its_code(world, data, reason):
    # when
    result = import_bytes(world, data)
    # then
    assert result.batch.status == ImportStatus.REJECTED
    assert result.file_error == reason
    assert not DeclarationLine.objects.exists()


def test_the_api_names_the_reason_of_an_unreadable_file(world, officer):
    # given
    upload = io.BytesIO(b"\x81\x8d\x90 not text")
    upload.name = "declaraties.csv"
    # when
    response = fresh_client(officer).post(
        "/api/v1/declarations/imports",
        {"file": upload, "authority": str(world.authority.uuid), "kind": "declarations"},
        format="multipart",
    )
    # then
    problem = assert_problem(response, 400, "import_file_invalid")
    assert [(p["name"], p["code"]) for p in problem["invalidParams"]] == [("file", "encoding_unknown")]


# --------------------------------------------------------------------------- line ends and limits


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["unix", "windows", "old-mac"])
def test_every_line_end_style_is_read(world, end):
    # when
    result = import_bytes(world, text_file(world, rows=3, end=end).encode())
    # then
    assert stored(result) == (ImportStatus.COMPLETED, 3, 0)
    assert list(DeclarationLine.objects.order_by("row_number").values_list("row_number", flat=True)) == [
        2,
        3,
        4,
    ]


def test_a_10_mb_header_without_a_line_end_is_refused_as_a_file(world):
    # when
    result = import_bytes(world, b"provider_agb," + b"x" * (10 * 1024 * 1024))
    # then
    assert result.batch.status == ImportStatus.REJECTED
    assert result.file_error == "header_too_long"


def test_an_over_long_row_is_rejected_and_the_next_rows_are_read(world):
    # given: row 3 is a megabyte long
    huge = ",".join(world.declaration()) + "," + "x" * (1024 * 1024)
    data = text_file(world, rows=1, extra=[huge, ",".join(world.declaration(client_bsn=BSN_B))]).encode()
    # when
    result = import_bytes(world, data)
    # then
    assert stored(result) == (ImportStatus.COMPLETED, 2, 1)
    assert [(r["row"], r["code"]) for r in result.rejections] == [(3, "line_too_long")]


def test_an_over_long_value_is_rejected_as_its_row():
    # given: a quoted value longer than a spreadsheet cell, within the line limit
    text = io.StringIO('a,b\n"' + "x" * (reading.MAX_FIELD_CHARS + 1) + '",1\nc,d\n')
    # when
    rows = list(reading.CsvRows(text).rows())
    # then
    assert rows[0] == ["a", "b"] and rows[2] == ["c", "d"]
    assert rows[1].errors[0][1] == "field_too_long"


# --------------------------------------------------------------------------- quotes


def test_a_stray_quote_is_the_row_error_it_is_and_the_rest_is_stored(world):
    # given: row 7 opens a quote that is never closed
    lines = [",".join(world.declaration(allocation_number=f"T-{i}")) for i in range(50)]
    lines[5] = lines[5].replace(",T-5,", ',"T-5,')
    data = (",".join(DECLARATION_HEADER) + "\n" + "\n".join(lines) + "\n").encode()
    # when
    result = import_bytes(world, data)
    # then
    assert stored(result) == (ImportStatus.COMPLETED, 49, 1)
    assert [(r["row"], r["code"]) for r in result.rejections] == [(7, "quote_unclosed")]


def test_a_quote_inside_a_value_is_that_values_error(world):
    # given: a quote in the middle of a value is a character of the value (RFC 4180 readers agree)
    data = text_file(world, rows=1, extra=[",".join(world.declaration(allocation_number='T-"1'))]).encode()
    # when
    result = import_bytes(world, data)
    # then
    assert [(r["row"], r["column"], r["code"]) for r in result.rejections] == [
        (3, "allocation_number", "allocation_number_format")
    ]


def test_quoted_values_are_read_as_rfc_4180_says():
    text = io.StringIO('a;b;c\n"x;1";"say ""hi""";\n')

    rows = list(reading.CsvRows(text).rows())

    assert rows == [["a", "b", "c"], ["x;1", 'say "hi"', ""]]


@pytest.mark.parametrize("lines", [1_000, 8_000])
def test_a_stray_quote_costs_one_pass_over_the_text(lines):
    # given: every value quoted (each line goes through the tokeniser) and a stray quote on line 3
    line = '"41999001","111222333","T-1","02","TST02","2025-01-01","2025-01-31","10","04","680.00"'
    body = [line] * lines
    body[1] = '"41999001","111222333,T-1'
    text = "h1,h2\n" + "\n".join(body) + "\n"
    # when
    reader = reading.CsvRows(io.StringIO(text))
    rows = list(reader.rows())
    # then: one row per line, and each character tokenised exactly once (no re-scan: linear time)
    assert len(rows) == lines + 1
    assert type(rows[2]) is reading.RowProblem
    assert reader.tokenised == sum(len(b) for b in body)


def test_the_profile_marks_what_the_fast_lane_cannot_split():
    assert reading.profile(io.BytesIO(b"a,b\r\n1,2\r\n")).canonical
    assert not reading.profile(io.BytesIO(b"a,b\r1,2\r")).canonical  # old-Mac line ends
    assert not reading.profile(io.BytesIO(b'a,b\n"1",2\n')).canonical  # quotes
    assert not reading.profile(io.BytesIO(b"a," + b"x" * 200_000)).canonical  # an over-long line
    assert not reading.profile(io.BytesIO("a,b\né,2\n".encode("cp1252"))).canonical

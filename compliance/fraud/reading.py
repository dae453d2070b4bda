"""Reading the text of a CSV import file: its encoding, its line ends, its lines and fields, with limits.

- **Encoding** (``profile``, one pass over the bytes before anything is parsed): a byte order mark decides
  (UTF-8, UTF-16 LE/BE, UTF-32; Excel's "Unicode text" is UTF-16 LE with a mark and tabs); without one the
  file is UTF-8 when every byte of it is valid UTF-8, else Windows-1252 (cp1252, what Excel writes as
  "CSV" on a Dutch Windows) when it has none of cp1252's five undefined bytes. A file with NUL bytes and no
  mark (binary, or UTF-16 without its mark), or a workbook renamed to .csv, is refused with a code.
- **Line ends**: ``\\r\\n``, ``\\n`` and the old Mac's ``\\r`` alike.
- **Limits**: a line holds at most ``MAX_LINE_CHARS`` characters, a value at most ``MAX_FIELD_CHARS``
  (Excel's own limit per cell). A longer header refuses the file (``header_too_long``: e.g. a file without
  line ends); a longer data row is rejected as that row (``line_too_long``, ``field_too_long``) and the
  reading goes on with the next line, holding at most one line in memory.
- **Quotes** as in RFC 4180, within one line: no column of the format holds a line break, so a quote still
  open at the end of its line is a row error (``quote_unclosed``) and the next line is the next row. Every
  line is tokenised once, on its own: the time is linear in the size of the file whatever its quotes.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from compliance.fraud.columns import sniff_delimiter
from compliance.fraud.exceptions import ImportFileError
from compliance.fraud.lines import RowInvalid
from core import formatting

MAX_LINE_CHARS = 65_536
MAX_FIELD_CHARS = 32_767  # the most a spreadsheet cell holds
CHUNK = 1 << 20
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ZIP_MAGIC = b"PK\x03\x04"


class FileUnreadable(ImportFileError):
    """The file as a whole cannot be read as text; ``reason`` is a stable code (docs/import-format.md)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason


class RowProblem(list):
    """A row the reader could not split into values (an empty list of cells with the reason): the
    importer reports it as a rejected row, like a row with a bad value."""

    def __init__(self, code: str, column: str = "") -> None:
        super().__init__()
        self.errors = [(column, code, problem_message(code))]


def problem_message(code: str) -> str:
    messages = {
        "quote_unclosed": _(
            "A quote in this row is not closed on the same line (a value cannot span lines). Remove the "
            "stray quote."
        ),
        "line_too_long": _("The row is longer than %(limit)s characters.")
        % {"limit": formatting.number(MAX_LINE_CHARS)},
        "field_too_long": _("A value in this row is longer than %(limit)s characters.")
        % {"limit": formatting.number(MAX_FIELD_CHARS)},
    }
    return messages[code]


@dataclass(frozen=True)
class TextProfile:
    encoding: str  # a Python codec name
    bare_cr: bool  # old-Mac line ends somewhere
    long_lines: bool  # a line may be longer than MAX_LINE_CHARS (bytes)
    quotes: bool  # a quote character somewhere

    @property
    def canonical(self) -> bool:
        """UTF-8 with \\n or \\r\\n, short lines, no quotes: the bytes can be split as they are (the
        PostgreSQL fast lane takes only such files)."""
        return self.encoding in ("utf-8", "utf-8-sig") and not (
            self.bare_cr or self.long_lines or self.quotes
        )


def profile(raw: IO[bytes]) -> TextProfile:
    """One pass over the bytes: the encoding (or FileUnreadable), the kind of line ends, whether any line
    may be too long and whether there are quotes. Leaves the file at its start."""
    raw.seek(0)
    head = raw.read(4)
    raw.seek(0)
    encoding = next((name for bom, name in BOMS if head.startswith(bom)), None)
    if encoding in ("utf-16", "utf-32"):
        _check_decodes(raw, encoding)
        return TextProfile(encoding, bare_cr=True, long_lines=True, quotes=True)
    if head.startswith(ZIP_MAGIC):
        raise FileUnreadable(
            "not_text", _("The file is a workbook or an archive, not CSV text: save it as .xlsx or as CSV.")
        )
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, bare_cr, long_lines, quotes = True, False, False, False
    block = MAX_LINE_CHARS // 2  # a line of more than 2 blocks covers a whole block without a line end
    carry_cr = False
    while chunk := raw.read(CHUNK):
        if b"\x00" in chunk:
            raise FileUnreadable(
                "encoding_unknown",
                _(
                    "The file is not text in a known encoding (binary, or UTF-16 without a byte order mark). "
                    "Save it as CSV UTF-8."
                ),
            )
        if is_utf8 and not chunk.isascii():
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        if not is_utf8 and any(byte in chunk for byte in CP1252_UNDEFINED):
            raise FileUnreadable(
                "encoding_unknown",
                _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8."),
            )
        if not bare_cr:
            data = (b"\r" + chunk) if carry_cr else chunk
            carry_cr = data.endswith(b"\r")  # a \r\n may be cut between two chunks
            if carry_cr:
                data = data[:-1]
            bare_cr = data.count(b"\r") != data.count(b"\r\n")
        if not long_lines:
            long_lines = any(
                b"\n" not in chunk[start : start + block]
                for start in range(0, len(chunk) - block + 1, block)  # whole blocks only
            )
        quotes = quotes or b'"' in chunk
    bare_cr = bare_cr or carry_cr
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False  # ends inside a character
    raw.seek(0)
    if encoding is None:
        encoding = "utf-8" if is_utf8 else "cp1252"
    elif not is_utf8:
        raise FileUnreadable(
            "encoding_invalid", _("The file says it is UTF-8 (byte order mark) but is not valid UTF-8.")
        )
    return TextProfile(encoding, bare_cr=bare_cr, long_lines=long_lines, quotes=quotes)


def _check_decodes(raw: IO[bytes], encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := raw.read(CHUNK):
            text = decoder.decode(chunk)
            if "\x00" in text:
                raise UnicodeDecodeError(encoding, b"", 0, 1, "NUL character")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise FileUnreadable(
            "encoding_invalid",
            _("The file says it is %(encoding)s (byte order mark) but cannot be read as such.")
            % {"encoding": encoding.upper()},
        ) from exc
    finally:
        raw.seek(0)


class CsvRows:
    """The rows of a CSV text as lists of strings (an iterator), one per line, with the header first.

    A line without quotes is split directly (twice as fast as the csv module); a line with quotes goes on
    its own through one csv reader, which asks for a second line only when a quote is left open: that
    line is never given, and the row is a ``RowProblem``. ``tokenised`` counts the characters that went
    through the csv module (each line's once)."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.tokenised = 0
        self._pending: str | None = None
        self._asked = 0
        self._csv = None
        header = self._line()
        if header is None:
            self.header: list[str] | None = None
            self.delimiter = ","
            return
        if header is False:
            raise FileUnreadable(
                "header_too_long",
                _(
                    "The header (row 1) is longer than %(limit)s characters: the file has no line ends, or it "
                    "is not a CSV file of production data."
                )
                % {"limit": formatting.number(MAX_LINE_CHARS)},
            )
        self.delimiter = sniff_delimiter(header)
        self._csv = csv.reader(self, delimiter=self.delimiter)
        self.header = self._split(header)

    # the csv reader's input: the one pending line, then "no more" (an open quote asked for a next line)
    def __iter__(self) -> "CsvRows":
        return self

    def __next__(self) -> str:
        self._asked += 1
        line, self._pending = self._pending, None
        if line is None:
            raise StopIteration
        return line

    def _line(self) -> str | bool | None:
        """The next line without its end; False for a line over the limit (skipped); None at the end."""
        line = self.text.readline(MAX_LINE_CHARS + 1)
        if not line:
            return None
        if line.endswith("\n"):
            return line[:-1]
        if len(line) <= MAX_LINE_CHARS:
            return line  # the last line, without a line end
        while (rest := self.text.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
            pass  # the rest of the over-long line, in bounded pieces
        return False

    def _split(self, line: str) -> list[str]:
        if '"' not in line:
            cells = line.split(self.delimiter)
        else:
            self.tokenised += len(line)
            self._pending, self._asked = line, 0
            cells = next(self._csv, [])
            if self._asked > 1:
                return RowProblem("quote_unclosed")
        if len(line) > MAX_FIELD_CHARS and any(len(cell) > MAX_FIELD_CHARS for cell in cells):
            return RowProblem("field_too_long")
        return cells

    def rows(self) -> Iterator[list[str]]:
        """The header, then every data row."""
        if self.header is None:
            return
        yield self.header
        split, line_of = self._split, self._line
        while (line := line_of()) is not None:
            yield split(line) if line is not False else RowProblem("line_too_long")


def text_of(raw: IO[bytes], encoding: str) -> IO[str]:
    """The decoded text with universal line ends (\\r\\n, \\r and \\n all become \\n)."""
    return io.TextIOWrapper(raw if isinstance(raw, io.BufferedIOBase) else io.BufferedReader(raw, CHUNK),
                            encoding=encoding, newline=None)  # fmt: skip


def checked(parse: Callable[[list[str]], tuple]) -> Callable[[list[str]], tuple]:
    """``parse`` for the importer's loop: a RowProblem is rejected with its reason."""

    def parse_checked(cells: list[str]) -> tuple:
        if type(cells) is RowProblem:
            raise RowInvalid(cells.errors)
        return parse(cells)

    return parse_checked

"""Excel (.xlsx) and CSV files: read a filled template back as keyed rows (written by `template_writer`).

Files are parsed defensively: a size limit before anything, the zip's declared uncompressed size
checked before openpyxl opens it (zip bombs), XML through defusedxml (openpyxl uses it when it is
installed), values only (`data_only`: formulas are not evaluated), CSV strictly UTF-8, and only
the columns and rows `ReadLimits` allow. The route runs these readers in a child process with a
memory and time limit (`intake.adapters.isolation`), which bounds what openpyxl itself may cost.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from intake.adapters.template_writer import SHEET
from intake.domain.tabular import UNIT_KEY, text

MAX_UNCOMPRESSED = 50 * 1024 * 1024
HEADER_ROWS = 20  # the key row must be among the first rows of a sheet (the template's is row 7)
MAX_SHEET_ROWS = 1_048_576  # Excel's last row: a file with more lines is not a spreadsheet
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a damaged or foreign .xlsx raises, from zipfile, zlib, the XML parsers and openpyxl (seen by
# fuzzing, tests/unit/intake/test_file_fuzz.py): read_xlsx turns every one into `file.not_xlsx`.
PARSE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,  # a deflate stream cut short
    KeyError,  # a part the package lists is missing
    ParseError,
    ExpatError,
    DefusedXmlException,
    InvalidFileException,
    OSError,
    NotImplementedError,  # a zip feature zipfile lacks
    ValueError,  # openpyxl's descriptors refuse a value (UnicodeDecodeError is one too)
    TypeError,  # openpyxl's descriptors refuse an unknown attribute
    IndexError,
    RuntimeError,  # zipfile: an encrypted member
)


class UnreadableFile(Exception):
    """The file is not what it says, or goes past a limit (code: a problem code; params: its message's)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class ReadLimits:
    """How much of a file is read: data rows (more is refused), columns (those to the right are ignored)."""

    max_rows: int
    max_columns: int


@dataclass(frozen=True)
class Table:
    sheet: str
    form: str | None  # from the template's header cells (xlsx); None for CSV
    period: str | None
    keys: list[str]
    rows: Sequence[tuple[int, Mapping[str, object]]]  # (1-based row number in the file, key → value)


def read_xlsx(data: bytes, limits: ReadLimits) -> Table:
    """The sheet "Báo cáo" (or the first one) as keyed rows, reading only what `limits` allow.

    The declared dimension is ignored and only `limits.max_columns` columns are read: a lone cell
    at XFD1048576 then costs one parsed XML element, not a billion empty cells. Missing rows come
    from openpyxl as one shared empty tuple, so reading down to Excel's last row stays cheap.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise UnreadableFile(
                    "file.too_large", limit=f"{MAX_UNCOMPRESSED // 2**20} MB sau khi giải nén"
                )
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            name = SHEET if SHEET in book.sheetnames else book.sheetnames[0]
            sheet = book[name]
            if not isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet
                raise UnreadableFile("file.no_header", sheet=name)
            sheet.reset_dimensions()
            rows = sheet.iter_rows(max_col=limits.max_columns, values_only=True)
            head, keys, found = _keyed(name, rows, limits, HEADER_ROWS)
        finally:
            book.close()
    except PARSE_ERRORS as exc:  # the one place a damaged or foreign file becomes a clear refusal
        raise UnreadableFile("file.not_xlsx", kind=type(exc).__name__) from None
    form = text(head[1][1]) if len(head) > 1 and len(head[1]) > 1 else None
    period = text(head[2][1]) if len(head) > 2 and len(head[2]) > 1 else None
    return Table(name, form or None, period or None, keys, found)


def read_csv(data: bytes, limits: ReadLimits) -> Table:
    """A CSV whose first line holds the column keys; rows are read lazily, within `limits`."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("file.not_utf8") from None
    if content.count("\n") > MAX_SHEET_ROWS:  # counted at C speed, before a row is built
        raise _too_many_lines()
    try:
        rows = csv.reader(io.StringIO(content, newline=""))
        _, keys, found = _keyed("CSV", rows, limits, 1)
    except csv.Error as exc:
        raise UnreadableFile("file.not_csv", kind=str(exc)) from None
    return Table("CSV", None, None, keys, found)


def _keyed(
    sheet: str, rows: Iterable[Sequence[object]], limits: ReadLimits, header_rows: int
) -> tuple[list[list[object]], list[str], list[tuple[int, dict[str, object]]]]:
    """The rows above the key row, the column keys, and the non-empty rows below (numbered from 1).

    Stops at the first row past a limit: more than `limits.max_rows` data rows, or more lines than
    Excel holds, so that the work done is bounded whatever the file declares.
    """
    head: list[list[object]] = []
    keys: list[str] | None = None
    found: list[tuple[int, dict[str, object]]] = []
    blank: object = None  # openpyxl yields one shared tuple for every missing row: skipped by identity
    for number, cells in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:  # also ends openpyxl's filling up to a row numbered 10**12
            raise _too_many_lines()
        if cells is blank:
            continue
        if keys is not None and cells.count(None) + cells.count("") == len(cells):
            blank = cells
            continue
        values = [_plain(v) for v in cells[: limits.max_columns]]
        if keys is None:
            if values and text(values[0]) == UNIT_KEY:
                keys = [text(k) for k in values]
            elif number >= header_rows:
                raise UnreadableFile("file.no_header", sheet=sheet)
            else:
                head.append(values)
            continue
        if not any(text(v) for v in values):
            continue
        if len(found) == limits.max_rows:
            raise UnreadableFile("file.too_many_rows", count=f"hơn {limits.max_rows}", limit=limits.max_rows)
        found.append((number, dict(zip(keys, values, strict=False))))
    if keys is None:
        raise UnreadableFile("file.no_header", sheet=sheet)
    return head, keys, found


def _too_many_lines() -> UnreadableFile:
    return UnreadableFile("file.too_many_lines", limit=f"{MAX_SHEET_ROWS:,}".replace(",", "."))


def _plain(value: object) -> object:
    """A cell as None, bool, int, float or str (dates and times as their text), so a Table is JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def column_letter(keys: Sequence[str], key: str) -> str:
    """The letter of the column holding `key` in the file ("" when the file lacks it)."""
    return get_column_letter(keys.index(key) + 1) if key in keys else ""

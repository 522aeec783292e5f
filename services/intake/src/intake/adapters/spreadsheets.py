"""Excel (.xlsx) and CSV files: write a form's template, read a filled one back as keyed rows.

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
from datetime import datetime
from importlib import resources
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bdhvs_shared.spreadsheet_safety import neutralised
from intake.domain.tabular import UNIT_KEY, CellKind, Column, text

SHEET = "Báo cáo"
GUIDE = "Hướng dẫn"
FORM_CELL, PERIOD_CELL = "B2", "B3"
LABEL_ROW, KEY_ROW = 6, 7  # Vietnamese headers, then the column keys the import reads
FIRST_DATA_ROW = KEY_ROW + 1
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


@dataclass(frozen=True)
class TemplateRow:
    unit_code: str
    unit_name: str


def write_xlsx(
    title: str,
    form_code: str,
    period: str,
    deadline: datetime,
    layout: Sequence[Column],
    rows: Sequence[TemplateRow],
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET  # every text below is neutralised: openpyxl writes "=…" as a formula
    sheet["A1"] = neutralised(title)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell, label, value in (
        ("A2", "Biểu mẫu", form_code),
        ("A3", "Kỳ báo cáo", period),
        ("A4", "Hạn nộp", f"trước {deadline:%H:%M} ngày {deadline:%d/%m/%Y}"),
    ):
        sheet[cell] = label
        sheet[cell.replace("A", "B")] = neutralised(value)
    grey = Font(color="808080", size=8)
    for index, column in enumerate(layout, start=1):
        letter = get_column_letter(index)
        sheet.cell(LABEL_ROW, index, neutralised(column.label)).font = Font(bold=True)
        sheet.cell(LABEL_ROW, index).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(LABEL_ROW, index).fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.cell(KEY_ROW, index, column.key).font = grey
        sheet.column_dimensions[letter].width = 14 if index > 2 else 12 + 10 * (index - 1)
        last = FIRST_DATA_ROW + max(len(rows), 1) - 1
        span = f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
        _validate(sheet, column, span)
    sheet.row_dimensions[LABEL_ROW].height = 60
    for offset, row in enumerate(rows):
        sheet.cell(FIRST_DATA_ROW + offset, 1, neutralised(row.unit_code))
        sheet.cell(FIRST_DATA_ROW + offset, 2, neutralised(row.unit_name))
    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    guide = book.create_sheet(GUIDE)
    guide.column_dimensions["A"].width = 110
    for number, line in enumerate(_guide(), start=1):
        guide.cell(number, 1, neutralised(line))
        guide.cell(number, 1).alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide() -> list[str]:
    """The instructions sheet's lines (Vietnamese), kept as a text file beside this module."""
    return resources.files("intake.adapters").joinpath("template_guide.txt").read_text("utf-8").splitlines()


def _validate(sheet: Worksheet, column: Column, span: str) -> None:
    if column.kind is CellKind.WHOLE:
        check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        check.error = "Vui lòng nhập số nguyên từ 0 trở lên."
    elif column.kind is CellKind.YES_NO:
        check = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
        check.error = "Vui lòng chọn “Có” hoặc “Không”."
    else:
        return
    check.errorTitle = "Giá trị không hợp lệ"
    check.showErrorMessage = True
    sheet.add_data_validation(check)
    check.add(span)


def write_csv(layout: Sequence[Column], rows: Sequence[TemplateRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in layout])
    for row in rows:
        writer.writerow([neutralised(row.unit_code), neutralised(row.unit_name)] + [""] * (len(layout) - 2))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM: Excel then opens it as UTF-8


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

"""Excel (.xlsx) and CSV files: write a form's template, read a filled one back as keyed rows.

Files are parsed defensively: a size limit before anything, the zip's declared uncompressed size
checked before openpyxl opens it (zip bombs), XML through defusedxml (openpyxl uses it when it is
installed), values only (`data_only`: formulas are not evaluated), CSV strictly UTF-8.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from intake.domain.tabular import UNIT_KEY, CellKind, Column, text

SHEET = "Báo cáo"
GUIDE = "Hướng dẫn"
FORM_CELL, PERIOD_CELL = "B2", "B3"
LABEL_ROW, KEY_ROW = 6, 7  # Vietnamese headers, then the column keys the import reads
FIRST_DATA_ROW = KEY_ROW + 1
MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnreadableFile(Exception):
    """The file is not what it says (code: a problem code; detail: for the message)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


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
    sheet.title = SHEET
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    for cell, label, value in (
        ("A2", "Biểu mẫu", form_code),
        ("A3", "Kỳ báo cáo", period),
        ("A4", "Hạn nộp", f"trước {deadline:%H:%M} ngày {deadline:%d/%m/%Y}"),
    ):
        sheet[cell] = label
        sheet[cell.replace("A", "B")] = value
    grey = Font(color="808080", size=8)
    for index, column in enumerate(layout, start=1):
        letter = get_column_letter(index)
        sheet.cell(LABEL_ROW, index, column.label).font = Font(bold=True)
        sheet.cell(LABEL_ROW, index).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(LABEL_ROW, index).fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.cell(KEY_ROW, index, column.key).font = grey
        sheet.column_dimensions[letter].width = 14 if index > 2 else 12 + 10 * (index - 1)
        last = FIRST_DATA_ROW + max(len(rows), 1) - 1
        span = f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
        _validate(sheet, column, span)
    sheet.row_dimensions[LABEL_ROW].height = 60
    for offset, row in enumerate(rows):
        sheet.cell(FIRST_DATA_ROW + offset, 1, row.unit_code)
        sheet.cell(FIRST_DATA_ROW + offset, 2, row.unit_name)
    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    guide = book.create_sheet(GUIDE)
    guide.column_dimensions["A"].width = 110
    for number, line in enumerate(_guide(), start=1):
        guide.cell(number, 1, line)
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
        writer.writerow([row.unit_code, row.unit_name] + [""] * (len(layout) - 2))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM: Excel then opens it as UTF-8


def read_xlsx(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise UnreadableFile("file.too_large")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnreadableFile("file.not_xlsx", type(exc).__name__) from None
    try:
        name = SHEET if SHEET in book.sheetnames else book.sheetnames[0]
        sheet = book[name]
        grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    key_row = next((i for i, r in enumerate(grid) if r and text(r[0]) == UNIT_KEY), None)
    if key_row is None:
        raise UnreadableFile("file.no_header", name)
    form = text(grid[1][1]) if len(grid) > 1 and len(grid[1]) > 1 else None
    period = text(grid[2][1]) if len(grid) > 2 and len(grid[2]) > 1 else None
    keys = [text(k) for k in grid[key_row]]
    rows = [
        (number, dict(zip(keys, cells, strict=False)))
        for number, cells in enumerate(grid[key_row + 1 :], start=key_row + 2)
        if any(text(c) for c in cells)
    ]
    return Table(name, form or None, period or None, keys, rows)


def read_csv(data: bytes) -> Table:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("file.not_utf8") from None
    try:
        grid = list(csv.reader(io.StringIO(content, newline="")))
    except csv.Error as exc:
        raise UnreadableFile("file.not_csv", str(exc)) from None
    if not grid or not grid[0] or text(grid[0][0]) != UNIT_KEY:
        raise UnreadableFile("file.no_header", "CSV")
    keys = [text(k) for k in grid[0]]
    rows = [
        (number, dict(zip(keys, cells, strict=False)))
        for number, cells in enumerate(grid[1:], start=2)
        if any(text(c) for c in cells)
    ]
    return Table("CSV", None, None, keys, rows)


def column_letter(keys: Sequence[str], key: str) -> str:
    """The letter of the column holding `key` in the file ("" when the file lacks it)."""
    return get_column_letter(keys.index(key) + 1) if key in keys else ""

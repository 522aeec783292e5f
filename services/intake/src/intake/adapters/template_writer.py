"""A form's template as a file for clerks: .xlsx (headers, validated input cells, a guide sheet) or CSV.

Every text written is neutralised (`bdhvs_shared.spreadsheet_safety`): openpyxl writes "=…" as a
formula. The import reads the file back by the column keys of `KEY_ROW` (`spreadsheets.read_xlsx`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bdhvs_shared.spreadsheet_safety import neutralised
from intake.domain.tabular import CellKind, Column

SHEET = "Báo cáo"
GUIDE = "Hướng dẫn"
LABEL_ROW, KEY_ROW = 6, 7  # Vietnamese headers, then the column keys the import reads
FIRST_DATA_ROW = KEY_ROW + 1


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

"""Every table as CSV (kpi's own export) or .xlsx (the same rows, written here with XlsxWriter).

Text that a spreadsheet would run as a formula is neutralised (bdhvs_shared.spreadsheet_safety).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from bdhvs_shared.spreadsheet_safety import neutralised

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return (
                int(value)
                if value.isdigit() and len(value) < 15 and not value.startswith("0")
                else float(value)
            )
        except ValueError:
            return neutralised(value)
    return value


def xlsx(sheet: str, rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet: the first row is the header (bold, frozen)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet(sheet[:31])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if r == 0:
                ws.write_string(r, c, str(neutralised(str(value))), bold)
            elif value is None or value == "":
                continue
            else:
                cell = _cell(value)
                if isinstance(cell, str):
                    ws.write_string(r, c, cell)
                else:
                    ws.write_number(r, c, cell)
    if rows:
        ws.freeze_panes(1, 0)
        ws.set_column(0, len(rows[0]) - 1, 16)
    book.close()
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralised(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()

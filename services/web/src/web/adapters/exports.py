"""Every table as CSV (kpi's own export) or .xlsx (the same rows, written here with XlsxWriter).

Text that a spreadsheet would run as a formula is neutralised (bdhvs_shared.spreadsheet_safety).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from bdhvs_shared.spreadsheet_safety import neutralised

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# A number as kpi's CSV writes one: digits, an optional sign and decimal part. Anything else stays
# text — float() would also take "nan", "inf", "1e5", " 12 " and "١٢", and XlsxWriter refuses NaN
# and infinity.
_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?", re.ASCII)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value):
            return neutralised(value)
        return float(value) if "." in value else int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
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

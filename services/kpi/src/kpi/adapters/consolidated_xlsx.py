"""The consolidated report as an .xlsx workbook (KPIs, completeness, late and missing, charts)."""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

from bdhvs_shared.spreadsheet_safety import neutralised
from kpi.adapters.consolidated_charts import chart_sheet, colour_statuses
from kpi.domain.consolidated_report import ConsolidatedReport, target_text
from kpi.domain.report_texts import GROUP_VI, KIND_VI, STATE_VI

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KPI_FIELDS = ["Tỷ lệ đạt", "Mục tiêu", "Tình trạng", "Tốc độ (điểm %/30 ngày)", "Dự báo cuối năm"]


def xlsx(report: ConsolidatedReport, tz: ZoneInfo) -> bytes:
    """Four sheets: the KPIs per unit, completeness per group, the late and missing units, and the
    charts (province attainment against target, each KPI's ranking); statuses coloured.

    Rates are real numbers formatted as percentages, so the chairman's office can compute with them.
    Text goes through `_text` only: written as a string (never a formula or a link, whatever it
    starts with) and neutralised (a name starting with = gets a leading quote).
    """
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "remove_timezone": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    book = xlsxwriter.Workbook(buffer, options)
    f = _formats(book)
    _kpi_sheet(book, f, report)
    _completeness_sheet(book, f, report)
    _late_sheet(book, f, report, tz)
    chart_sheet(book, f, report)
    book.close()
    return buffer.getvalue()


def _formats(book: Any) -> dict[str, Any]:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True}),
        "cell": book.add_format({"border": 1}),
        "pct": book.add_format({"border": 1, "num_format": "0.00%"}),
        "num": book.add_format({"border": 1, "num_format": "0.00"}),
        "int": book.add_format({"border": 1, "num_format": "0"}),
        "bold": book.add_format({"border": 1, "bold": True}),
    }


def _title(sheet: Any, f: dict[str, Any], report: ConsolidatedReport, text: str) -> None:
    _text(sheet, 0, 0, f"{text} — tháng {report.period}", f["title"])
    _text(
        sheet,
        1,
        0,
        f"Số liệu tính đến ngày {report.as_of:%d/%m/%Y}; lập lúc {report.generated_at:%H:%M %d/%m/%Y}.",
    )


def _kpi_sheet(book: Any, f: dict[str, Any], report: ConsolidatedReport) -> None:
    sheet = book.add_worksheet("Chỉ tiêu")
    _title(sheet, f, report, "Kết quả thực hiện 05 chỉ tiêu Bình dân học vụ số")
    _texts(sheet, 3, 0, ["Mã", "Đơn vị", "Loại"], f["head"])
    for k, indicator in enumerate(report.kpis):
        first = 3 + k * len(KPI_FIELDS)
        sheet.merge_range(3, first, 3, first + len(KPI_FIELDS) - 1, "", f["head"])
        _text(sheet, 3, first, f"Chỉ tiêu {indicator.label}", f["head"])
        _texts(sheet, 4, first, KPI_FIELDS, f["head"])
    for r, row in enumerate(report.rows, start=5):
        style = f["bold"] if r == 5 else f["cell"]
        _texts(sheet, r, 0, [row.unit_code, row.unit_name, row.kind_vi], style)
        for k, indicator in enumerate(report.kpis):
            c = row.cells[indicator.code]
            col = 3 + k * len(KPI_FIELDS)
            _number(sheet, r, col, c.attainment, f["pct"])
            _text(sheet, r, col + 1, target_text(c), f["cell"])
            _text(sheet, r, col + 2, c.status_vi, f["cell"])
            _number(sheet, r, col + 3, c.pace_pp_per_30d, f["num"])
            _number(sheet, r, col + 4, c.projected, f["pct"])
    status_columns = [3 + k * len(KPI_FIELDS) + 2 for k in range(len(report.kpis))]
    colour_statuses(book, sheet, 5, 4 + len(report.rows), status_columns)
    sheet.freeze_panes(5, 3)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 22)
    sheet.set_column(3, 2 + len(KPI_FIELDS) * len(report.kpis), 13)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    notes = len(report.rows) + 6
    for k, indicator in enumerate(report.kpis):
        _text(sheet, notes + k, 0, f"Chỉ tiêu {indicator.label}: {indicator.name_vi}")


def _completeness_sheet(book: Any, f: dict[str, Any], report: ConsolidatedReport) -> None:
    sheet = book.add_worksheet("Tình hình báo cáo")
    view = report.completeness
    _title(sheet, f, report, f"Tình hình báo cáo: {view.form.name_vi}")
    _text(sheet, 2, 0, f"Hạn nộp: trước {view.deadline:%H:%M %d/%m/%Y}.")
    headers = ["Nhóm", "Phải báo cáo", "Đã báo cáo", "Đúng hạn", "Trễ hạn", "Chưa báo cáo"]
    _texts(sheet, 3, 0, [*headers, "Tỷ lệ báo cáo", "Tỷ lệ đúng hạn"], f["head"])
    for r, g in enumerate(view.groups, start=4):
        _text(sheet, r, 0, GROUP_VI.get(g.group, g.group), f["cell"])
        for k, count in enumerate([g.expected, g.received, g.on_time, g.late, g.missing], start=1):
            sheet.write_number(r, k, count, f["int"])
        _number(sheet, r, 6, g.reporting_rate, f["pct"])
        _number(sheet, r, 7, g.on_time_rate, f["pct"])
    sheet.set_column(0, 7, 15)


def _late_sheet(book: Any, f: dict[str, Any], report: ConsolidatedReport, tz: ZoneInfo) -> None:
    sheet = book.add_worksheet("Trễ hạn, chưa báo cáo")
    _title(sheet, f, report, "Đơn vị trễ hạn, chưa báo cáo")
    _texts(sheet, 3, 0, ["STT", "Mã", "Đơn vị", "Loại", "Tình trạng", "Nhận lần đầu"], f["head"])
    for n, u in enumerate(report.late_or_missing, start=1):
        received = (
            u.first_received_at.astimezone(tz).strftime("%H:%M %d/%m/%Y") if u.first_received_at else ""
        )
        sheet.write_number(3 + n, 0, n, f["cell"])
        values = [u.unit_code, u.unit_name, KIND_VI.get(u.unit_kind, ""), STATE_VI[u.state.value], received]
        _texts(sheet, 3 + n, 1, values, f["cell"])
    colour_statuses(book, sheet, 4, 3 + len(report.late_or_missing), [4])
    sheet.set_column(0, 5, 16)


def _text(sheet: Any, row: int, col: int, value: str, style: Any = None) -> None:
    """Text as a string cell (write() would make "=…" a formula and "http…" a link), neutralised."""
    if value:
        sheet.write_string(row, col, neutralised(value), style)
    else:
        sheet.write_blank(row, col, None, style)


def _texts(sheet: Any, row: int, col: int, values: list[str], style: Any) -> None:
    for k, value in enumerate(values):
        _text(sheet, row, col + k, value, style)


def _number(sheet: Any, row: int, col: int, value: float | None, style: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_number(row, col, value, style)

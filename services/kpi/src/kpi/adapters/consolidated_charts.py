"""The consolidated workbook's chart sheet and status colours (XlsxWriter).

"Biểu đồ": the province's attainment of each KPI against its target (a column chart), then one
ranking per KPI: the communes and wards with figures, best first (a bar chart each). The data the
charts draw sit on the same sheet, left of the charts, so that a reader can check them.
"""

from __future__ import annotations

from typing import Any

from bdhvs_shared.catalogue import Indicator
from bdhvs_shared.spreadsheet_safety import neutralised
from kpi.domain.consolidated_report import ConsolidatedReport
from kpi.domain.report_texts import STATE_VI, STATUS_VI

SHEET = "Biểu đồ"
# Status (and reporting state) text → cell fill and font colour, as in the printable page.
GOOD, WARN, BAD, NONE = (
    ("#D9F2D9", "#14521A"),
    ("#FFF2CC", "#6B4500"),
    ("#F8D7DA", "#8A0000"),
    ("#EEEEEE", "#000000"),
)
STATUS_COLOURS = {
    STATUS_VI["achieved"]: GOOD,
    STATUS_VI["on_track"]: GOOD,
    STATUS_VI["at_risk"]: WARN,
    STATUS_VI["off_track"]: BAD,
    STATUS_VI["missed"]: BAD,
    STATUS_VI["insufficient_data"]: NONE,
    "Chưa có số liệu": NONE,
    STATE_VI["on_time"]: GOOD,
    STATE_VI["late"]: WARN,
    STATE_VI["missing"]: BAD,
}


def colour_statuses(book: Any, sheet: Any, first_row: int, last_row: int, columns: list[int]) -> None:
    """Conditional formats on the status columns: each status word gets its fill (the cell keeps its
    text, so a colour-blind reader or a black-and-white print loses nothing)."""
    formats = {
        text: book.add_format({"bg_color": fill, "font_color": font})
        for text, (fill, font) in STATUS_COLOURS.items()
    }
    for col in columns:
        for text, style in formats.items():
            sheet.conditional_format(
                first_row,
                col,
                last_row,
                col,
                {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": style},
            )


def chart_sheet(book: Any, f: dict[str, Any], report: ConsolidatedReport) -> None:
    sheet = book.add_worksheet(SHEET)
    sheet.write_string(0, 0, f"Tỷ lệ đạt các chỉ tiêu — tháng {report.period}", f["title"])
    _province_table(sheet, f, report)
    sheet.insert_chart(1, 5, _province_chart(book, report), {"x_scale": 1.4, "y_scale": 1.2})
    row = max(len(report.kpis) + 4, 20)
    for indicator in report.kpis:
        row = _ranking(book, sheet, f, report, indicator, row)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 3, 12)


def _province_table(sheet: Any, f: dict[str, Any], report: ConsolidatedReport) -> None:
    for col, head in enumerate(["Chỉ tiêu", "Nội dung", "Tỷ lệ đạt", "Mục tiêu"]):
        sheet.write_string(2, col, head, f["head"])
    province = report.rows[0]
    for k, indicator in enumerate(report.kpis, start=3):
        cell = province.cells[indicator.code]
        sheet.write_string(k, 0, indicator.label, f["cell"])
        sheet.write_string(k, 1, neutralised(indicator.name_vi), f["cell"])
        _number(sheet, k, 2, cell.attainment, f["pct"])
        _number(sheet, k, 3, cell.target, f["pct"])


def _province_chart(book: Any, report: ConsolidatedReport) -> Any:
    last = 2 + len(report.kpis)
    chart = book.add_chart({"type": "column"})
    for col, name, colour in ((2, "Tỷ lệ đạt", "#2F6EBA"), (3, "Mục tiêu", "#A6A6A6")):
        chart.add_series(
            {
                "name": name,
                "categories": [SHEET, 3, 0, last, 0],
                "values": [SHEET, 3, col, last, col],
                "fill": {"color": colour},
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
    chart.set_title({"name": f"Toàn tỉnh {report.rows[0].unit_name}: tỷ lệ đạt so với mục tiêu"})
    chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    return chart


def _ranking(
    book: Any, sheet: Any, f: dict[str, Any], report: ConsolidatedReport, indicator: Indicator, row: int
) -> int:
    """One KPI's ranking of the communes and wards with a figure, best first; returns the next free row."""
    code = indicator.code
    ranked = sorted(
        ((u.cells[code].attainment, u) for u in report.rows[1:] if u.cells[code].attainment is not None),
        key=lambda pair: (-(pair[0] or 0.0), pair[1].unit_code),
    )
    sheet.write_string(row, 0, f"Xếp hạng chỉ tiêu {indicator.label}", f["bold"])
    for col, head in enumerate(["Hạng", "Đơn vị", "Tỷ lệ đạt"]):
        sheet.write_string(row + 1, col, head, f["head"])
    for n, (attainment, unit) in enumerate(ranked, start=1):
        sheet.write_number(row + 1 + n, 0, n, f["int"])
        sheet.write_string(row + 1 + n, 1, neutralised(f"{unit.kind_vi} {unit.unit_name}"), f["cell"])
        sheet.write_number(row + 1 + n, 2, attainment or 0.0, f["pct"])
    if not ranked:
        sheet.write_string(row + 2, 0, "Chưa đơn vị nào có số liệu.")
        return row + 5
    chart = book.add_chart({"type": "bar"})
    first, last = row + 2, row + 1 + len(ranked)
    chart.add_series(
        {
            "name": f"Chỉ tiêu {indicator.label}",
            "categories": [SHEET, first, 1, last, 1],
            "values": [SHEET, first, 2, last, 2],
            "fill": {"color": "#2F6EBA"},
            "data_labels": {"value": True, "num_format": "0.0%"},
        }
    )
    chart.set_title({"name": f"Xếp hạng các xã, phường — chỉ tiêu {indicator.label}"})
    chart.set_x_axis({"num_format": "0%", "min": 0})
    chart.set_y_axis({"reverse": True})  # the best at the top
    chart.set_legend({"none": True})
    height = max(288, 20 * len(ranked) + 80)
    chart.set_size({"width": 680, "height": height})
    sheet.insert_chart(row, 5, chart)
    return max(last, row + height // 20) + 3


def _number(sheet: Any, row: int, col: int, value: float | None, style: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_number(row, col, value, style)

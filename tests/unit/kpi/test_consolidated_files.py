"""The consolidated report as an official document (issue 15, item 7): the workbook's chart sheet and
coloured statuses, the printable page's national heading, issuing body, date, signature block and the
KPI table split to fit a landscape A4 page. On the in-memory stores; the PDF itself is printed in
tests/integration/test_kpi_read_api.py."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from kpi.adapters import consolidated_files as files
from kpi.domain.consolidated_report import ConsolidatedReport
from kpi.domain.projection import ProjectionRules
from kpi.domain.report_heading import official_heading, vietnamese_date
from kpi.service_layer.apply_batch import apply_batch
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.consolidate import consolidated_report
from support.events import report_accepted
from support.kpi_fakes import FakeDatabase

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def march_report() -> ConsolidatedReport:
    """Two communes' figures for March (c and d): the other KPIs have none."""
    kpi = KpiService(
        transactions=FakeDatabase().transaction,
        catalogue=load_catalogue(),
        clock=FixedClock(datetime(2026, 3, 24, 8, tzinfo=TZ)),
        tz=TZ,
        rules=ProjectionRules(),
    )
    reports = [
        report_accepted("09313", "2026-03", {"c": (6000, 10000), "d": (5000, 10000)}),
        report_accepted("09292", "2026-03", {"c": (4000, 10000), "d": (9000, 10000)}),
        report_accepted("09193", "2026-02", {"c": (3000, 10000)}),
    ]
    await apply_batch(kpi, reports)
    return await consolidated_report(kpi, "2026-03")


def chart_xml(workbook: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        return [archive.read(n).decode() for n in names]


async def test_the_workbook_has_a_chart_sheet_with_the_province_and_a_ranking_per_kpi_with_figures() -> None:
    report = await march_report()
    workbook = files.xlsx(report, TZ)
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert book.sheetnames[-1] == "Biểu đồ"
    charts = chart_xml(workbook)
    with_figures = [
        i.code for i in report.kpis if any(r.cells[i.code].attainment is not None for r in report.rows[1:])
    ]
    assert with_figures == ["c", "d"]
    assert len(charts) == 1 + len(with_figures)
    assert '<c:barDir val="col"/>' in charts[0] and "Toàn tỉnh Bắc Ninh" in charts[0]
    assert all('<c:barDir val="bar"/>' in c for c in charts[1:])
    sheet = book["Biểu đồ"]
    cells = [[c.value for c in row] for row in sheet.iter_rows(max_col=3)]
    ranking_c = cells[[r[0] for r in cells].index("Xếp hạng chỉ tiêu c") + 2 :]
    attainments = [r[2] for r in ranking_c if isinstance(r[0], int)][:3]
    assert attainments == sorted(attainments, reverse=True) and len(attainments) >= 2  # best first


async def test_the_statuses_are_coloured_by_conditional_formats_on_the_status_columns() -> None:
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx(await march_report(), TZ)))
    kpis, late = book["Chỉ tiêu"], book["Trễ hạn, chưa báo cáo"]
    coloured = {str(rule.sqref): [r.formula[0] for r in rule.rules] for rule in kpis.conditional_formatting}
    status_columns = {openpyxl.utils.get_column_letter(3 + k * 5 + 3) for k in range(5)}  # F, K, P, U, Z
    assert {ref[0] for ref in coloured} == status_columns
    assert all('"Đã đạt"' in formulas and '"Chậm tiến độ"' in formulas for formulas in coloured.values())
    assert [str(rule.sqref)[0] for rule in late.conditional_formatting] == ["E"]


async def test_the_printable_page_is_an_official_document_with_heading_issuer_date_and_signature() -> None:
    page = files.html(await march_report(), TZ)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN TỈNH BẮC NINH",
        "BAN CHỈ ĐẠO PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”",
        "Bắc Ninh, ngày 24 tháng 3 năm 2026",
        "Nơi nhận:",
        "TM. BAN CHỈ ĐẠO TRƯỞNG BAN",
    ):
        assert expected in text, expected
    assert "size: A4 landscape" in page


async def test_the_kpi_table_is_split_into_tables_narrow_enough_for_a_landscape_a4_page() -> None:
    report = await march_report()
    page = files.html(report, TZ)
    tables = re.findall(r"<table class=\"data\">(.*?)</table>", page, flags=re.S)
    kpi_tables = [t for t in tables if "Tỷ lệ đạt" in t]
    assert len(kpi_tables) == 2  # 5 KPIs: a, b, c then d, dd
    for table in kpi_tables:
        header = table.split("</tr>")[1]
        assert 2 + header.count("<th>") <= 17  # code, unit, 5 columns per KPI
        assert table.count("<tr") == 2 + len(report.rows)  # every unit in each table


def test_the_heading_names_the_catalogues_province_and_dates_the_vietnamese_way() -> None:
    heading = official_heading("Lạng Sơn", date(2026, 2, 5))
    assert heading.governing_body == "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN"
    assert heading.place_and_date == "Lạng Sơn, ngày 05 tháng 02 năm 2026"
    assert vietnamese_date(date(2026, 12, 24)) == "ngày 24 tháng 12 năm 2026"
    assert vietnamese_date(date(2026, 3, 1)) == "ngày 01 tháng 3 năm 2026"


async def test_the_report_writes_kpi_d_with_a_bar_as_the_plan_does_not_its_code() -> None:
    report = await march_report()
    page = files.html(report, TZ)
    assert "Chỉ tiêu đ</th>" in page and "<b>đ</b>:" in page and "Chỉ tiêu dd" not in page
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx(report, TZ)))
    texts = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert "Chỉ tiêu đ" in texts and not any("chỉ tiêu dd" in t.lower() for t in texts)

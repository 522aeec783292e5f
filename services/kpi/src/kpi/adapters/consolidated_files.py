"""The consolidated report as files: a printable HTML page (Jinja2, here), the same page as a PDF
(WeasyPrint) and an .xlsx workbook (`consolidated_xlsx`).

The page is an official document: national heading, issuing body, place and date, a signature
block (`domain/report_heading.py`); landscape A4, the KPI table split into tables of
`KPIS_PER_TABLE` KPIs (5 columns each) so that every column fits the page width, its header
repeated on every page.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kpi.adapters.consolidated_xlsx import XLSX_MEDIA_TYPE, xlsx
from kpi.domain.consolidated_report import ConsolidatedReport, target_text
from kpi.domain.report_heading import official_heading
from kpi.domain.report_texts import GROUP_VI, KIND_VI, STATE_VI, percent, points

TEMPLATES = Path(__file__).parent / "templates"
PDF_MEDIA_TYPE = "application/pdf"
KPIS_PER_TABLE = 3  # 2 + 3 × 5 = 17 columns at 9 pt fit a landscape A4 page


def html(report: ConsolidatedReport, tz: ZoneInfo) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
    )
    return environment.get_template("consolidated.html").render(
        r=report,
        h=official_heading(report.rows[0].unit_name, report.generated_at.date()),
        kpis_per_table=KPIS_PER_TABLE,
        tz=tz,
        percent=percent,
        points=points,
        target_text=target_text,
        group_vi=GROUP_VI,
        kind_vi=KIND_VI,
        state_vi=STATE_VI,
    )


def pdf(page: str) -> bytes:
    """The printable page as a PDF (A4 landscape, page numbers); CPU-bound: run it off the event loop."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, only PDFs need it

    return HTML(string=page).write_pdf()


__all__ = ["PDF_MEDIA_TYPE", "XLSX_MEDIA_TYPE", "html", "pdf", "xlsx"]

"""The consolidated report as files: a printable HTML page (Jinja2, here) and an .xlsx workbook
(`consolidated_xlsx`)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kpi.adapters.consolidated_xlsx import XLSX_MEDIA_TYPE, xlsx
from kpi.domain.consolidated_report import ConsolidatedReport, target_text
from kpi.domain.report_texts import GROUP_VI, KIND_VI, STATE_VI, percent, points

TEMPLATES = Path(__file__).parent / "templates"


def html(report: ConsolidatedReport, tz: ZoneInfo) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
    )
    return environment.get_template("consolidated.html").render(
        r=report,
        tz=tz,
        percent=percent,
        points=points,
        target_text=target_text,
        group_vi=GROUP_VI,
        kind_vi=KIND_VI,
        state_vi=STATE_VI,
    )


__all__ = ["XLSX_MEDIA_TYPE", "html", "xlsx"]

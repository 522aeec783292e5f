"""Jinja2 pages (autoescaped, StrictUndefined) with the vi_VN filters of web.domain.formatting."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from bdhvs_shared.catalogue.titles import province_title
from web.domain import formatting
from web.domain.entry_form import indicator_label
from web.domain.kpis import KIND_LABELS, STATE_LABELS, STATUS_LABELS, status_label

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _when(value: str | datetime | None, tz: ZoneInfo) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return formatting.moment(value, tz)


def _day(value: str | date | None) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return formatting.day(value)


def environment(tz: ZoneInfo) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {
        "number": formatting.number,
        "percent": formatting.percent,
        "points": formatting.points,
        "day": _day,
        "when": lambda v: _when(v, tz),
        "duration": formatting.duration,
        "status": status_label,
        "state": lambda s: STATE_LABELS.get(s or "", s or "—"),
        "kind": lambda k: KIND_LABELS.get(k or "", k or "—"),
        "indicator": _indicator,
    }
    env.globals |= {"STATUS_LABELS": STATUS_LABELS}
    return env


@pass_context
def _indicator(context: Context, code: str) -> str:
    """An indicator as people name it, from the page's catalogue (`Pages` puts the one in force)."""
    return indicator_label(code, context.get("catalogue"))


class Renderer:
    def __init__(self, tz: ZoneInfo, province_name: str = "", province_code: str = "") -> None:
        self.env = environment(tz)
        # The footer names the province from the catalogue (province.yaml), not from a template; the
        # province's figures and charts are asked by its code from there too.
        title = province_title(province_name) if province_name else ""
        self.env.globals["PROVINCE_TITLE"] = title[:1].upper() + title[1:]  # "Tỉnh Bắc Ninh"
        self.env.globals["PROVINCE_CODE"] = province_code

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

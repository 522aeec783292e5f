"""Charts as SVG images, drawn by pygal on the server (no script in them, nothing from a CDN).

Each chart is served as its own image (`<img src=…svg>`), so the page's Content-Security-Policy stays
without inline styles; every chart has a table beside it with the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pygal
from pygal.style import Style

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309", "#15803d", "#6b7280"),
    font_family="system-ui, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
)
STATUS_COLOURS = {
    "achieved": "#15803d",
    "on_track": "#15803d",
    "at_risk": "#b45309",
    "off_track": "#b91c1c",
    "missed": "#b91c1c",
    "insufficient_data": "#6b7280",
}


def _config(**options: Any) -> dict[str, Any]:
    return {
        "style": STYLE,
        "js": [],  # pygal links its tooltip script from a CDN by default: none here
        "disable_xml_declaration": False,
        "width": 800,
        "height": 400,
        "legend_at_bottom": True,
        "show_y_guides": True,
        "print_values": False,
        "explicit_size": False,
        "no_data_text": "Chưa có số liệu",
        **options,
    }


_SCRIPT = re.compile(rb"<script[^>]*>.*?</script>", re.DOTALL)


def _svg(chart: Any) -> bytes:
    """pygal always writes its config as a <script>; an image never runs one, and none is kept."""
    return _SCRIPT.sub(b"", bytes(chart.render()))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def history_chart(
    title: str,
    points: Sequence[Mapping[str, Any]],
    target: float | None,
    target_due: date | None,
    projected: float | None,
) -> bytes:
    """The series so far, the projection from the last point to the target date, the target line."""
    chart = pygal.DateLine(**_config(title=title, x_label_rotation=0, range=(0, 100), y_title="%"))
    chart.value_formatter = lambda v: f"{v:.1f} %".replace(".", ",")
    chart.x_value_formatter = lambda d: d.strftime("%m/%Y")
    series = [
        (date.fromisoformat(p["as_of"]), _pct(p["attainment"])) for p in points if p["attainment"] is not None
    ]
    chart.add("Thực tế", list(series))
    if not series:  # pygal would label an empty date axis with 01/1970: only its "no data" text
        chart.show_x_labels = False
    if series and projected is not None and target_due is not None and target_due > series[-1][0]:
        chart.add(
            "Dự báo đến hạn", [series[-1], (target_due, _pct(projected))], stroke_style={"dasharray": "6,4"}
        )
    if target is not None:
        start = series[0][0] if series else (target_due or date.today()).replace(month=1, day=1)
        end = target_due or (series[-1][0] if series else start)
        chart.add("Mục tiêu", [(start, _pct(target)), (end, _pct(target))], show_dots=False)
    return _svg(chart)


def ranking_chart(title: str, rows: Sequence[Mapping[str, Any]], limit: int = 30) -> bytes:
    """Attainment of the best `limit` units, best on top."""
    shown = list(rows[:limit])
    chart = pygal.HorizontalBar(
        **_config(title=title, height=max(300, 24 * len(shown) + 120), range=(0, 100), show_legend=False)
    )
    chart.value_formatter = lambda v: f"{v:.1f} %".replace(".", ",")
    chart.x_labels = [f"{r['rank']}. {r['unit_name']}" for r in reversed(shown)]
    chart.add(
        "Tỉ lệ đạt",
        [
            {"value": _pct(r["attainment"]), "color": STATUS_COLOURS.get(r.get("status") or "", "#1d4ed8")}
            for r in reversed(shown)
        ],
    )
    return _svg(chart)

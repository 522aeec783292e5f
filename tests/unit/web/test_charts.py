"""The history chart: its date axis is only drawn when there is a date on it."""

from __future__ import annotations

from datetime import date

from web.adapters.charts import history_chart

DUE = date(2026, 12, 31)


def test_a_history_with_no_figure_says_so_without_an_axis_of_1970() -> None:
    svg = history_chart("Chỉ tiêu a", [], None, None, None).decode()
    assert "01/1970" not in svg and ">Chưa có số liệu<" in svg
    svg = history_chart("Chỉ tiêu a", [], 1.0, DUE, None).decode()  # only the target's line
    assert "01/1970" not in svg and ">Mục tiêu<" in svg


def test_a_history_labels_its_months() -> None:
    points = [{"as_of": "2026-01-14", "attainment": 0.5}, {"as_of": "2026-06-14", "attainment": 0.6}]
    svg = history_chart("Chỉ tiêu c", points, 1.0, DUE, 0.8).decode()
    assert "01/1970" not in svg and "03/2026" in svg

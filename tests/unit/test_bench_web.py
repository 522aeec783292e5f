"""The web bench's pure parts: which months it seeds, what one month's import holds, what it prints."""

from __future__ import annotations

import csv
import io

from bdhvs_local.bench.web import PageTimes, WebFigures, month_csv, months_before, report_lines


def test_the_seed_covers_24_months_ending_with_the_dashboards_across_years() -> None:
    months = months_before("2027-12", 24)
    assert len(months) == 24 and months[0] == "2026-01" and months[-1] == "2027-12"
    assert months_before("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


def test_one_months_import_has_every_commune_with_rising_figures() -> None:
    rows = list(csv.DictReader(io.StringIO(month_csv(["09313", "09292"], 2).decode())))
    assert [r["unit_code"] for r in rows] == ["09313", "09292"]
    earlier = list(csv.DictReader(io.StringIO(month_csv(["09313"], 1).decode())))
    assert int(rows[0]["c.numerator"]) > int(earlier[0]["c.numerator"])
    assert all(int(r["c.numerator"]) <= int(r["c.denominator"]) for r in rows)


def test_the_printed_figures_name_each_page_with_its_percentiles_and_the_visibility() -> None:
    pages = [PageTimes("/tong-quan", [10.0, 20.0, 30.0]), PageTimes("/don-vi/09313", [5.0] * 3)]
    printed = "\n".join(report_lines(WebFigures(2367, 12.5, pages, [800.0, 1200.0], 2.0)))
    assert "2367 reports seeded" in printed
    assert "/tong-quan" in printed and "p95   30.0" in printed and "max   30.0 ms" in printed
    assert "/don-vi/09313" in printed and "p50    5.0" in printed
    assert "max 1200 ms (n=2)" in printed and "within 3.2 s" in printed

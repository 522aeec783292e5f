"""The KPI vocabulary of the pages: statuses in words and colours, a KPI's line, a ranking's order (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bdhvs_shared.catalogue import Catalogue

STATUS_LABELS = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ",
    "off_track": "Chậm tiến độ",
    "missed": "Không đạt",
    "insufficient_data": "Chưa đủ số liệu",
}
STATUS_ORDER = {s: i for i, s in enumerate(STATUS_LABELS)}  # best first, as kpi sorts them
STATE_LABELS = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp"}
KIND_LABELS = {"xa": "Xã", "phuong": "Phường", "province": "Tỉnh"}


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "—")


@dataclass(frozen=True)
class KpiLine:
    """One KPI of one unit as the dashboard shows it."""

    code: str
    name: str
    attainment: float | None
    target: float | None
    comparator: str | None
    target_due: date | None
    projected: float | None
    status: str
    pace: float | None  # pp per 30 days
    required_pace: float | None
    as_of: date | None
    units_reporting: int
    units_expected: int

    @property
    def gap(self) -> float | None:
        """Percentage points still missing to the target (None when met or unknown)."""
        if self.attainment is None or self.target is None:
            return None
        return max(0.0, (self.target - self.attainment) * 100)


def kpi_lines(catalogue: Catalogue, rows: Sequence[Mapping[str, Any]], unit_code: str) -> list[KpiLine]:
    """The catalogue's KPIs for one unit, in catalogue order; a KPI with no data yet still has a line,
    unless no form reports it for this unit (`not_reported_for`)."""
    by_indicator = {r["indicator"]: r for r in rows if r.get("unit_code") == unit_code}
    out = []
    skipped = not_reported_for(catalogue, unit_code)
    for code, indicator in catalogue.indicators.items():
        if not indicator.kpi or (code in skipped and code not in by_indicator):
            continue
        r = by_indicator.get(code, {})
        out.append(
            KpiLine(
                code=code,
                name=indicator.name_vi,
                attainment=r.get("attainment"),
                target=r.get("target_value"),
                comparator=r.get("target_comparator"),
                target_due=date.fromisoformat(r["target_due"]) if r.get("target_due") else None,
                projected=r.get("projected"),
                status=r.get("status") or "insufficient_data",
                pace=r.get("pace_pp_per_30d"),
                required_pace=r.get("required_pace_pp_per_30d"),
                as_of=date.fromisoformat(r["as_of"]) if r.get("as_of") else None,
                units_reporting=int(r.get("units_reporting") or 0),
                units_expected=int(r.get("units_expected") or 0),
            )
        )
    return out


def not_reported_for(catalogue: Catalogue, unit_code: str) -> list[str]:
    """The KPIs no form reports for this unit (a commune's page: a and b, which the departments report
    for the province as a whole): a line of them would read "not enough data", as if the unit owed one."""
    reported = catalogue.indicators_reported_for(unit_code)
    return [code for code, i in catalogue.indicators.items() if i.kpi and code not in reported]


SORTABLE = ("rank", "unit_code", "unit_name", "attainment", "projected", "status")


def sort_ranking(rows: Sequence[Mapping[str, Any]], column: str, descending: bool) -> list[Mapping[str, Any]]:
    """The ranking's table by any column; empty cells last either way, ties by unit code."""
    if column not in SORTABLE:
        column = "rank"

    def value(row: Mapping[str, Any]) -> Any:
        v = row.get(column)
        return STATUS_ORDER.get(str(v), len(STATUS_ORDER)) if column == "status" else v

    body = sorted(rows, key=lambda r: str(r.get("unit_code")))
    present = [r for r in body if r.get(column) is not None]
    empty = [r for r in body if r.get(column) is None]
    present.sort(key=value, reverse=descending)
    return present + empty

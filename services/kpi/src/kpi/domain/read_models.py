"""The read API's tables, built from snapshots (pure); the history series is in `domain.history`.

- the province table: the province and every commune/ward × every indicator of the
  catalogue, as flat rows (the same for JSON and CSV), sortable by any column;
- the ranking for the annual awards: communes/wards with data, by attainment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kpi.domain.projector import Projector
from kpi.domain.publications import pp_per_30d
from kpi.domain.snapshot import Snapshot
from kpi.domain.status import Status

Row = dict[str, Any]

# Best first: sorting the status column ascending lists achieved units first.
STATUS_ORDER = {
    s.value: i
    for i, s in enumerate(
        [
            Status.ACHIEVED,
            Status.ON_TRACK,
            Status.AT_RISK,
            Status.OFF_TRACK,
            Status.MISSED,
            Status.INSUFFICIENT_DATA,
        ]
    )
}
UNIT_COLUMNS = ["unit_code", "unit_name", "unit_kind"]
INDICATOR_FIELDS = ["attainment", "projected", "pace_pp_per_30d", "required_pace_pp_per_30d", "status"]


def table_columns(projector: Projector) -> list[str]:
    return UNIT_COLUMNS + [
        f"{indicator}_{name}" for indicator in projector.catalogue.indicators for name in INDICATOR_FIELDS
    ]


def province_table(projector: Projector, snapshots: Sequence[Snapshot]) -> list[Row]:
    """The province first, then every commune and ward in code order; None where there is no data."""
    catalogue = projector.catalogue
    by_key = {(s.unit_code, s.indicator): s for s in snapshots}
    units = [catalogue.province, *sorted(catalogue.units.values(), key=lambda u: u.code)]
    rows = []
    for unit in units:
        row: Row = {"unit_code": unit.code, "unit_name": unit.name, "unit_kind": unit.kind.value}
        for indicator in catalogue.indicators:
            snapshot = by_key.get((unit.code, indicator))
            row |= {f"{indicator}_{k}": v for k, v in _indicator_cells(snapshot).items()}
        rows.append(row)
    return rows


def _indicator_cells(s: Snapshot | None) -> dict[str, Any]:
    if s is None:
        return dict.fromkeys(INDICATOR_FIELDS)
    return {
        "attainment": s.attainment,
        "projected": s.projected,
        "pace_pp_per_30d": pp_per_30d(s.pace_per_day),
        "required_pace_pp_per_30d": pp_per_30d(s.required_pace_per_day),
        "status": s.status,
    }


def sort_rows(rows: list[Row], column: str, descending: bool, pinned: int = 0) -> list[Row]:
    """Sorted by `column` (statuses best first), empty cells last either way, ties by unit code.

    The first `pinned` rows (the province) stay on top.
    """

    def value(row: Row) -> Any:
        v = row[column]
        return STATUS_ORDER.get(v, len(STATUS_ORDER)) if column.endswith("_status") else v

    body = sorted(rows[pinned:], key=lambda r: r["unit_code"])
    present = [r for r in body if r[column] is not None]
    empty = [r for r in body if r[column] is None]
    present.sort(key=value, reverse=descending)  # stable: equal values keep unit-code order
    return rows[:pinned] + present + empty


def ranking(projector: Projector, snapshots: Sequence[Snapshot], kind: str | None) -> list[Row]:
    """Communes/wards with an attainment, best first; ties by projection, then by unit code."""
    units = projector.catalogue.units
    eligible = [
        s
        for s in snapshots
        if s.unit_code in units
        and s.attainment is not None
        and (kind is None or units[s.unit_code].kind.value == kind)
    ]
    eligible.sort(
        key=lambda s: (
            -(s.attainment or 0.0),
            s.projected is None,
            -(s.projected or 0.0),
            s.unit_code,
        )
    )
    return [
        {
            "rank": rank,
            "unit_code": s.unit_code,
            "unit_name": units[s.unit_code].name,
            "unit_kind": units[s.unit_code].kind.value,
            "as_of": s.as_of,
            "numerator": s.numerator,
            "denominator": s.denominator,
            "attainment": s.attainment,
            "projected": s.projected,
            "status": s.status,
        }
        for rank, s in enumerate(eligible, start=1)
    ]


RANKING_COLUMNS = [
    "rank",
    "unit_code",
    "unit_name",
    "unit_kind",
    "as_of",
    "numerator",
    "denominator",
    "attainment",
    "projected",
    "status",
]

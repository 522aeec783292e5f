"""Comparing projections and observation stores, field by field (pure; used by rebuild and verify)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

from kpi.domain.projector import StoredObservation
from kpi.domain.receipts import StoredReceipt
from kpi.domain.rollup import RollupDay
from kpi.domain.snapshot import Snapshot

# Floats are recomputed with the same operations in the same order, so they normally agree
# bit for bit; the tolerance only keeps a harmless last-bit difference from counting.
TOLERANCE = 1e-9

SNAPSHOT_FIELDS = [f.name for f in fields(Snapshot) if f.name not in ("unit_code", "indicator")]
OBSERVATION_FIELDS = [
    f.name for f in fields(StoredObservation) if f.name not in ("unit_code", "indicator", "form", "period")
]


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=0.0, abs_tol=TOLERANCE)
    return bool(a == b)


def same_snapshot(a: Snapshot, b: Snapshot) -> bool:
    return not _field_differences(a, b, SNAPSHOT_FIELDS)


def snapshot_differences(
    expected: Mapping[tuple[str, str], Snapshot], live: Mapping[tuple[str, str], Snapshot]
) -> list[str]:
    """Every difference between recomputed (`expected`) and live projections, one line each."""
    return _differences(
        "attainment", expected, live, SNAPSHOT_FIELDS, "tính lại", "thừa trong bảng, không có quan sát nào"
    )


def observation_differences(
    expected: Mapping[tuple[str, str, str, str], StoredObservation],
    stored: Mapping[tuple[str, str, str, str], StoredObservation],
) -> list[str]:
    """Every difference between the observations the stream implies and the stored ones."""
    return _differences(
        "observations",
        expected,
        stored,
        OBSERVATION_FIELDS,
        "luồng",
        "thừa trong bảng, không có trên luồng REPORTS",
    )


ROLLUP_FIELDS = ["numerator", "denominator", "units_reporting", "units_dated"]


def rollup_differences(
    expected: Mapping[str, Sequence[RollupDay]], stored: Mapping[str, Sequence[RollupDay]]
) -> list[str]:
    """Every difference between the stored province roll-ups and the ones recomputed (`expected`).

    An indicator with no stored roll-up is not a difference: it is recomputed until it is built.
    """

    def by_day(kept: Mapping[str, Sequence[RollupDay]]) -> dict[tuple[str, str], RollupDay]:
        return {(i, d.as_of.isoformat()): d for i, days in kept.items() if i in stored for d in days}

    return _differences(
        "rollups",
        by_day(expected),
        by_day(stored),
        ROLLUP_FIELDS,
        "tính lại",
        "thừa trong bảng, không có quan sát nào",
    )


RECEIPT_FIELDS = [
    "on_time",
    "first_revision",
    "first_received_at",
    "latest_revision",
    "latest_received_at",
    "deadline",
]


def receipt_differences(
    expected: Mapping[tuple[str, str, str], StoredReceipt],
    stored: Mapping[tuple[str, str, str], StoredReceipt],
) -> list[str]:
    """Every difference between the report receipts the stream implies and the stored ones."""
    return _differences(
        "report_receipts",
        expected,
        stored,
        RECEIPT_FIELDS,
        "luồng",
        "thừa trong bảng, không có trên luồng REPORTS",
    )


def _differences(
    table: str,
    expected: Mapping[Any, Any],
    stored: Mapping[Any, Any],
    fields: list[str],
    source: str,
    unexpected: str,
) -> list[str]:
    """One line per row missing from the table, row only in the table, or field that differs."""
    out: list[str] = []
    for key in sorted(expected.keys() | stored.keys()):
        name = "/".join(key)
        if key not in stored:
            out.append(f"{table} {name}: thiếu trong bảng (missing)")
        elif key not in expected:
            out.append(f"{table} {name}: {unexpected} (unexpected)")
        else:
            out += [
                f"{table} {name} {field}: bảng {got!r}, {source} {want!r}"
                for field, want, got in _field_differences(expected[key], stored[key], fields)
            ]
    return out


def _field_differences(want: object, got: object, names: list[str]) -> list[tuple[str, Any, Any]]:
    return [
        (name, getattr(want, name), getattr(got, name))
        for name in names
        if not same_value(getattr(want, name), getattr(got, name))
    ]

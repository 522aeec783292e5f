"""Comparing projections and observation stores, field by field (pure; used by rebuild and verify)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from kpi.projector import StoredObservation
from kpi.snapshot import Snapshot

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
    out: list[str] = []
    for key in sorted(expected.keys() | live.keys()):
        name = "/".join(key)
        if key not in live:
            out.append(f"attainment {name}: thiếu trong bảng (missing)")
        elif key not in expected:
            out.append(f"attainment {name}: thừa trong bảng, không có quan sát nào (unexpected)")
        else:
            out += [
                f"attainment {name} {field}: bảng {got!r}, tính lại {want!r}"
                for field, want, got in _field_differences(expected[key], live[key], SNAPSHOT_FIELDS)
            ]
    return out


def observation_differences(
    expected: Mapping[tuple[str, str, str, str], StoredObservation],
    stored: Mapping[tuple[str, str, str, str], StoredObservation],
) -> list[str]:
    """Every difference between the observations the stream implies and the stored ones."""
    out: list[str] = []
    for key in sorted(expected.keys() | stored.keys()):
        name = "/".join(key)
        if key not in stored:
            out.append(f"observations {name}: thiếu trong bảng (missing)")
        elif key not in expected:
            out.append(f"observations {name}: thừa trong bảng, không có trên luồng REPORTS (unexpected)")
        else:
            out += [
                f"observations {name} {field}: bảng {got!r}, luồng {want!r}"
                for field, want, got in _field_differences(expected[key], stored[key], OBSERVATION_FIELDS)
            ]
    return out


def _field_differences(want: object, got: object, names: list[str]) -> list[tuple[str, Any, Any]]:
    return [
        (name, getattr(want, name), getattr(got, name))
        for name in names
        if not same_value(getattr(want, name), getattr(got, name))
    ]

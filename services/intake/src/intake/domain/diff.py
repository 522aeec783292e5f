"""What changed between two revisions of a report (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FIELDS = ("numerator", "denominator")


@dataclass(frozen=True)
class Change:
    indicator: str
    field: str
    before: int | None
    after: int | None


def diff_values(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> list[Change]:
    """Every figure that differs, by indicator then field; an absent indicator reads as None."""
    changes = []
    for indicator in sorted(before.keys() | after.keys()):
        old, new = before.get(indicator, {}), after.get(indicator, {})
        for field in FIELDS:
            if old.get(field) != new.get(field):
                changes.append(Change(indicator, field, old.get(field), new.get(field)))
        old_parts, new_parts = old.get("parts") or {}, new.get("parts") or {}
        for part in sorted(old_parts.keys() | new_parts.keys()):
            if old_parts.get(part) != new_parts.get(part):
                changes.append(Change(indicator, f"parts.{part}", old_parts.get(part), new_parts.get(part)))
    return changes

"""Which KPI update counts (pure). What it means for a violation: domain/violations.py."""

from __future__ import annotations


def is_newer(stored_sequence: int | None, incoming_sequence: int) -> bool:
    """KPI updates carry a per-subject sequence; an older one arriving late changes nothing."""
    return stored_sequence is None or incoming_sequence > stored_sequence

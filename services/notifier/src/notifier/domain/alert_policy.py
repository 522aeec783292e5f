"""When does a KPI update call for an alert? (pure)"""

from __future__ import annotations

BAD_STATUSES = frozenset({"at_risk", "off_track"})


def should_alert(previous_status: str | None, new_status: str) -> bool:
    """Alert when the status becomes at_risk or off_track; never again for the same status."""
    return new_status in BAD_STATUSES and new_status != previous_status


def is_newer(stored_sequence: int | None, incoming_sequence: int) -> bool:
    """KPI updates carry a per-subject sequence; an older one arriving late changes nothing."""
    return stored_sequence is None or incoming_sequence > stored_sequence


def idempotency_key(
    unit_code: str, indicator: str, sequence: int, status: str, channel: str, address: str
) -> str:
    """One notification per cause, channel and address: a redelivered update adds nothing."""
    return f"kpi-status:{unit_code}:{indicator}:{sequence}:{status}:{channel}:{address.lower()}"

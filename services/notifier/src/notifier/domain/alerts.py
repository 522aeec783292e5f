"""Below-target alerts (pure): which KPI update counts, the alert policy, and a below-target
condition from opened to resolved with what each KPI status means for it.

A violation is one (unit, indicator) while its status is at_risk or off_track. It opens with the
first bad status, follows changes between the two bad ones, and resolves with any other status;
on_track and achieved then earn a recovery notice (missed, insufficient_data do not: nothing
recovered). Alerts, repeats and recovery notices go through a per-recipient queue (group wait).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class AlertPolicy:
    province: str  # the province's unit code (the catalogue's province.yaml): its alerts mute its units'
    repeat_interval: timedelta = timedelta(days=7)
    group_wait: timedelta = timedelta(seconds=30)

    def next_repeat(self, after: datetime) -> datetime:
        """When an open, unacknowledged violation is told again: one interval after `after`."""
        return after + self.repeat_interval


def is_newer(stored_sequence: int | None, incoming_sequence: int) -> bool:
    """KPI updates carry a per-subject sequence; an older one arriving late changes nothing."""
    return stored_sequence is None or incoming_sequence > stored_sequence


BAD_STATUSES = frozenset({"at_risk", "off_track"})
RECOVERED_STATUSES = frozenset({"on_track", "achieved"})
SEVERITY = {"at_risk": 1, "off_track": 2}

# Alert kinds (routing rules and the delivery log use these names).
BELOW_TARGET = "kpi_below_target"
REPEAT = "kpi_repeat"
RECOVERED = "kpi_recovered"
KIND_ORDER = (BELOW_TARGET, REPEAT, RECOVERED)  # a group message is named after its first kind


class Change(enum.Enum):
    NONE = "none"  # no violation before or after
    OPEN = "open"  # a bad status begins: a new violation, alert
    CHANGE = "change"  # at_risk ↔ off_track: alert again, an acknowledge no longer holds
    UPDATE = "update"  # still the same bad status: new figures, nothing to say
    RESOLVE = "resolve"  # the condition ended


def change(open_status: str | None, new_status: str) -> Change:
    """What a new status does to the unit's open violation (`open_status`, None when none is open)."""
    bad = new_status in BAD_STATUSES
    if open_status is None:
        return Change.OPEN if bad else Change.NONE
    if not bad:
        return Change.RESOLVE
    return Change.UPDATE if new_status == open_status else Change.CHANGE


def worse(a: str, b: str) -> str:
    return b if SEVERITY.get(b, 0) > SEVERITY.get(a, 0) else a


def sends_recovery(new_status: str, alerted: bool) -> bool:
    """Once per violation, and only to people who were told about it."""
    return alerted and new_status in RECOVERED_STATUSES


@dataclass(frozen=True)
class OpenViolation:
    """What inhibition needs to know of an open violation."""

    id: int
    unit_code: str
    indicator: str
    status: str


def inhibitor(
    unit_code: str, indicator: str, status: str, province: str, open_in_province: list[OpenViolation]
) -> OpenViolation | None:
    """The province's open violation that mutes this unit's alert: same indicator, same status."""
    if unit_code == province:
        return None
    return next(
        (v for v in open_in_province if v.indicator == indicator and v.status == status),
        None,
    )


def silenced(acknowledged_status: str | None, last_status: str) -> bool:
    """An acknowledge holds while the status it acknowledged lasts."""
    return acknowledged_status is not None and acknowledged_status == last_status


def group_kind(kinds: list[str]) -> str:
    """The name of a message holding items of these kinds: the most urgent one."""
    return next(k for k in KIND_ORDER if k in kinds)


def idempotency_key(cause: str, channel: str, address: str) -> str:
    """One queued item per cause, channel and address: a second attempt adds nothing."""
    return f"{cause}:{channel}:{address.lower()}"

"""The status vocabulary (a contract: subscribers switch on these strings)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ACHIEVED = "achieved"
    MISSED = "missed"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    INSUFFICIENT_DATA = "insufficient_data"

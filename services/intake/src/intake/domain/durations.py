"""Durations written by people on the command line: `90d`, `12h`, `2w` (pure)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_PATTERN = re.compile(r"(\d{1,6})([hdw])")
LONGEST = timedelta(days=3660)  # ten years: longer is a typo, not a plan


def parse_duration(text: str) -> timedelta:
    """A whole number of hours, days or weeks (`12h`, `90d`, `2w`), positive, at most ten years.

    Months and years are refused (their length varies, and `m` could be minutes): write days.
    """
    cleaned = text.strip().lower()
    match = _PATTERN.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (a whole number and h, d or w, e.g. 90d, 12h, 2w)")
    count = int(match.group(1))
    if count == 0:
        raise ValueError(f"the duration must be positive: {text!r}")
    duration = count * _UNITS[match.group(2)]
    if duration > LONGEST:
        raise ValueError(f"the duration is longer than ten years: {text!r}")
    return duration

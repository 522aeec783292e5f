"""How a demo unit's figures move: a profile per unit, chosen so that every status appears.

Attainment is a straight line ending at `final` on the plan's last day with `pace` per day, so the
KPI service's pace (a least-squares slope) and projection to 31 December give the intended status
for indicator d (2026 target: more than 80 %): achieved, on track, at risk, off track. `falling`
drops once (a register cleaned up: a cumulative drop the clerk confirms); `silent` reports once,
so its pace is unknown (insufficient data). c (target 100 %) runs 12 points ahead of d.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

ADULT_SHARE = 0.72  # age_18_plus of the catalogue's age_shares.csv (an estimate)
AGE_14_SHARE = 0.78


@dataclass(frozen=True)
class Profile:
    name: str
    final: float  # attainment of d on the plan's last day
    pace: float  # per day
    misses_often: bool = False


# The first units of the shuffled catalogue get these, so that even a short form shows each status.
SPECIAL = (
    Profile("achieved", 0.86, 0.0012),
    Profile("on_track", 0.785, 0.0008),
    Profile("at_risk", 0.74, 0.0005),
    Profile("off_track", 0.55, 0.0004),
    Profile("falling", 0.70, 0.0006),
    Profile("silent", 0.40, 0.0003),
    Profile("on_track", 0.79, 0.0009, misses_often=True),
    Profile("achieved", 0.84, 0.0010, misses_often=True),
    Profile("at_risk", 0.745, 0.0006),
    Profile("on_track", 0.78, 0.0009),
)
_COMMON = ("achieved", "on_track", "on_track", "at_risk", "off_track")


def profile_for(index: int, rng: random.Random) -> Profile:
    if index < len(SPECIAL):
        return SPECIAL[index]
    name = rng.choice(_COMMON)
    base = {p.name: p for p in SPECIAL}[name]
    return Profile(
        name,
        round(base.final + rng.uniform(-0.01, 0.01), 4),
        base.pace * rng.uniform(0.9, 1.1),
        misses_often=rng.random() < 0.05,
    )


def attainment(profile: Profile, day: date, last_day: date, drop_day: date | None) -> float:
    """d's attainment on `day`: the line, minus 6 points from `drop_day` on (falling units)."""
    value = profile.final - profile.pace * (last_day - day).days
    if profile.name == "falling" and drop_day is not None and day < drop_day:
        value += 0.06  # before the register was cleaned up
    if profile.name == "silent":
        value = profile.final
    return min(max(value, 0.02), 1.0)


def share(adults: int, value: float) -> int:
    return min(adults, round(adults * value))

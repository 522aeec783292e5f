"""What the demo files, when and under which Idempotency-Key: pure and seeded (same seed, same plan).

Communes and wards file the monthly form and the Youth Union's weekly form from the first period
their units exist (1 July 2025: the catalogue's units were formed then); the agencies file theirs
about the province from January 2025. A report is received on time (before the cut-off), late, or
not at all; a few get a corrective revision; one pair of units merges in the middle of the period.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bdhvs_local.demo import figures
from bdhvs_local.demo.profiles import Profile, profile_for
from bdhvs_shared.catalogue import Catalogue, Form, Period, as_of_date, form_deadline
from bdhvs_shared.catalogue.periods import PeriodType

FIRST_MONTH = date(2025, 1, 1)
WEEKLY_FORM = "youth_weekly"  # the Youth Union's: about 80 % of the reports (`--no-youth-weekly` skips it)
_MONTHS = {PeriodType.QUARTERLY: 3, PeriodType.SIX_MONTHLY: 6, PeriodType.ANNUAL: 12}


def commune_forms(catalogue: Catalogue, youth_weekly: bool = True) -> tuple[str, ...]:
    """Every form of the catalogue that communes and wards file (monthly first)."""
    forms = sorted(
        (f for f in catalogue.forms.values() if f.reporter_kinds), key=lambda f: f.code != "monthly"
    )
    return tuple(f.code for f in forms if youth_weekly or f.code != WEEKLY_FORM)


def agency_forms(catalogue: Catalogue) -> tuple[str, ...]:
    """Every form of the catalogue that agencies file about the province."""
    return tuple(f.code for f in catalogue.forms.values() if f.agencies)


@dataclass(frozen=True)
class Report:
    when: datetime
    filer: str  # the clerk whose token files it: commune:<code> or agency:<code>
    body: dict[str, Any]
    key: str  # Idempotency-Key


@dataclass(frozen=True)
class Merge:
    when: datetime
    sources: tuple[str, ...]
    into: str  # absorbs the others
    effective: date


@dataclass
class Plan:
    until: datetime
    profiles: dict[str, Profile]
    merge: Merge | None
    steps: list[Report | Merge] = field(default_factory=list)
    seed: int = 2025

    @property
    def reports(self) -> list[Report]:
        return [s for s in self.steps if isinstance(s, Report)]

    def filers(self) -> list[str]:
        return sorted({r.filer for r in self.reports})


def make_plan(
    catalogue: Catalogue,
    until: datetime,
    seed: int = 2025,
    months: int | None = None,
    units: int | None = None,
    youth_weekly: bool = True,
) -> Plan:
    """The whole demo (months, units None) or a short form: the last `months` months, `units` units."""
    rng = random.Random(seed)
    tz = ZoneInfo(catalogue.timezone)
    codes = sorted(catalogue.units)
    rng.shuffle(codes)
    codes = codes[:units] if units else codes
    profiles = {code: profile_for(i, rng) for i, code in enumerate(codes)}
    months_list = _months(catalogue, until.astimezone(tz).date(), months)
    merge = _merge(codes, months_list, tz)
    forms = commune_forms(catalogue, youth_weekly)
    ctx = figures.Context(catalogue, tz, until, months_list[-1], merge, profiles, seed, forms)
    steps: list[Report | Merge] = [*([merge] if merge else [])]
    for code in codes:
        steps += _unit_reports(ctx, code, months_list, rng)
    for form_code in agency_forms(catalogue):
        steps += _agency_reports(ctx, form_code, months_list, rng)
    steps = [s for s in steps if s.when <= until]
    steps.sort(key=lambda s: (s.when, isinstance(s, Report)))
    return Plan(until, profiles, merge, steps, seed)


def _months(catalogue: Catalogue, today: date, count: int | None) -> list[Period]:
    """Every month from January 2025 whose figures' as-of day (the 14th) has come."""
    form = catalogue.forms["monthly"]
    out, day = [], FIRST_MONTH
    while True:
        period = Period(PeriodType.MONTHLY, day.year, day.month)
        if as_of_date(period, form.as_of_day) > today:
            break
        out.append(period)
        day = (day + timedelta(days=32)).replace(day=1)
    return out[-count:] if count else out


def _merge(codes: list[str], months: list[Period], tz: ZoneInfo) -> Merge | None:
    """Units 9 and 10 of the shuffled list merge (the first absorbs the second) in the middle month."""
    if len(codes) < 10 or len(months) < 2:
        return None
    effective = months[len(months) // 2].first_day
    announced = datetime.combine(effective - timedelta(days=10), time(10), tz)
    return Merge(announced, (codes[8], codes[9]), codes[8], effective)


def _periods(form: Form, months: list[Period]) -> list[Period]:
    """The form's periods that end in the plan's months (a one-off form: only the periods it names)."""
    kind = form.period_type
    if kind is PeriodType.MONTHLY:
        out = months
    elif kind is PeriodType.WEEKLY:
        out = _weeks(months)
    else:
        size = _MONTHS[kind]
        out = [
            Period(kind, m.year, m.index // size if size < 12 else 1) for m in months if m.index % size == 0
        ]
    return [p for p in out if str(p) in form.periods] if form.periods else out


def _weeks(months: list[Period]) -> list[Period]:
    first, last = months[0].first_day, months[-1].last_day
    weeks, day = [], first + timedelta(days=(6 - first.weekday()))  # the first Sunday
    while day <= last:
        iso = day.isocalendar()
        weeks.append(Period(PeriodType.WEEKLY, iso.year, iso.week))
        day += timedelta(days=7)
    return weeks


def received(
    catalogue: Catalogue, tz: ZoneInfo, form_code: str, period: Period, late: bool, rng: random.Random
) -> datetime:
    """A realistic receipt: from the as-of day to just before the cut-off, or a few days after it."""
    form = catalogue.forms[form_code]
    as_of = as_of_date(period, form.as_of_day)
    cutoff = form_deadline(form, period, tz).date()
    if late:
        day = cutoff + timedelta(days=rng.randint(0, 6))
    else:
        day = as_of + timedelta(days=rng.randint(0, max((cutoff - as_of).days - 1, 0)))
    return datetime.combine(day, time(rng.randint(8, 20), rng.choice((0, 15, 30, 45))), tz)


def _unit_reports(ctx: figures.Context, code: str, months: list[Period], rng: random.Random) -> list[Report]:
    unit, profile = ctx.catalogue.units[code], ctx.profiles[code]
    out: list[Report] = []
    for form_code in ctx.forms:
        form = ctx.catalogue.forms[form_code]
        for i, period in enumerate(_periods(form, months)):
            as_of = as_of_date(period, form.as_of_day)
            if not unit.active_on(as_of) or not ctx.files(code, as_of):
                continue
            if profile.name == "silent" and out:
                break  # it reported once, long ago
            if profile.name != "silent" and _misses(profile, i, rng):
                continue
            late = rng.random() < (0.35 if profile.misses_often else 0.08)
            when = received(ctx.catalogue, ctx.tz, form_code, period, late, rng)
            out += ctx.revisions(code, form_code, period, as_of, when, rng)
    return out


def _misses(profile: Profile, index: int, rng: random.Random) -> bool:
    if profile.misses_often:
        return index % 3 == 1 or rng.random() < 0.2
    return rng.random() < 0.01


def _agency_reports(
    ctx: figures.Context, form_code: str, months: list[Period], rng: random.Random
) -> list[Report]:
    form, out = ctx.catalogue.forms[form_code], []
    agency = sorted(form.agencies)[0]
    for period in _periods(form, months):
        when = received(ctx.catalogue, ctx.tz, form_code, period, rng.random() < 0.05, rng)
        body = ctx.agency_body(form_code, period)
        out.append(Report(when, f"agency:{agency}", body, ctx.key("24", form_code, period, 1)))
    return out

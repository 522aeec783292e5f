"""The catalogue's model: units, indicators with yearly targets, forms. Pure data, loaded from files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from bdhvs_shared.catalogue.periods import PeriodType

if TYPE_CHECKING:
    from bdhvs_shared.catalogue.workdays import Workdays


class CatalogueError(ValueError):
    """The catalogue's data files are missing, malformed or inconsistent."""


class UnitKind(StrEnum):
    PROVINCE = "province"
    XA = "xa"  # commune (xã)
    PHUONG = "phuong"  # ward (phường)


@dataclass(frozen=True)
class Unit:
    code: str  # GSO code: 2 digits for a province, 5 for a commune or ward
    name: str  # NFC
    kind: UnitKind
    population: int | None
    area_km2: float | None
    active_from: date | None = None  # the day it came into being (None: before the system's data)
    active_to: date | None = None  # its last day (merged or split away); None: still active
    predecessors: tuple[str, ...] = ()  # codes of the units it was formed from, when known

    def active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )


class Comparator(StrEnum):
    GT = ">"  # "trên 80 %": strictly above
    GE = ">="  # "80 %", "100 %": at least

    def met(self, attainment: float, target: float) -> bool:
        return attainment > target if self is Comparator.GT else attainment >= target


@dataclass(frozen=True)
class YearTarget:
    year: int
    value: float  # a fraction: 0.80 is 80 %
    comparator: Comparator
    due: date  # the target date: 31 December of `year` unless the indicator says otherwise


class Measure(StrEnum):
    """How an indicator is reported; every one travels as numerator/denominator (docs/kpi-rules.md)."""

    RATIO = "ratio"  # people meeting it / the population it is over
    YES_NO = "yes_no"  # one unit either does or does not (1/1 or 0/1): the roll-up is a share of units
    COUNT = "count"  # a number with no population (news items): denominator 0, so no attainment


# The longest indicator code: every service stores codes in columns this wide (kpi, notifier), so the
# catalogue refuses a longer one rather than have reports dead-lettered for "value too long".
INDICATOR_CODE_MAX = 32


@dataclass(frozen=True)
class Indicator:
    code: str  # ASCII subject token: a, b, c, d, dd (đ)
    name_vi: str
    name_en: str
    targets: tuple[YearTarget, ...]  # sorted by year; empty for an indicator that is only tracked
    denominator_basis: str | None  # an age-share measure (e.g. age_18_plus), or None
    denominator_basis_status: str | None = None  # that measure's status in age_shares.csv
    measure: Measure = Measure.RATIO
    kpi: bool = False  # one of the five KPIs of Plan 15/KH-UBND (a, b, c, d, đ)
    parts: tuple[str, ...] = ()  # named sub-counts each ≤ the denominator (signatures per provider)
    norm: str | None = None  # for counts: the expected amount in words (e.g. "≥ 2 tin, bài mỗi tuần")
    cumulative: bool = True  # a ratio whose numerator never falls (false: a share of this period)
    label_vi: str = ""  # how people name it after "chỉ tiêu": a KPI's letter (đ), else a few words

    @property
    def label(self) -> str:
        """What follows "chỉ tiêu" in a subject, an SMS or a page: "đ", "chữ ký số" (its code if none)."""
        return self.label_vi or self.code

    def target_for(self, today: date) -> YearTarget | None:
        """The target of today's year: it switches to the new year's target on 1 January.

        After the last year with a target, that last target still applies; before the first,
        there is none (None).
        """
        eligible = [t for t in self.targets if t.year <= today.year]
        return max(eligible, key=lambda t: t.year) if eligible else None


@dataclass(frozen=True)
class Agency:
    """A provincial body that reports on the province as a whole (police, departments, youth union…)."""

    code: str  # ASCII token, e.g. cong_an
    name_vi: str


@dataclass(frozen=True)
class Form:
    code: str
    name_vi: str
    reporter_kinds: frozenset[UnitKind]  # communes and wards that file it (may be empty)
    period_type: PeriodType
    indicators: tuple[str, ...]
    due_day: int  # received before this day (00:00 local) of the period's last month
    as_of_day: int  # figures as of this day of the period's last month
    agencies: frozenset[str] = frozenset()  # agencies that file it, for the province
    due_date: date | None = None  # a one-off report: received before this day, whatever the period
    periods: tuple[str, ...] = ()  # a one-off report: the only periods it is filed for (empty: any)

    @property
    def for_province(self) -> bool:
        """Filed by agencies about the province as a whole (not by communes and wards)."""
        return bool(self.agencies)


@dataclass(frozen=True)
class CalendarOverrides:
    """The province's corrections to the national calendar (catalogue file calendar.yaml)."""

    days_off: Mapping[date, str] = field(default_factory=dict)  # extra days off → why
    working_days: Mapping[date, str] = field(default_factory=dict)  # compensatory working days → why


@dataclass(frozen=True)
class Catalogue:
    version: str  # first 12 hex digits of the sha256 of the data files
    province: Unit
    units: Mapping[str, Unit]  # communes and wards by code; the province is apart
    indicators: Mapping[str, Indicator]
    forms: Mapping[str, Form]
    age_shares: Mapping[str, float]  # measure → percent of the population (latest values: 2024)
    timezone: str = "Asia/Ho_Chi_Minh"  # the province's IANA zone (province.yaml)
    agencies: Mapping[str, Agency] = field(default_factory=dict)
    calendar: CalendarOverrides = field(default_factory=CalendarOverrides)

    @cached_property
    def workdays(self) -> Workdays:
        """The working-day calendar: national holidays corrected by `calendar` (one per version)."""
        from bdhvs_shared.catalogue.workdays import Workdays  # here: workdays.py imports this module

        return Workdays(self.calendar)

    def unit(self, code: str) -> Unit | None:
        """A commune or ward by code, or the province by its code ("24")."""
        return self.province if code == self.province.code else self.units.get(code)

    def expected_reporters(self, form: Form, on: date | None = None) -> list[Unit]:
        """The units `form` reports on: those of its reporter kinds (active on `on`, when given — a
        period's as-of day) in code order, or the province when agencies file it."""
        units = sorted(
            (
                u
                for u in self.units.values()
                if u.kind in form.reporter_kinds and (on is None or u.active_on(on))
            ),
            key=lambda u: u.code,
        )
        return [self.province, *units] if form.for_province else units

    def indicators_reported_for(self, unit_code: str) -> frozenset[str]:
        """The indicators some form reports for this unit: the forms its kind files, for a commune or
        ward; every form's, for the province (its agencies' own, and its units' rolled up)."""
        unit = self.unit(unit_code)
        if unit is None:
            return frozenset()
        forms = [f for f in self.forms.values() if unit is self.province or unit.kind in f.reporter_kinds]
        return frozenset(code for form in forms for code in form.indicators)

    def reference_denominator(self, unit_code: str, indicator_code: str) -> int | None:
        """Population × the indicator's age share, rounded half up: an estimate for a missing denominator.

        None when the unit or indicator is unknown, the indicator names no basis, or the unit has
        no population. For the province code, the province's population is used.
        """
        unit, indicator = self.unit(unit_code), self.indicators.get(indicator_code)
        if unit is None or indicator is None or indicator.denominator_basis is None:
            return None
        share = self.age_shares.get(indicator.denominator_basis)
        if share is None or unit.population is None:
            return None
        exact = Decimal(unit.population) * Decimal(str(share)) / Decimal(100)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

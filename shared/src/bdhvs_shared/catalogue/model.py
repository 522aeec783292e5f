"""The catalogue: units, indicators with yearly targets, forms. Pure data, loaded from files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bdhvs_shared.catalogue.periods import PeriodType


class CatalogueError(ValueError):
    """The catalogue's data files are inconsistent."""


class UnitKind(StrEnum):
    PROVINCE = "province"
    XA = "xa"  # commune
    PHUONG = "phuong"  # ward


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: UnitKind
    population: int | None
    area_km2: float | None = None


class Comparator(StrEnum):
    GT = ">"
    GE = ">="


@dataclass(frozen=True)
class YearTarget:
    year: int
    value: float
    comparator: Comparator
    due: date


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    targets: tuple[YearTarget, ...]
    denominator_basis: str | None

    def target_for(self, today: date) -> YearTarget | None:
        """This year's target (it switches on 1 January); after the last year, the last one."""
        eligible = [t for t in self.targets if t.year <= today.year]
        return max(eligible, key=lambda t: t.year) if eligible else None


@dataclass(frozen=True)
class Form:
    code: str
    name_vi: str
    reporter_kinds: frozenset[UnitKind]
    period_type: PeriodType
    indicators: tuple[str, ...]
    due_day: int
    as_of_day: int


@dataclass(frozen=True)
class Catalogue:
    version: str
    province: Unit
    units: Mapping[str, Unit]  # communes and wards by code; the province is apart
    indicators: Mapping[str, Indicator]
    forms: Mapping[str, Form]
    age_shares: Mapping[str, float]  # measure → percent

    def unit(self, code: str) -> Unit | None:
        return self.province if code == self.province.code else self.units.get(code)

    def expected_reporters(self, form: Form) -> list[Unit]:
        return [u for u in self.units.values() if u.kind in form.reporter_kinds]

    def reference_denominator(self, unit_code: str, indicator_code: str) -> int | None:
        """Population × the indicator's age share: an estimate, used when a report has none."""
        unit, indicator = self.unit(unit_code), self.indicators.get(indicator_code)
        if unit is None or indicator is None or indicator.denominator_basis is None:
            return None
        share = self.age_shares.get(indicator.denominator_basis)
        if share is None or unit.population is None:
            return None
        return round(unit.population * share / 100)

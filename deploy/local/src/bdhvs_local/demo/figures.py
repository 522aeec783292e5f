"""The figures of each demo report, from the unit's population (the catalogue's) and its profile."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bdhvs_local.demo import indicators
from bdhvs_local.demo.profiles import ADULT_SHARE, AGE_14_SHARE, Profile, attainment, share
from bdhvs_shared.catalogue import Catalogue, Period, as_of_date

if TYPE_CHECKING:
    from bdhvs_local.demo.plan import Merge, Report

REVISED_SHARE = 0.05  # reports that get a corrective revision two days later
STUDENTS, OFFICIALS = 620_000, 52_000  # the province's, for the education and home-affairs forms
BASELINES = {"police_baseline_2025": "police_monthly"}  # a one-off report with a monthly one's figures


@dataclass(frozen=True)
class Context:
    catalogue: Catalogue
    tz: ZoneInfo
    until: datetime
    last_month: Period
    merge: Merge | None
    profiles: dict[str, Profile]
    seed: int
    forms: tuple[str, ...]  # the communes' forms

    @property
    def last_day(self) -> date:
        return as_of_date(self.last_month, self.catalogue.forms["monthly"].as_of_day)

    @property
    def drop_day(self) -> date:
        return self.last_day - timedelta(days=31)

    def files(self, code: str, as_of: date) -> bool:
        """False for a unit merged away, from the merge on (its successor files for it)."""
        m = self.merge
        return m is None or code == m.into or code not in m.sources or as_of < m.effective

    def population(self, code: str, as_of: date) -> int:
        unit = self.catalogue.units[code]
        own = unit.population or random.Random(f"{self.seed}-{code}").randint(15_000, 40_000)
        m = self.merge
        if m is not None and code == m.into and as_of >= m.effective:
            own += sum(self.population(c, as_of - timedelta(days=1)) for c in m.sources if c != code)
        return own

    def key(self, unit: str, form: str, period: Period, revision: int) -> str:
        return f"demo-{self.seed}-{unit}-{form}-{period}-r{revision}"

    def revisions(
        self, code: str, form: str, period: Period, as_of: date, when: datetime, rng: random.Random
    ) -> list[Report]:
        from bdhvs_local.demo.plan import Report

        body = self.unit_body(code, form, period, as_of, rng)
        first = Report(when, f"commune:{code}", body, self.key(code, form, period, 1))
        if form != "monthly" or rng.random() >= REVISED_SHARE:
            return [first]
        corrected = {k: dict(v) for k, v in body["values"].items()}
        for value in corrected.values():
            value["numerator"] = min(value["denominator"], round(value["numerator"] * 1.01) + 1)
        later = when + timedelta(days=2)
        second = {**body, "values": corrected}
        return [first, Report(later, first.filer, second, self.key(code, form, period, 2))]

    def unit_body(
        self, code: str, form: str, period: Period, as_of: date, rng: random.Random
    ) -> dict[str, Any]:
        people = self.population(code, as_of)
        if form == "youth_weekly":
            values = self._weekly(code, people, as_of, rng)
        else:  # c and d follow the unit's profile; the other indicators, their own rule
            adults = round(people * ADULT_SHARE)
            d = attainment(self.profiles[code], as_of, self.last_day, self.drop_day)
            profiled = {
                "c": {"numerator": share(adults, min(d + 0.12, 1.0)), "denominator": adults},
                "d": {"numerator": share(adults, d), "denominator": adults},
            }
            codes = self.catalogue.forms[form].indicators
            others = tuple(c for c in codes if c not in profiled)
            values = {c: profiled[c] for c in codes if c in profiled}
            values |= indicators.values(self.catalogue, others, people, as_of, f"{self.seed}-{code}")
        return {"unit_code": code, "form": form, "period": str(period), "values": values}

    def _weekly(self, code: str, people: int, as_of: date, rng: random.Random) -> dict[str, Any]:
        residents = round(people * AGE_14_SHARE)
        progress = max(0.0, min(1.0, (as_of - date(2025, 7, 1)).days / 540))
        offset = random.Random(f"{self.seed}-{code}-w").uniform(-0.08, 0.08)
        signed = share(residents, 0.15 + 0.55 * progress + offset)
        parts = {"vneid": round(signed * 0.7), "mysign": round(signed * 0.3), "smartca": round(signed * 0.12)}
        villages = random.Random(f"{self.seed}-{code}-v").randint(8, 25)
        team = 1 if progress > random.Random(f"{self.seed}-{code}-t").uniform(0.0, 0.6) else 0
        return {
            "chu_ky_so": {"numerator": signed, "denominator": residents, "parts": parts},
            "doi_tnxk": {"numerator": team, "denominator": 1},
            "lop_hoc_thon": {"numerator": rng.randint(villages // 2, villages), "denominator": villages},
        }

    def agency_body(self, form: str, period: Period) -> dict[str, Any]:
        day = period.last_day
        growth = max(0.0, min(1.0, (day - date(2025, 1, 1)).days / 730))
        people = self.catalogue.province.population or 3_600_000
        adults, residents = round(people * ADULT_SHARE), round(people * AGE_14_SHARE)
        values: dict[str, Any] | None = {
            "police_monthly": {
                "vneid_l2": {"numerator": share(residents, 0.55 + 0.3 * growth), "denominator": residents},
                "d": {"numerator": share(adults, 0.30 + 0.45 * growth), "denominator": adults},
            },
            "education_monthly": {
                "b": {"numerator": share(STUDENTS, 0.6 + 0.4 * growth), "denominator": STUDENTS}
            },
            "home_affairs_monthly": {
                "a": {"numerator": share(OFFICIALS, 0.5 + 0.5 * growth), "denominator": OFFICIALS}
            },
            "press_weekly": {"tin_bai": {"numerator": 1 + period.index % 5}},
        }.get(BASELINES.get(form, form))
        if values is None:  # a form the catalogue added: each indicator by its own rule
            codes = self.catalogue.forms[form].indicators
            values = indicators.values(self.catalogue, codes, people, day, f"{self.seed}-{form}")
        return {
            "unit_code": self.catalogue.province.code,
            "form": form,
            "period": str(period),
            "values": values,
        }

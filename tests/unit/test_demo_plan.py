"""`make demo`'s plan: seeded, every profile, on time and late and missing, one merge, unique keys."""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from bdhvs_local.demo.plan import Merge, Plan, make_plan
from bdhvs_shared.catalogue import Period, form_deadline, load_catalogue

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = datetime(2026, 12, 3, 9, tzinfo=TZ)
CATALOGUE = load_catalogue()


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    first, again = make_plan(CATALOGUE, UNTIL, seed=7), make_plan(CATALOGUE, UNTIL, seed=7)
    assert first.steps == again.steps
    assert make_plan(CATALOGUE, UNTIL, seed=8).steps != first.steps


@functools.cache
def full_plan() -> Plan:
    return make_plan(CATALOGUE, UNTIL)


def test_the_full_plan_covers_every_unit_month_and_agency_form_with_unique_keys() -> None:
    plan = full_plan()
    monthly = [r for r in plan.reports if r.body["form"] == "monthly"]
    assert {r.body["unit_code"] for r in monthly} == set(CATALOGUE.units)
    # the communes exist from July 2025; the agencies report from January 2025 to November 2026
    assert min(r.body["period"] for r in monthly) == "2025-07"
    police = sorted(r.body["period"] for r in plan.reports if r.body["form"] == "police_monthly")
    assert police[0] == "2025-01" and police[-1] == "2026-11" and len(police) == 23
    keys = [(r.filer, r.key) for r in plan.reports]
    assert len(keys) == len(set(keys))
    assert all(r.when <= UNTIL for r in plan.reports)
    assert [s.when for s in plan.steps] == sorted(s.when for s in plan.steps)


def test_reports_are_on_time_late_missing_and_revised() -> None:
    plan = full_plan()
    form = CATALOGUE.forms["monthly"]
    firsts = [r for r in plan.reports if r.body["form"] == "monthly" and r.key.endswith("-r1")]
    on_time = Counter(r.when < form_deadline(form, Period.parse(r.body["period"]), TZ) for r in firsts)
    assert on_time[True] > 5 * on_time[False] > 0
    assert sum(r.key.endswith("-r2") for r in plan.reports) > 20  # corrective revisions
    expected = 99 * 17 - 16  # units × months, less the merged-away unit's months after the merge
    assert 0.8 * expected < len(firsts) < expected  # some missing


def test_every_profile_is_in_a_short_form_and_the_falling_unit_drops() -> None:
    plan = make_plan(CATALOGUE, UNTIL, months=3, units=10)
    assert {p.name for p in plan.profiles.values()} >= {
        "achieved", "on_track", "at_risk", "off_track", "falling", "silent"
    }  # fmt: skip
    assert len({r.body["unit_code"] for r in plan.reports if r.body["form"] == "monthly"}) == 10
    falling = next(c for c, p in plan.profiles.items() if p.name == "falling")
    monthly = [r for r in plan.reports if r.body["form"] == "monthly"]
    d = [r.body["values"]["d"]["numerator"] for r in monthly if r.body["unit_code"] == falling]
    assert any(later < earlier for earlier, later in itertools.pairwise(d))


def test_two_units_merge_in_the_middle_and_the_absorbed_one_stops_filing() -> None:
    plan = make_plan(CATALOGUE, UNTIL, months=3, units=10)
    assert isinstance(plan.merge, Merge) and plan.merge.effective.isoformat() == "2026-10-01"
    (absorbed,) = [c for c in plan.merge.sources if c != plan.merge.into]
    monthly = [r for r in plan.reports if r.body["form"] == "monthly"]
    periods = {r.body["period"] for r in monthly if r.body["unit_code"] == absorbed}
    assert periods and max(periods) < "2026-10"
    weeks = {
        r.body["period"] for r in plan.reports if r.body["unit_code"] == absorbed and "W" in r.body["period"]
    }
    assert weeks and max(weeks) <= "2026-W39"  # the week ending 27 September, before the merge
    survivor = [r for r in monthly if r.body["unit_code"] == plan.merge.into]
    before = next(r for r in survivor if r.body["period"] < "2026-10")
    after = next(r for r in survivor if r.body["period"] >= "2026-10")
    assert after.body["values"]["d"]["denominator"] > before.body["values"]["d"]["denominator"]


def test_every_form_of_the_catalogue_is_filed_in_its_periods_with_its_indicators() -> None:
    plan = full_plan()
    periods: dict[str, set[str]] = {}
    for r in plan.reports:
        periods.setdefault(r.body["form"], set()).add(r.body["period"])
        assert set(r.body["values"]) == set(CATALOGUE.forms[r.body["form"]].indicators)
    assert set(periods) == set(CATALOGUE.forms)  # the weekly Youth Union form is on by default
    assert periods["quarterly"] == {"2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"}
    assert periods["enterprise"] == periods["quarterly"]
    assert periods["six_monthly"] == {"2025-H2", "2026-H1"} and periods["annual"] == {"2025"}
    assert periods["police_baseline_2025"] == {"2025"}  # the one-off, filed once
    baseline = next(r for r in plan.reports if r.body["form"] == "police_baseline_2025")
    assert baseline.when < form_deadline(CATALOGUE.forms["police_baseline_2025"], Period.parse("2025"), TZ)
    without = make_plan(CATALOGUE, UNTIL, months=3, units=10, youth_weekly=False)
    assert "youth_weekly" not in {r.body["form"] for r in without.reports}


def test_a_yes_no_indicator_says_yes_once_and_keeps_saying_it() -> None:
    plan = full_plan()
    for code in ("ho_tro_mot_cua", "cong_ttdt"):
        by_unit: dict[str, list[int]] = {}
        for r in sorted(plan.reports, key=lambda r: r.body["period"]):
            if r.body["form"] == "quarterly":
                by_unit.setdefault(r.body["unit_code"], []).append(r.body["values"][code]["numerator"])
        assert all(s == sorted(s) for s in by_unit.values())
        assert {0, 1} <= {v for s in by_unit.values() for v in s}

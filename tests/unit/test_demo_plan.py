"""`make demo`'s plan: seeded, every profile, on time and late and missing, one merge, unique keys."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from bdhvs_local.demo.plan import Merge, make_plan
from bdhvs_shared.catalogue import Period, form_deadline, load_catalogue

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = datetime(2026, 12, 3, 9, tzinfo=TZ)
CATALOGUE = load_catalogue()


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    first, again = make_plan(CATALOGUE, UNTIL, seed=7), make_plan(CATALOGUE, UNTIL, seed=7)
    assert first.steps == again.steps
    assert make_plan(CATALOGUE, UNTIL, seed=8).steps != first.steps


def test_the_full_plan_covers_every_unit_month_and_agency_form_with_unique_keys() -> None:
    plan = make_plan(CATALOGUE, UNTIL)
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
    plan = make_plan(CATALOGUE, UNTIL)
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
    d = [r.body["values"]["d"]["numerator"] for r in plan.reports if r.body["unit_code"] == falling]
    assert any(later < earlier for earlier, later in itertools.pairwise(d))


def test_two_units_merge_in_the_middle_and_the_absorbed_one_stops_filing() -> None:
    plan = make_plan(CATALOGUE, UNTIL, months=3, units=10)
    assert isinstance(plan.merge, Merge) and plan.merge.effective.isoformat() == "2026-10-01"
    (absorbed,) = [c for c in plan.merge.sources if c != plan.merge.into]
    periods = {r.body["period"] for r in plan.reports if r.body["unit_code"] == absorbed}
    assert periods and max(periods) < "2026-10"
    survivor = [r for r in plan.reports if r.body["unit_code"] == plan.merge.into]
    before = next(r for r in survivor if r.body["period"] < "2026-10")
    after = next(r for r in survivor if r.body["period"] >= "2026-10")
    assert after.body["values"]["d"]["denominator"] > before.body["values"]["d"]["denominator"]

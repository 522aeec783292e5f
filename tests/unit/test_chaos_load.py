"""The chaos load's bookkeeping: what counts as a 5xx, and bodies that can be found again."""

from __future__ import annotations

import random
from collections import Counter

from bdhvs_local.chaos.load import PERIODS, Outcomes, Reports


def test_only_5xx_other_than_the_documented_503_count_as_errors() -> None:
    out = Outcomes(statuses=Counter({201: 50, 503: 7, 500: 1, 502: 2, 422: 1}))
    assert out.errors_5xx() == 3


def test_every_body_has_its_own_figures_and_units_and_periods_repeat_into_revisions() -> None:
    reports = Reports(random.Random(1), ["09313", "09292"])
    bodies = [reports.next() for _ in range(40)]
    figures = [b["values"]["c"]["numerator"] for b in bodies]
    assert len(set(figures)) == 40  # a body the client gave up on is found by them
    pairs = Counter((b["unit_code"], b["period"]) for b in bodies)
    assert max(pairs.values()) > 1 and {p for _, p in pairs} <= set(PERIODS)

"""The demo's operators acknowledge about one alert in three, the same ones on every run."""

from __future__ import annotations

from bdhvs_local.demo.acknowledge import chosen


def test_about_a_third_of_the_violations_are_chosen_and_the_same_on_a_rerun() -> None:
    picked = [v for v in range(1, 3001) if chosen(v, 2025)]
    assert 850 < len(picked) < 1150
    assert picked == [v for v in range(1, 3001) if chosen(v, 2025)]
    assert picked != [v for v in range(1, 3001) if chosen(v, 7)]

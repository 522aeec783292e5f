"""The demo's operators acknowledge about one alert in three, the same ones on every run of a seed."""

from __future__ import annotations

from bdhvs_local.demo.acknowledge import chosen

OPENED = "2025-03-04T01:00:00Z"


def _picked(seed: int, opened: str = OPENED) -> list[tuple[str, str]]:
    units = [f"{code:05d}" for code in range(7000, 7600)]
    return [(u, i) for u in units for i in ("c", "d", "chu_ky_so") if chosen(u, i, opened, seed)]


def test_about_a_third_of_the_violations_are_chosen_and_the_same_on_a_rerun() -> None:
    picked = _picked(2025)
    assert 500 < len(picked) < 700  # of 1 800
    assert picked == _picked(2025)
    assert picked != _picked(7)


def test_the_choice_follows_what_the_violation_is_not_how_the_time_is_written() -> None:
    assert _picked(2025, "2025-03-04T08:00:00+07:00") == _picked(2025)
    assert _picked(2025, "2025-03-11T01:00:00+00:00") != _picked(2025)  # opened another time

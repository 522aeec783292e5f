"""What `make soak` prints (issue 16, item 3): the latency of each minute, each service's RSS before
the first report, at the end of each minute and at the end, its growth from the end of the warm-up
(the first minute) and from cold, and the last line scripts read, in the issue's format."""

from __future__ import annotations

import re

from bdhvs_local.soak import Soak, lines

LAST = re.compile(
    r"^soak: [\d.]+ reports/s for \d+ s, \d+ 5xx, \d+ timeouts, p99 first minute \d+ ms,"
    r" last minute \d+ ms, RSS growth -?[\d.]+%$"
)


def soak_of(seconds: float, minutes: int) -> Soak:
    n = int(100 * seconds)
    soak = Soak(rate=100.0, seconds=seconds, sent=n, accepted=n, elapsed=seconds)
    soak.statuses[201] = n
    soak.by_minute = {m: [10.0 * (m + 1)] * 100 for m in range(minutes)}  # a sample of each minute
    return soak


def test_each_services_rss_is_printed_per_minute_and_the_growth_counts_from_the_warm_up() -> None:
    soak = soak_of(180.0, 3)
    soak.rss_mb = {"start": {"intake": 100.0, "kpi": 80.0}, "end": {"intake": 132.0, "kpi": 84.0}}
    soak.rss_by_minute = {
        0: {"intake": 130.0, "kpi": 82.0},
        1: {"intake": 131.0, "kpi": 83.0},
        2: {"intake": 131.5, "kpi": 83.5},
        3: {"intake": 132.0, "kpi": 84.0},  # the drain: the reader goes on until the events are in
    }
    printed = lines(soak)
    assert printed[:3] == [
        "soak: minute 1: 100 accepted, p50 10 ms, p95 10 ms, p99 10 ms",
        "soak: minute 2: 100 accepted, p50 20 ms, p95 20 ms, p99 20 ms",
        "soak: minute 3: 100 accepted, p50 30 ms, p95 30 ms, p99 30 ms",
    ]
    assert printed[3:7] == [
        "soak: RSS intake MB: start 100 | 1: 130 | 2: 131 | 3: 132 | 4: 132 | end 132",
        "soak: RSS kpi MB: start 80 | 1: 82 | 2: 83 | 3: 84 | 4: 84 | end 84",
        "soak: RSS growth intake: from the end of minute 1 (warm-up) +1.5%, from cold (before the first"
        " report) +32.0%",
        "soak: RSS growth kpi: from the end of minute 1 (warm-up) +2.4%, from cold (before the first"
        " report) +5.0%",
    ]
    assert printed[-1] == (
        "soak: 100.0 reports/s for 180 s, 0 5xx, 0 timeouts, p99 first minute 10 ms, last minute 30 ms,"
        " RSS growth 2.4%"
    )
    assert LAST.match(printed[-1])


def test_a_soak_too_short_for_a_minute_after_the_warm_up_counts_its_growth_from_cold() -> None:
    soak = soak_of(60.0, 1)
    soak.rss_mb = {"start": {"intake": 100.0}, "end": {"intake": 112.0}}
    soak.rss_by_minute = {0: {"intake": 111.0}}
    printed = lines(soak)
    assert (
        "soak: RSS growth intake: from the start (too short a soak for a warm-up) +12.0%,"
        " from cold (before the first report) +12.0%"
    ) in printed
    assert printed[-1].endswith("RSS growth 12.0%") and LAST.match(printed[-1])


def test_without_readings_the_soak_still_prints_its_last_line() -> None:
    printed = lines(Soak(rate=20.0, seconds=60.0))
    assert not any("RSS" in line for line in printed[:-1])
    assert LAST.match(printed[-1]) and printed[-1].endswith("RSS growth 0.0%")

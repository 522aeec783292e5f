"""The chaos load's bookkeeping: what counts as a 5xx, and bodies that can be found again."""

from __future__ import annotations

import random
from collections import Counter

from bdhvs_local.chaos.check import sent_not_received
from bdhvs_local.chaos.load import PERIODS, Outcomes, Reports, backoff, body


def test_only_5xx_other_than_the_documented_503_count_as_errors() -> None:
    out = Outcomes(statuses=Counter({201: 50, 503: 7, 500: 1, 502: 2, 422: 1}))
    assert out.errors_5xx() == 3


def test_every_body_has_its_own_figures_and_units_and_periods_repeat_into_revisions() -> None:
    reports = Reports(random.Random(1), ["09313", "09292"])
    bodies = [reports.next() for _ in range(40)]
    figures = [(b["values"]["c"]["numerator"], b["values"]["d"]["numerator"]) for b in bodies]
    assert len(set(figures)) == 40  # a body the client gave up on is found by them
    pairs = Counter((b["unit_code"], b["period"]) for b in bodies)
    assert max(pairs.values()) > 1 and {p for _, p in pairs} <= set(PERIODS)


def test_figures_stay_distinct_and_within_the_denominator_however_long_the_campaign_runs() -> None:
    """The old bodies (1000 + serial over 20000) went past the denominator after 19,000 reports, and
    a valid-looking report would have been refused in a long campaign."""
    serials = range(1, 60_001)
    figures = {
        (
            body(s, "09313", "2026-03")["values"]["c"]["numerator"],
            body(s, "09313", "2026-03")["values"]["d"]["numerator"],
        )
        for s in serials
    }
    assert len(figures) == len(serials)
    assert all(0 < c <= 20000 and 0 < d <= 20000 for c, d in figures)


def test_one_report_in_three_is_high_so_statuses_go_below_target_and_back() -> None:
    high = [body(s, "09313", "2026-03")["values"]["c"]["numerator"] > 10000 for s in range(1, 31)]
    assert sum(high) == 10


def test_an_intent_marked_sent_that_no_receiver_got_is_lost() -> None:
    rows = [
        {"id": "n1", "channel": "sms", "idempotency_key": "k1", "status": "sent"},
        {"id": "n2", "channel": "email", "idempotency_key": "k2", "status": "sent"},
        {"id": "n3", "channel": "webhook", "idempotency_key": "k3", "status": "sent"},
        {"id": "n4", "channel": "webhook", "idempotency_key": "k4", "status": "failed"},
    ]
    received = {"sms": Counter({"n1": 1}), "email": Counter({"k2": 2}), "webhook": Counter()}
    assert sent_not_received(rows, received) == 1  # n3; the SMS gateway counts by notification id


def test_retries_back_off_doubling_with_jitter_up_to_16_s_and_never_before_retry_after() -> None:
    """A fixed 1 s retry brought every timed-out client back at once (a retry storm: in a 30-fault
    run on the loaded machine 5,616 of 5,849 requests gave up after 120 s)."""
    rng = random.Random(3)
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (6, 16.0), (12, 16.0)):
        waits = [backoff(attempt, rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 1  # jitter: clients that failed together do not return together
    assert backoff(1, rng, retry_after=5.0) == 5.0

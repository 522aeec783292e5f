"""The receipt rule (`domain.receipts.merge_receipt`): the first revision decides on-time, in any order."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from bdhvs_shared.events import ReportAccepted
from kpi.domain.receipts import merge_receipt
from kpi.domain.reporting import Receipt
from support.events import TZ, report_accepted

START = datetime(2026, 3, 15, 8, tzinfo=TZ)


def revision(number: int, on_time: bool, minutes: int) -> ReportAccepted:
    received = START + timedelta(minutes=minutes)
    return report_accepted(
        "09313", "2026-03", {"c": (1, 2)}, revision=number, on_time=on_time, received=received
    )


def fold(events: list[ReportAccepted]) -> Receipt | None:
    return reduce(merge_receipt, events, None)  # type: ignore[arg-type]


def test_a_late_correction_of_an_on_time_report_keeps_it_on_time() -> None:
    first, late = revision(1, True, 0), revision(2, False, 9000)
    assert fold([first, late]) == Receipt("09313", True, 1, first.received_at, 2, late.received_at)
    assert fold([late, first]) == fold([first, late])  # revision 2 delivered before revision 1


def test_a_revision_seen_again_changes_nothing() -> None:
    receipt = merge_receipt(None, revision(1, False, 0))
    assert merge_receipt(receipt, revision(1, True, 5)) is receipt


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), min_size=1, max_size=6), st.randoms())
def test_any_order_gives_the_lowest_revisions_verdict_and_the_highest_revision(
    revisions: list[tuple[bool, int]], rnd: random.Random
) -> None:
    events = [revision(n, on_time, minutes) for n, (on_time, minutes) in enumerate(revisions, start=1)]
    shuffled = rnd.sample(events, len(events)) + rnd.choices(events, k=2)
    assert fold(shuffled) == Receipt(
        "09313", events[0].on_time, 1, events[0].received_at, len(events), events[-1].received_at
    )

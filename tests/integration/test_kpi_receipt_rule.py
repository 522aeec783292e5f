"""The receipt rule in SQL (`adapters/receipts.record`, kept for speed) agrees with the domain function.

Generated cases (hypothesis): the revisions of one report, with random on-time verdicts and
receipt times, recorded in a random order (some delivered twice) through the live upsert on
the real database; the stored row is the one `domain.receipts.merge_receipt` folds from the
same events, and `record` says "new report" exactly for the first event recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from bdhvs_shared.events import ReportAccepted
from kpi.adapters import receipts
from kpi.adapters.tables import report_receipts
from kpi.domain.receipts import merge_receipt
from kpi.domain.replay import ReceiptFold
from kpi.domain.reporting import Receipt
from support.events import TZ, report_accepted

START = datetime(2026, 3, 15, 8, tzinfo=TZ)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url, PoolSettings(size=1))
    yield make_sessionmaker(engine)
    await engine.dispose()


@st.composite
def deliveries(draw: st.DrawFn) -> list[ReportAccepted]:
    """One report's revisions 1..n, each with its verdict and time, in a random order, some twice."""
    n = draw(st.integers(1, 6))
    events = [
        report_accepted(
            "09313",
            "2026-03",
            {"c": (1, 2)},
            revision=revision,
            on_time=draw(st.booleans()),
            received=START + timedelta(minutes=draw(st.integers(0, 10_000))),
        )
        for revision in range(1, n + 1)
    ]
    order = draw(st.permutations(events))
    again = draw(st.lists(st.sampled_from(events), max_size=3))
    return list(order) + again


@given(events=deliveries())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_the_sql_upsert_keeps_what_the_domain_rule_folds(
    sessions: async_sessionmaker[AsyncSession], events: list[ReportAccepted]
) -> None:
    expected: Receipt | None = None
    async with sessions() as session, session.begin():
        await session.execute(delete(report_receipts))  # each example starts from no receipt
        for event in events:
            first = await receipts.record(session, event)
            assert first == (expected is None)
            expected = merge_receipt(expected, event)
    async with sessions() as session:
        stored = await receipts.for_period(session, "monthly", "2026-03")
        rows = await receipts.all_rows(session)
    assert stored == {"09313": expected}
    fold = ReceiptFold()
    for event in events:
        fold.add(event)
    assert rows == fold.rows  # the rebuild's and verify's fold: the same row, deadline included

"""Contract of the rebuild's and verify's stream reader (`kpi.service_layer.rebuild_ports.ReportStream`):
the same assertions on the in-memory fake (tests/support/kpi_replay_fakes.py) and on JetStream
(`kpi.adapters.streams.NatsReportStream`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from bdhvs_shared.events import AttainmentUpdated, ReportAccepted, subjects
from bdhvs_shared.events.cloudevents import body_for
from bdhvs_shared.nats.streams import ensure_streams
from kpi.adapters.streams import NatsReportStream
from kpi.domain.publications import snapshot_of_event
from kpi.domain.rebuild_plan import Recorded
from kpi.service_layer.rebuild_ports import ReportStream
from support.bus import jetstream
from support.events import attainment_update, publish, report_accepted
from support.kpi_replay_fakes import FakeReportStream

TODAY = date(2026, 3, 20)


@dataclass
class Bus:
    """A stream reader and a way to put messages on the streams it reads."""

    stream: ReportStream
    js: Any = None  # JetStream, or None for the fake

    async def report(self, event: ReportAccepted | bytes) -> None:
        if self.js is None:
            fake = self.stream
            assert isinstance(fake, FakeReportStream)
            fake.reports.append(event if isinstance(event, bytes) else body_for(event))
        elif isinstance(event, bytes):
            await self.js.publish(subjects.report_accepted("09313"), event, timeout=5)
        else:
            await publish(self.js, event, subjects.report_accepted(event.unit_code))

    async def attainment(self, event: AttainmentUpdated) -> None:
        if self.js is None:
            fake = self.stream
            assert isinstance(fake, FakeReportStream)
            fake.attainment.append(event)
        else:
            await publish(self.js, event, subjects.kpi_attainment(event.unit_code, event.indicator))


@pytest.fixture(params=["memory", "nats"])
async def bus(request: pytest.FixtureRequest, clean_nats: str) -> AsyncIterator[Bus]:
    if request.param == "memory":
        yield Bus(FakeReportStream())
        return
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS", "KPI"])
        yield Bus(NatsReportStream(js), js)


async def test_reports_are_replayed_in_order_without_invalid_or_future_ones(bus: Bus) -> None:
    reports = [report_accepted(u, "2026-02", {"c": (1, 2)}) for u in ("09313", "09292", "09193")]
    await bus.report(reports[0])
    await bus.report(b'{"not": "an event"}')
    await bus.report(report_accepted("09313", "2099-12", {"c": (1, 2)}))  # dated in the future
    for event in reports[1:]:
        await bus.report(event)
    batches, counts = [], []
    async for events, replay in bus.stream.replay_reports(2, TODAY):
        batches.append([e.event_id for e in events])
        counts.append((replay.events, replay.skipped, replay.future, replay.last_stream_sequence))
    assert batches == [
        [reports[0].event_id],
        [reports[1].event_id],
        [reports[2].event_id],
    ]  # 2 messages a pull
    assert counts == [(1, 1, 0, 2), (2, 1, 1, 4), (3, 1, 1, 5)]  # running counts


async def test_an_empty_stream_replays_nothing(bus: Bus) -> None:
    assert [batch async for batch in bus.stream.replay_reports(10, TODAY)] == []
    assert await bus.stream.last_published() == {}


async def test_the_last_published_snapshot_of_each_unit_and_indicator(bus: Bus) -> None:
    first, second = (
        attainment_update("09313", 1, "at_risk", None),
        attainment_update("09313", 2, "on_track", "at_risk"),
    )
    other = attainment_update("09292", 7, "off_track", None)
    for event in (first, other, second):
        await bus.attainment(event)
    assert await bus.stream.last_published(batch=1) == {
        (e.unit_code, e.indicator): Recorded(snapshot_of_event(e), e.sequence, e.occurred_at, e.event_id)
        for e in (second, other)
    }

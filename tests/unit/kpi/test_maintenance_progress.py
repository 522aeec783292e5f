"""`kpi rebuild` and `kpi verify` report their progress through the REPORTS stream (issue 15, item 6):
the messages read of those stored, batch by batch, ending at all of them. On the in-memory fakes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from kpi.domain.projection import ProjectionRules
from kpi.service_layer.apply_report import CONSUMER, KpiService
from kpi.service_layer.rebuild import rebuild
from kpi.service_layer.verify import verify
from support.events import report_accepted
from support.kpi_fakes import FakeDatabase
from support.kpi_replay_fakes import FakeRebuildStore, FakeReportStream

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 20, 9, tzinfo=TZ)


class Recorded:
    def __init__(self) -> None:
        self.updates: list[tuple[int, int | None]] = []

    def update(self, done: int, total: int | None = None) -> None:
        self.updates.append((done, total))

    def advance(self, amount: int = 1) -> None:
        raise AssertionError("the replays report absolute counts")


def seven_messages() -> FakeReportStream:
    stream = FakeReportStream()
    reports = [report_accepted(u, "2026-03", {"c": (5000, 10000)}) for u in ("09313", "09292", "09193")]
    reports += [report_accepted(u, "2026-02", {"c": (4000, 10000)}) for u in ("09313", "09292", "09193")]
    stream.reports = [r.model_dump_json().encode() for r in reports] + [b'{"not": "an event"}']
    return stream


def kpi(db: FakeDatabase) -> KpiService:
    return KpiService(db.transaction, load_catalogue(), FixedClock(NOW), TZ, ProjectionRules())


async def test_rebuild_reports_the_messages_read_of_the_stream_batch_by_batch() -> None:
    db, shown = FakeDatabase(), Recorded()
    await rebuild(
        FakeRebuildStore(db), seven_messages(), kpi(db).projector, CONSUMER, NOW, NOW.date(), 3, 0, shown
    )
    assert shown.updates == [(3, 7), (6, 7), (7, 7)]


async def test_verify_reports_the_messages_read_of_the_stream() -> None:
    db, shown = FakeDatabase(), Recorded()
    await verify(db.transaction, seven_messages(), kpi(db).projector, NOW.date(), batch=4, progress=shown)
    assert shown.updates == [(4, 7), (7, 7)]

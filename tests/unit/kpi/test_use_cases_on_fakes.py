"""kpi's other use cases on the in-memory stores (tests/support/kpi_fakes.py, kpi_replay_fakes.py):
the batch path, the roll-up, re-judging, the consolidated report, verify and rebuild. Fast, no I/O;
the fakes behave as the real stores (the contract tests in tests/integration/test_kpi_*_store*.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import ReportAccepted, StatusChanged
from kpi.domain.consolidated_report import ConsolidatedReport
from kpi.domain.projection import ProjectionRules
from kpi.domain.publications import Staged
from kpi.service_layer.apply_batch import apply_batch
from kpi.service_layer.apply_report import CONSUMER, FutureReport, KpiService
from kpi.service_layer.consolidate import produce
from kpi.service_layer.rebuild import rebuild
from kpi.service_layer.rejudge import rejudge
from kpi.service_layer.roll_up import refresh_rollups
from kpi.service_layer.verify import verify
from support.events import report_accepted
from support.kpi_fakes import FakeDatabase, FakeReportStores
from support.kpi_replay_fakes import FakeRebuildStore, FakeReportStream

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 20, 9, tzinfo=TZ)


def service(db: FakeDatabase, now: datetime = NOW) -> KpiService:
    return KpiService(
        transactions=db.transaction,
        catalogue=load_catalogue(),
        clock=FixedClock(now),
        tz=TZ,
        rules=ProjectionRules(),
    )


def stream_of_reports() -> list[ReportAccepted]:
    """Revisions out of order, a duplicate, two forms on one day, an unknown indicator."""
    later = report_accepted("09313", "2026-03", {"c": (5100, 10000), "d": (9900, 10000)}, revision=2)
    march = report_accepted("09313", "2026-03", {"c": (5000, 10000), "d": (6000, 10000)})
    quarterly = report_accepted(
        "09193",
        "2026-03",
        {"c": (5200, 10000), "khong_co": (1, 1)},
        received=datetime(2026, 3, 16, 8, tzinfo=TZ),
    ).model_copy(update={"form": "quarterly", "period": "2026-Q1"})
    others = [
        report_accepted(u, p, {"c": (4000, 10000)})
        for p in ("2026-01", "2026-02")
        for u in ("09292", "09193")
    ]
    return [*others, later, march, march, quarterly]


def published(outbox: list[Staged]) -> dict[str, list[tuple[str, object, object]]]:
    """Per subject, in order, the events without the ids and times each run makes anew."""
    out: dict[str, list[tuple[str, object, object]]] = {}
    for e, subject in outbox:
        out.setdefault(subject, []).append((type(e).__name__, getattr(e, "sequence", None), e.correlation_id))
    return out


def state(stores: FakeReportStores) -> tuple[object, ...]:
    projections = {k: row[:2] for k, row in stores.projections.rows.items()}
    return stores.observations.rows, projections, stores.receipts.rows, stores.processed, stores.dirty


async def test_a_batch_has_the_effects_of_applying_its_reports_one_by_one() -> None:
    events = stream_of_reports()
    one_by_one, batched = FakeDatabase(), FakeDatabase()
    for event in events:
        await service(one_by_one).apply(event)
    applied = await apply_batch(service(batched), events)
    assert applied == [True] * 5 + [True, False, True]  # the duplicate counts once
    assert state(batched.committed) == state(one_by_one.committed)
    assert published(batched.committed.outbox) == published(one_by_one.committed.outbox)
    reporting = [key for key in batched.committed.locks if key[0].startswith("reporting:")]
    assert batched.committed.locks[-len(reporting) :] == sorted(reporting)  # the reporting locks last
    assert await apply_batch(service(batched), events[:2]) == [False, False]  # a redelivery


async def test_a_future_report_fails_the_batch_before_anything_is_written() -> None:
    db = FakeDatabase()
    with pytest.raises(FutureReport):
        await apply_batch(
            service(db), [*stream_of_reports(), report_accepted("09313", "2099-12", {"c": (1, 2)})]
        )
    assert db.committed == FakeDatabase().committed


async def test_the_rollup_recomputes_the_province_of_each_stale_indicator() -> None:
    db = FakeDatabase()
    await apply_batch(service(db), stream_of_reports())
    assert set(db.committed.dirty) == {"c", "d"}
    assert await refresh_rollups(service(db)) == 2
    assert db.committed.dirty == {}
    province = db.committed.projections.rows[("24", "c")][0]
    assert province.units_reporting == 3
    assert await refresh_rollups(service(db)) == 0


async def test_rejudging_publishes_the_statuses_the_new_year_changes() -> None:
    db = FakeDatabase()
    kpi = service(db, datetime(2025, 12, 31, 10, tzinfo=TZ))
    for period, numerator in {"2025-11": 8400, "2025-12": 8500}.items():
        await kpi.apply(report_accepted("09313", period, {"c": (numerator, 10000)}))
    await refresh_rollups(kpi)
    assert await rejudge(kpi) == 0
    before = len(db.committed.outbox)
    assert await rejudge(service(db, datetime(2026, 1, 1, 0, 5, tzinfo=TZ))) == 2
    changes = [e for e, _ in db.committed.outbox[before:] if isinstance(e, StatusChanged)]
    assert {(c.unit_code, c.from_status, c.to_status) for c in changes} == {
        ("09313", "achieved", "at_risk"),
        ("24", "achieved", "at_risk"),
    }


class FakeFiles:
    """The report's files, without rendering them (kpi.adapters.consolidated_files does)."""

    def xlsx(self, report: ConsolidatedReport, tz: ZoneInfo) -> bytes:
        return f"xlsx {report.period}".encode()

    def html(self, report: ConsolidatedReport, tz: ZoneInfo) -> str:
        return f"<p>{report.period}</p>"


async def test_the_consolidated_report_is_made_once_a_month() -> None:
    db = FakeDatabase()
    kpi = service(db, datetime(2026, 3, 24, 8, tzinfo=TZ))
    await apply_batch(kpi, stream_of_reports())
    assert await produce(kpi, "2026-03", FakeFiles())
    assert not await produce(kpi, "2026-03", FakeFiles())
    assert db.committed.archive.reports == {"2026-03": (b"xlsx 2026-03", "<p>2026-03</p>")}
    assert [s for _, s in db.committed.outbox if s.startswith("bdhvs.kpi.consolidated")] == [
        "bdhvs.kpi.consolidated.2026-03"
    ]


async def test_verify_finds_no_difference_after_applying_the_stream_and_each_tampered_row() -> None:
    db, stream = FakeDatabase(), FakeReportStream()
    events = stream_of_reports()
    stream.reports = [e.model_dump_json().encode() for e in events]
    kpi = service(db)
    await apply_batch(kpi, events)
    await refresh_rollups(kpi)
    differences, summary = await verify(db.transaction, stream, kpi.projector, NOW.date())
    assert differences == [] and summary.startswith("Không có khác biệt")

    snapshot, *rest = db.committed.projections.rows[("09292", "c")]
    db.committed.projections.rows[("09292", "c")] = (
        snapshot.__class__(**{**snapshot.as_row(), "numerator": 1}),
        *rest,
    )
    db.committed.processed.discard(events[0].event_id)
    differences, _ = await verify(db.transaction, stream, kpi.projector, NOW.date())
    assert differences == [
        "attainment 09292/c numerator: bảng 1, tính lại 4000",
        f"processed_events: sự kiện {events[0].event_id} trên luồng REPORTS chưa được áp dụng",
    ]


async def test_a_rebuild_from_the_stream_gives_what_verify_expects() -> None:
    db, stream = FakeDatabase(), FakeReportStream()
    events = stream_of_reports()
    stream.reports = [e.model_dump_json().encode() for e in events] + [b'{"not": "an event"}']
    kpi = service(db)
    result = await rebuild(FakeRebuildStore(db), stream, kpi.projector, CONSUMER, NOW, NOW.date(), batch=3)
    assert (result.events, result.skipped, result.future) == (8, 1, 0)
    assert result.projections == len(db.committed.projections.rows) > 0
    assert (await verify(db.transaction, stream, kpi.projector, NOW.date()))[0] == []
    assert {e.event_id for e in events} <= db.committed.processed

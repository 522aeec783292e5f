"""Streams and durable consumers are provisioned explicitly: created, and updated when the code changes."""

from __future__ import annotations

from bdhvs_shared.nats.consumers import DurableConsumer, ensure_consumer
from bdhvs_shared.nats.streams import DUPLICATE_WINDOW_SECONDS, STREAM_SUBJECTS, ensure_streams
from support.bus import jetstream


async def test_streams_have_their_declared_subjects_and_dedup_window(clean_nats: str) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, list(STREAM_SUBJECTS))
        await ensure_streams(js, list(STREAM_SUBJECTS))  # a second service starting: no conflict
        for name, subjects in STREAM_SUBJECTS.items():
            config = (await js.stream_info(name)).config
            assert config.subjects == subjects
            assert config.duplicate_window == DUPLICATE_WINDOW_SECONDS


async def test_a_changed_max_deliver_reaches_an_existing_durable(clean_nats: str) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
        consumer = DurableConsumer("REPORTS", "kpi-reports", "bdhvs.report.accepted.>", max_deliver=3)
        await ensure_consumer(js, consumer)
        assert (await js.consumer_info("REPORTS", "kpi-reports")).config.max_deliver == 3
        await ensure_consumer(
            js,
            DurableConsumer(
                "REPORTS", "kpi-reports", "bdhvs.report.accepted.>", max_deliver=8, ack_wait_seconds=45
            ),
        )
        config = (await js.consumer_info("REPORTS", "kpi-reports")).config
        assert (config.max_deliver, config.ack_wait) == (8, 45)

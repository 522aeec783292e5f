"""Group commit on PostgreSQL: the same submissions sent at once (one batch) and one by one store
the same rows, staged events (in the same order per subject) and retry keys, and give the same
replies; a report that needs confirmation and one the database refuses, in the middle of the
batch, fail alone. The batcher's own rules on fakes: tests/unit/intake/test_group_commit.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.adapters import stores as pg_stores
from intake.service_layer.group_commit import GroupCommit, GroupCommitPolicy
from intake.service_layer.submit_report import IntakeService
from support.databases import sessions_on_a_copy
from support.events import TZ
from support.intake_submit import MIXED, MIXED_REPLIES, Input, replies, send, submit_service

APRIL_15 = datetime(2026, 4, 15, 9, tzinfo=TZ)
REFUSED_UNIT = "09193"  # a trigger makes the database refuse its report (an error mid-batch)

# support.intake_submit's MIXED with, in the middle, a report the database refuses and, at the end,
# 09292's February.
INPUTS: list[Input] = [
    *MIXED[:3],
    (REFUSED_UNIT, "2026-03", 4000, None),
    *MIXED[3:],
    ("09292", "2026-02", 4000, None),
]
REFUSE = [
    f"""CREATE FUNCTION intake.refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.unit_code = '{REFUSED_UNIT}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER refuse_for_test BEFORE INSERT ON intake.reports"
    " FOR EACH ROW EXECUTE FUNCTION intake.refuse_for_test()",
]


@asynccontextmanager
async def database(postgres_url: str, template: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with sessions_on_a_copy(postgres_url, template) as sessions:
        async with sessions() as session, session.begin():
            for statement in REFUSE:
                await session.execute(text(statement))
        yield sessions


def service(sessions: async_sessionmaker[AsyncSession], policy: GroupCommitPolicy | None) -> IntakeService:
    return submit_service(pg_stores.transactions(sessions), APRIL_15, policy)


async def stored(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """What the database holds, without the random ids."""
    async with sessions() as session:
        revisions = (
            await session.execute(
                text(
                    "SELECT r.unit_code, r.period, r.latest_revision, r.on_time, r.deadline, v.revision,"
                    " v.values, v.received_at, v.submitted_by FROM intake.reports r"
                    " JOIN intake.report_revisions v ON v.report_id = r.id ORDER BY 1, 2, 6"
                )
            )
        ).all()
        outbox = (
            await session.execute(
                text("SELECT subject, payload, created_at FROM intake.outbox ORDER BY created_at")
            )
        ).all()
        keys = (
            await session.execute(
                text(
                    "SELECT k.key, k.request_sha256, r.unit_code, v.revision FROM intake.idempotency_keys k"
                    " JOIN intake.report_revisions v ON v.event_id = k.event_id"
                    " JOIN intake.reports r ON r.id = v.report_id ORDER BY 1"
                )
            )
        ).all()
    per_subject: dict[str, list[tuple[str, int, int]]] = {}
    for subject, payload, _ in outbox:
        event = json.loads(payload)
        per_subject.setdefault(subject, []).append(
            (event["period"], event["revision"], event["values"]["c"]["numerator"])
        )
    times = [created_at for _, _, created_at in outbox]
    assert len(set(times)) == len(times)  # the relay's order has no ties (migration 0008)
    return {
        "revisions": [tuple(r) for r in revisions],
        "outbox": per_subject,
        "keys": [tuple(k) for k in keys],
    }


@dataclass
class BothWays:
    """The same submissions sent one by one to one database and at once to another."""

    alone: list[object]
    together: list[object]
    batcher: GroupCommit[Any, Any]
    stored_alone: dict[str, Any]
    stored_together: dict[str, Any]


async def both_ways(postgres_url: str, template: str, inputs: list[Input]) -> BothWays:
    async with (
        database(postgres_url, template) as alone_db,
        database(postgres_url, template) as batch_db,
    ):
        alone = await send(service(alone_db, None), inputs, together=False)
        batched = service(batch_db, GroupCommitPolicy(max_batch=16, writers=1))
        together = await send(batched, inputs, together=True)
        assert batched._batcher is not None
        return BothWays(alone, together, batched._batcher, await stored(alone_db), await stored(batch_db))


async def test_a_batch_stores_and_answers_what_one_by_one_stores(
    postgres_url: str, template_database: str
) -> None:
    sent = await both_ways(postgres_url, template_database, INPUTS)
    assert replies(sent.together) == replies(sent.alone)
    assert isinstance(sent.together[3], Exception)  # the database's refusal, raised to its caller only
    answered = replies(sent.together)[:3] + replies(sent.together)[4:]
    assert answered == [*MIXED_REPLIES, ("09292", "2026-02", 1, False)]
    assert sent.batcher.fallbacks == 1
    assert sent.stored_together == sent.stored_alone


async def test_a_batch_without_failures_is_one_transaction_equal_to_one_by_one(
    postgres_url: str, template_database: str
) -> None:
    fine = [i for i in INPUTS if i[0] != REFUSED_UNIT and i[:2] != ("09313", "2026-03")]
    sent = await both_ways(postgres_url, template_database, fine)
    assert replies(sent.together) == replies(sent.alone)
    assert not any(isinstance(o, Exception) for o in sent.together)
    assert (sent.batcher.batches, sent.batcher.fallbacks) == (1, 0)
    assert sent.stored_together == sent.stored_alone

"""After the campaign: wait until the system has drained, then check every invariant against the data."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import asyncpg
import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from bdhvs_local.bench.baselines import asyncpg_dsn

CONSUMERS = (("REPORTS", "kpi-reports"), ("REPORTS", "notifier-reports"), ("KPI", "notifier-kpi"))
UNSETTLED = {
    "kpi consumer": None,
    "roll-ups": "SELECT count(*) FROM kpi.rollup_dirty",
    "intake outbox": "SELECT count(*) FROM intake.outbox WHERE published_at IS NULL",
    "kpi outbox": "SELECT count(*) FROM kpi.outbox WHERE published_at IS NULL",
    # alerts waiting for the tick to group them become notifications after the drain otherwise: the
    # long form's verdict found one intent pending that the drain had not waited for
    "alert queue": "SELECT count(*) FROM notifier.alert_items WHERE state = 'pending'",
    "notifications": "SELECT count(*) FROM notifier.notifications WHERE status = 'pending'",
}


@dataclass
class Findings:
    stored: int = 0  # report revisions intake stored
    lost: int = 0  # stored but never applied by kpi
    applied_twice: int = 0  # a report whose effect kpi published more than once on one subject
    verify_ok: bool = False
    verify_tail: str = ""
    intents_lost: int = 0  # still pending after the drain, failed without a reason, or sent but not received
    intents: Counter[str] | None = None
    found_unknown: int = 0  # requests the client gave up on, found stored
    sent_not_received: int = 0  # intents marked sent whose key no receiver has (lost on the way)


def receipt_key(channel: str, notification_id: str, idempotency_key: str) -> str:
    """The key a receiver counts a notification by: the SMS gateway's RequestId is its id."""
    return notification_id if channel == "sms" else idempotency_key


def sent_not_received(rows: list[dict[str, Any]], received: dict[str, Counter[str]]) -> int:
    """Intents the notifier marked sent that their channel's receiver never got."""
    return sum(
        1
        for r in rows
        if r["status"] == "sent"
        and not received.get(r["channel"], Counter())[
            receipt_key(r["channel"], str(r["id"]), r["idempotency_key"])
        ]
    )


def unexplained_duplicates(
    received: dict[str, Counter[str]], ids: dict[tuple[str, str], str], cut: Counter[str]
) -> int:
    """Deliveries of a key beyond the first that no cut attempt of its own notification accounts for:
    a crash mid-send may cause one re-send of the attempt it cut, nothing else may."""
    return sum(
        max(0, n - 1 - cut[ids.get((channel, key), "")])
        for channel, counted in received.items()
        for key, n in counted.items()
    )


async def notification_ids(database_url: str) -> dict[tuple[str, str], str]:
    """(channel, the key its receiver counts by) -> notification id."""
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await db.fetch("SELECT id, channel, idempotency_key FROM notifier.notifications")
    finally:
        await db.close()
    keys = ((r["channel"], receipt_key(r["channel"], str(r["id"]), r["idempotency_key"]), r) for r in rows)
    return {(channel, key): str(r["id"]) for channel, key, r in keys}


async def drain(database_url: str, nats_url: str, timeout: float) -> list[str]:
    """Wait until nothing is left to do (or `timeout`); the names of what is still busy."""
    deadline = time.monotonic() + timeout
    busy: list[str] = list(UNSETTLED)
    while busy and time.monotonic() < deadline:
        try:
            busy = await _busy(database_url, nats_url)
        except Exception as error:  # a server still coming back
            busy = [f"unreachable: {error!r}"[:100]]
        if busy:
            await asyncio.sleep(1.0)
    return busy


async def _busy(database_url: str, nats_url: str) -> list[str]:
    busy = []
    nc = await nats.connect(nats_url, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        for stream, durable in CONSUMERS:
            info = await js.consumer_info(stream, durable)
            if info.num_pending or info.num_ack_pending:
                busy.append(f"{stream}/{durable}")
    finally:
        await nc.close()
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        for name, query in UNSETTLED.items():
            if query is not None and await db.fetchval(query):
                busy.append(name)
    finally:
        await db.close()
    return busy


async def findings(
    database_url: str, nats_url: str, unknown: list[dict[str, Any]], received: dict[str, Counter[str]]
) -> Findings:
    found = Findings()
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        stored = {str(r["event_id"]) for r in await db.fetch("SELECT event_id FROM intake.report_revisions")}
        applied = {str(r["event_id"]) for r in await db.fetch("SELECT event_id FROM kpi.processed_events")}
        found.stored, found.lost = len(stored), len(stored - applied)
        found.found_unknown = sum([await _stored(db, body) for body in unknown])
        rows = await db.fetch(
            "SELECT id, channel, idempotency_key, status, last_error FROM notifier.notifications"
        )
        found.sent_not_received = sent_not_received([dict(r) for r in rows], received)
        found.intents = Counter(r["status"] for r in rows)
        found.intents_lost = found.sent_not_received + sum(
            1
            for r in rows
            if r["status"] not in ("sent", "failed") or (r["status"] == "failed" and not r["last_error"])
        )
    finally:
        await db.close()
    found.applied_twice = await _published_twice(nats_url)
    return found


async def _stored(db: asyncpg.Connection, body: dict[str, Any]) -> int:
    """1 if a report the client gave up on was stored after all (found by its unique figures)."""
    return int(
        await db.fetchval(
            "SELECT count(*) FROM intake.report_revisions v JOIN intake.reports r ON r.id = v.report_id "
            "WHERE r.unit_code = $1 AND r.period = $2 AND (v.values -> 'c' ->> 'numerator')::bigint = $3 "
            "AND (v.values -> 'd' ->> 'numerator')::bigint = $4",
            body["unit_code"],
            body["period"],
            body["values"]["c"]["numerator"],
            body["values"]["d"]["numerator"],
        )
        > 0
    )


async def _published_twice(nats_url: str) -> int:
    """Reports kpi applied twice: a KPI event subject that carries the same report (correlation id)
    more than once means the report moved the projection twice."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            "bdhvs.kpi.attainment.>",
            stream="KPI",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        seen: Counter[tuple[str, str]] = Counter()
        while True:  # until a fetch finds nothing more (a short batch raises a timeout too)
            try:
                batch = await sub.fetch(500, timeout=5)
            except (TimeoutError, nats.errors.TimeoutError):
                break
            for msg in batch:
                seen[(msg.subject, (msg.headers or {}).get("ce-correlationid", ""))] += 1
                await msg.ack()
        # the province's roll-up (24) is recomputed from the work list: one report may move it twice
        return sum(1 for (subject, _), n in seen.items() if n > 1 and ".24." not in subject)
    finally:
        await nc.close()


def kpi_verify(env: dict[str, str]) -> tuple[bool, str]:
    """`kpi verify`: projections == recomputation, receipts == the REPORTS stream (exit 0)."""
    result = subprocess.run(
        [sys.executable, "-m", "kpi", "verify"], env={**os.environ, **env}, capture_output=True, text=True
    )
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode == 0, lines[-1] if lines else ""

"""`make demo`'s short form (one quarter, ten units; the monthly and the other commune and agency forms,
without the Youth Union's weekly form: 93 of its 155 reports and most of the ledger's work at every
stop, checking nothing the other forms do not) through the real stack: every status, completeness
below 100 % with named missing units, the notifier's reminders, notices, escalations and alerts made
on their days (the clock waited for it) with their mail in the run's folder, and a rerun that changes
nothing (same reports, no new revision: every call is replayed under its Idempotency-Key)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bdhvs_local.demo import runner, tour
from bdhvs_local.demo.plan import make_plan
from bdhvs_local.ports import free_port
from bdhvs_shared.catalogue import load_catalogue

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = datetime(2026, 12, 3, 9, tzinfo=TZ)
pytestmark = pytest.mark.timeout(1800)  # its own stack, 66 reports twice, 177 stops: 20 min at load 25-50
STATUSES = {"achieved", "on_track", "at_risk", "off_track", "insufficient_data"}


async def test_the_short_demo_fills_every_status_and_a_rerun_changes_nothing(
    database_url: str,
    clean_nats: str,
    db: asyncpg.Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NATS_URL", clean_nats)
    monkeypatch.setenv("SMTP_HOST", "mail.example.org")  # demo mode ignores it: the local catcher only
    catalogue = load_catalogue()
    plan = make_plan(catalogue, UNTIL, months=3, units=10, youth_weekly=False)
    ports = {name: free_port() for name in ("intake", "kpi", "notifier")}
    stack, _ = runner.demo_stack(tmp_path, ports, runner.plan_start(plan))
    stack.start()
    try:
        first = await asyncio.to_thread(runner.fill, stack, plan, catalogue)
        counts = await _counts(db)
        history = await db.fetch("SELECT kind, created_at FROM notifier.notifications")
        mail = await _mail(db, tmp_path)
        rerun = await asyncio.to_thread(runner.fill, stack, plan, catalogue)
        assert await _counts(db) == counts
        assert await _mail(db, tmp_path) == mail  # the rerun made and sent nothing new
        tokens = json.loads((tmp_path / "demo" / "tokens.json").read_text())
        assert stack.endpoints is not None
        found = tour.statuses(stack.endpoints, tokens["operator"])
        missing = tour.completeness(stack.endpoints, tokens["operator"], "2026-10")["missing"]
    finally:
        stack.stop()
    assert first.merged and not rerun.merged
    assert first.tally["stored"] + first.tally["confirmed"] == counts[1]  # a revision each
    assert first.tally["confirmed"] >= 1  # the falling unit's drop, confirmed by its clerk
    assert set(rerun.tally) <= {"replayed", "confirmed_replayed"}
    assert set(found.values()) >= STATUSES
    often_missing = {c for c, p in plan.profiles.items() if p.misses_often}
    assert often_missing & {u["unit_code"] for u in missing}  # named among the missing
    # every notification due was sent before the fill returned (the stack may stop right after): the
    # run's mail is what the plan makes, not what the dispatcher got through under this machine's load
    assert first.unsent == 0 and rerun.unsent == 0
    sent, files, due_unsent, texts, texted = mail
    assert due_unsent == 0 and sent == files > 0
    assert texts == texted > 0  # the chairmen given a phone (sms_contacts.py): each SMS at the gateway once
    # the notifier caught up at the clock's stops: its notices went out on their days, not at the end
    assert first.waits > 10 and first.late_stops == 0 and rerun.waits == 0
    assert first.acknowledged >= 1 and rerun.acknowledged == 0  # the operators' mornings
    kinds = {row["kind"] for row in history}
    # kpi_recovered is left out: in this plan without the weekly form no unit recovered (seen 2026-12-04)
    assert {"deadline_reminder", "deadline_overdue", "deadline_escalation"} <= kinds
    assert kinds & {"kpi_below_target", "kpi_repeat"}
    days = {row["created_at"].astimezone(TZ).date() for row in history if row["kind"] == "deadline_reminder"}
    assert len(days) >= 5 and min(days) < UNTIL.date() - timedelta(days=30)


async def _mail(db: asyncpg.Connection, run_dir: Path) -> tuple[int, int, int, int, int]:
    """Emails sent, mail files in the run's folder, notifications due by the demo's clock still queued,
    SMS sent, and messages the loopback SMS gateway kept."""
    clock = datetime.fromisoformat((run_dir / "demo" / "clock").read_text())
    sent = "SELECT count(*) FROM notifier.notifications WHERE channel = $1 AND status = 'sent'"
    return (
        await db.fetchval(sent, "email"),
        len(list((run_dir / "mail").glob("*.eml"))),
        await db.fetchval(
            "SELECT count(*) FROM notifier.notifications WHERE status = 'pending' AND next_attempt_at <= $1",
            clock,
        ),
        await db.fetchval(sent, "sms"),
        len(list((run_dir / "sms").glob("*.json"))),
    )


async def _counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    """Reports, revisions and catalogue versions (the merge published one)."""
    return (
        await db.fetchval("SELECT count(*) FROM intake.reports"),
        await db.fetchval("SELECT count(*) FROM intake.report_revisions"),
        await db.fetchval("SELECT count(*) FROM intake.catalogue_versions"),
    )

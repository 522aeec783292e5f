"""The demo's clerks confirm what intake asks them to, and a rerun replays that confirmation instead
of asking again (intake stand-in: an httpx MockTransport with the Idempotency-Key contract)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bdhvs_local.demo.plan import Report
from bdhvs_local.demo.submit import CONFIRMATION, Confirmations, submit_all


class Intake:
    """Stores a report once per Idempotency-Key; asks to confirm a falling figure while `drop` holds
    (a later correction of the period before can end it); a 422 is not kept under its key."""

    def __init__(self) -> None:
        self.drop = True
        self.stored: dict[str, dict[str, object]] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        key, body = request.headers["Idempotency-Key"], json.loads(request.content)
        if key in self.stored:
            return httpx.Response(200, headers={"Idempotent-Replayed": "true"}, json={})
        if self.drop and not body.get("confirm"):
            return httpx.Response(422, json={"errors": [{"code": CONFIRMATION, "field": "values"}]})
        self.stored[key] = body
        return httpx.Response(201, json={})


async def _file(intake: Intake, reports: list[Report], folder: Path) -> Counter[str]:
    tally: Counter[str] = Counter()
    transport = httpx.MockTransport(intake.handle)
    async with httpx.AsyncClient(transport=transport) as client:
        await submit_all(
            client, "http://intake", {"commune:09313": "t"}, reports, tally, Confirmations(folder)
        )
    return tally


def test_a_confirmed_report_is_replayed_on_a_rerun_even_when_nothing_asks_to_confirm_it(
    tmp_path: Path,
) -> None:
    report = Report(datetime(2026, 3, 10, tzinfo=UTC), "commune:09313", {"form": "monthly"}, "k1")
    intake, kept = Intake(), tmp_path / "confirmed.txt"
    assert asyncio.run(_file(intake, [report], kept)) == {"confirmed": 1}
    assert list(intake.stored) == ["k1-confirmed"] and kept.read_text().split() == ["k1"]
    intake.drop = False  # asked again, intake would now store it as a new revision
    assert asyncio.run(_file(intake, [report], kept)) == {"confirmed_replayed": 1}
    assert list(intake.stored) == ["k1-confirmed"]  # nothing new

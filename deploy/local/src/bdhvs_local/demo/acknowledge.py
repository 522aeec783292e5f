"""The demo's operators acknowledge some alerts, as people would: at a morning stop of the clock, about
one open, unacknowledged violation in three that has been alerted at least a day is acknowledged
through the notifier's API (which stops its repeats until its status changes). Which ones is seeded
by the violation, so a rerun picks the same (and acknowledging again changes nothing)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import partial

import httpx

from bdhvs_local.demo.submit import retrying

SHARE = 3  # one in three
AFTER = timedelta(days=1)
REASON = "Đã nắm tình hình, đang đôn đốc đơn vị (demo)"


def chosen(violation_id: int, seed: int) -> bool:
    digest = hashlib.sha256(f"{seed}-ack-{violation_id}".encode()).digest()
    return digest[0] % SHARE == 0


async def acknowledge_some(
    client: httpx.AsyncClient, notifier_url: str, token: str, now: datetime, seed: int
) -> int:
    """Acknowledge the chosen violations alerted at least a day before `now`; returns how many."""
    headers = {"Authorization": f"Bearer {token}"}
    params: dict[str, str | int] = {"state": "open", "limit": 1000}
    reply = await retrying(
        lambda: client.get(f"{notifier_url}/api/v1/violations", params=params, headers=headers)
    )
    reply.raise_for_status()
    done = 0
    for v in reply.json()["items"]:
        alerted = v["alerted_at"] and datetime.fromisoformat(v["alerted_at"]) <= now - AFTER
        if v["acknowledged_at"] is None and alerted and chosen(v["id"], seed):
            url = f"{notifier_url}/api/v1/violations/{v['id']}/acknowledge"
            answer = await retrying(partial(client.post, url, json={"reason": REASON}, headers=headers))
            done += answer.status_code == 200  # 409: resolved meanwhile
    return done

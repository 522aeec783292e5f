"""The demo's operators acknowledge some alerts, as people would: at a morning stop of the clock, about
one open, unacknowledged violation in three that has been alerted at least a day is acknowledged
through the notifier's API (which stops its repeats until its status changes). Which ones is seeded
by what the violation is (unit, indicator, when it opened on the demo's clock), so a rerun and
another run of the same seed pick the same (and acknowledging again changes nothing). Not by its id:
the notifier numbers the violations opened at one instant in the order its consumers happen to
take them, which differs from run to run."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx

from bdhvs_local.demo.submit import retrying

SHARE = 3  # one in three
AFTER = timedelta(days=1)
REASON = "Đã nắm tình hình, đang đôn đốc đơn vị (demo)"


def chosen(unit_code: str, indicator: str, opened_at: str, seed: int) -> bool:
    when = datetime.fromisoformat(opened_at).astimezone(UTC).isoformat()  # however the API spells it
    digest = hashlib.sha256(f"{seed}-ack-{unit_code}-{indicator}-{when}".encode()).digest()
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
        picked = chosen(v["unit_code"], v["indicator"], v["opened_at"], seed)
        if v["acknowledged_at"] is None and alerted and picked:
            url = f"{notifier_url}/api/v1/violations/{v['id']}/acknowledge"
            answer = await retrying(partial(client.post, url, json={"reason": REASON}, headers=headers))
            done += answer.status_code == 200  # 409: resolved meanwhile
    return done

"""The clerks' HTTP calls: each report with its Idempotency-Key, confirmed when intake asks (a falling
cumulative figure: the clerk checked it), retried after a 503 or a dropped connection."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bdhvs_local.demo.plan import Merge, Report

CONFIRMATION = "report.confirmation_required"


class Refused(RuntimeError):
    pass


class Confirmations:
    """The Idempotency-Keys of the reports intake asked to confirm, kept in the run's folder (a line
    each, written before the confirming call). A rerun sends those straight to their confirming call,
    which replays: asked again, intake might find nothing to confirm any more (a later correction of
    the period before changed what the figure is compared with) and store the report a second time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._keys = set(path.read_text().split()) if path.exists() else set()

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        self._keys.add(key)
        with self._path.open("a") as file:
            file.write(key + "\n")


async def submit_all(
    client: httpx.AsyncClient,
    intake_url: str,
    tokens: dict[str, str],
    reports: list[Report],
    tally: Counter[str],
    confirmations: Confirmations,
) -> None:
    """Every report of one instant: 16 clerks at a time, each clerk's reports one after the other in
    the plan's order (a correction after its report, next week's after this week's: filed at once,
    which one intake saw first, and so whether a falling figure needed confirming, would vary)."""
    limit = asyncio.Semaphore(16)
    by_filer: dict[str, list[Report]] = {}
    for report in reports:
        by_filer.setdefault(report.filer, []).append(report)

    async def clerk(own: list[Report]) -> None:
        async with limit:
            for report in own:
                tally[await submit(client, intake_url, tokens[report.filer], report, confirmations)] += 1

    await asyncio.gather(*(clerk(own) for own in by_filer.values()))


async def submit(
    client: httpx.AsyncClient, intake_url: str, token: str, report: Report, confirmations: Confirmations
) -> str:
    """stored, replayed, confirmed (stored after confirming) or confirmed_replayed."""
    url = f"{intake_url}/api/v1/reports"
    if report.key not in confirmations:
        reply = await _post(client, url, token, report.key, report.body)
        if not (reply.status_code == 422 and _codes(reply) & {CONFIRMATION}):
            return _outcome(reply, report, "stored")
        confirmations.add(report.key)
    body = {**report.body, "confirm": True}
    reply = await _post(client, url, token, f"{report.key}-confirmed", body)
    return _outcome(reply, report, "confirmed")


def _outcome(reply: httpx.Response, report: Report, stored: str) -> str:
    if reply.status_code == 200 or reply.headers.get("Idempotent-Replayed") == "true":
        return f"{stored}_replayed" if stored != "stored" else "replayed"
    if reply.status_code != 201:
        raise Refused(f"{report.key}: {reply.status_code} {reply.text[:500]}")
    return stored


async def merge(client: httpx.AsyncClient, intake_url: str, admin_token: str, step: Merge) -> bool:
    """Publish the merge unless the catalogue already has it (a rerun); True when it was published."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    current = await client.get(f"{intake_url}/api/v1/admin/catalogue/files/units.csv", headers=headers)
    current.raise_for_status()
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(current.json()["content"]))}
    if all(rows.get(c, {}).get("active_to") for c in step.sources if c != step.into):
        return False
    body = {
        "sources": list(step.sources),
        "into_code": step.into,
        "effective": step.effective.isoformat(),
        "summary": "Sáp nhập (dữ liệu minh hoạ của bản demo)",
    }
    reply = await client.post(f"{intake_url}/api/v1/admin/units/merge", json=body, headers=headers)
    if reply.status_code != 200:
        raise Refused(f"merge {step.sources}: {reply.status_code} {reply.text[:500]}")
    return True


async def _post(
    client: httpx.AsyncClient, url: str, token: str, key: str, body: dict[str, Any]
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return await retrying(lambda: client.post(url, json=body, headers=headers))


async def retrying(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """`send()` again after a 503 (a service shedding load or waiting for its database: Retry-After)
    or a dropped connection: on a loaded machine the services answer so for a while."""
    for attempt in range(50):
        try:
            reply = await send()
        except httpx.TransportError:
            if attempt >= 3:
                raise
            continue
        if reply.status_code != 503:
            return reply
        await asyncio.sleep(float(reply.headers.get("Retry-After", "1")))
    return reply


def _codes(reply: httpx.Response) -> set[str]:
    try:
        return {e.get("code") for e in reply.json().get("errors", [])}
    except ValueError:
        return set()

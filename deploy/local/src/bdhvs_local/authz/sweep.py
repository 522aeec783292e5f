"""Send every probe for every (commune token, other unit) pair, a bounded number at a time, and
count the answers: refused (401, 403, or 404 where intake does not reveal another unit's report),
allowed (2xx/3xx: a hole), and anything else (a 5xx, a timeout, a 4xx that is no refusal)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bdhvs_local.authz.probes import PROBES, WHOLE_PROVINCE, Probe, Request, Target
from bdhvs_local.authz.seed import Urls
from bdhvs_local.authz.web import WEB_PROBES, WEB_WHOLE_PROVINCE, WebSession

SESSION_COOKIE = "bdhvs_session"  # the web's (web.entrypoints.http.security)
Caller = str | WebSession  # an API token, or a signed-in person's web session

REFUSED = (401, 403, 404)
RETRIES = 12


@dataclass
class Tally:
    tried: int = 0
    allowed: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def count(self, what: str, status: int) -> None:
        self.tried += 1
        self.statuses[status] += 1
        if status in REFUSED:
            return
        (self.allowed if 200 <= status < 400 else self.unexpected).append(f"{status} {what}")


@dataclass(frozen=True)
class Job:
    token: Caller
    probe: Probe
    target: Target

    def describe(self) -> str:
        request = self.probe.build(self.target)
        where = f"{self.probe.service} {request.method} {request.path} {request.params}"
        return f"{where} for unit {self.target.unit}"


def jobs(
    tokens: dict[str, str],
    targets: dict[str, Target],
    pairs: Iterable[tuple[str, str]],
    web: dict[str, WebSession] | None = None,
) -> list[Job]:
    """Every probe for every (token's unit, other unit) pair, and the whole-province probes once per
    token; with `web` (the clerks' web sessions) the web's probes too."""
    pairs = list(pairs)
    callers: list[tuple[dict[str, Any], list[Probe], list[Probe]]] = [(tokens, PROBES, WHOLE_PROVINCE)]
    if web is not None:
        callers.append((web, WEB_PROBES, WEB_WHOLE_PROVINCE))
    listed = []
    mine_once = sorted({mine for mine, _ in pairs})
    any_target = next(iter(targets.values()))
    for who, per_pair, once in callers:
        listed += [Job(who[f"commune:{mine}"], p, targets[other]) for mine, other in pairs for p in per_pair]
        listed += [Job(who[f"commune:{m}"], p, any_target) for m in mine_once for p in once]
    return listed


def _credentials(caller: Caller, request: Request) -> tuple[dict[str, str], dict[str, str] | None]:
    """The headers (a bearer token, or the web's session cookie) and the form (with its CSRF token)."""
    if isinstance(caller, str):
        return {**request.headers, "Authorization": f"Bearer {caller}"}, request.form
    form = {**(request.form or {}), "csrf": caller.csrf} if request.method == "POST" else None
    return {**request.headers, "Cookie": f"{SESSION_COOKIE}={caller.cookie}"}, form


async def send(client: httpx.AsyncClient, token: Caller, request: Request) -> int:
    """The answer's status; 0 for no answer (a timeout, or a connection lost three times)."""
    headers, form = _credentials(token, request)
    for attempt in range(RETRIES + 1):
        try:
            answer = await client.request(
                request.method,
                request.path,
                params=request.params,
                json=request.json,
                content=request.content,
                data=form,
                files=request.files,
                headers=headers,
            )
        except httpx.TimeoutException:
            return 0
        except httpx.TransportError:  # a kept-alive connection the server has just closed
            continue
        if answer.status_code != 503 or attempt == RETRIES:
            return answer.status_code
        # 503 is documented (writes shed under load, intake could not say who the token is): a
        # client tries again when Retry-After says, and so does the sweep
        await asyncio.sleep(min(float(answer.headers.get("Retry-After", "1")), 5.0))
    return 0


async def run(urls: Urls, work: list[Job], concurrency: int = 16, progress: bool = False) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = {
        s: httpx.AsyncClient(base_url=urls.of(s), timeout=60, limits=limits)
        for s in ("intake", "kpi", "notifier", "web")
        if urls.of(s)
    }
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in work:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            job = queue.get_nowait()
            status = await send(clients[job.probe.service], job.token, job.probe.build(job.target))
            tally.count(job.describe(), status)
            if progress and tally.tried % 20_000 == 0:
                print(f"authz: {tally.tried} of {len(work)} tried", flush=True)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        for client in clients.values():
            await client.aclose()
    return tally

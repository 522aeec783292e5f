"""The web figures (`make bench`, issue 13): the server time of the province dashboard and of a
commune page over 99 communes × 24 months of reports, and how long a report takes from its 201
to the dashboard's live part showing it.

The 24 months are seeded through intake's own API in bulk (one CSV import of the 99 communes per
month, as an operator would), so intake, kpi and the notifier hold what they would after two
years. The current month leaves `MISSING` communes unreported: the visibility run reports them.
Pages are fetched one at a time by a person signed in through the sign-in page (an operator).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

import httpx

from bdhvs_local.bench.report import _pct

MISSING = 9  # communes of the current month left unreported by the seed
CSV_HEADER = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n"


@dataclass(frozen=True)
class PageTimes:
    path: str
    ms: list[float]

    def line(self) -> str:
        p50, p95 = _pct(self.ms, 0.5), _pct(self.ms, 0.95)
        top = max(self.ms)
        return f"  {self.path:<28} p50 {p50:6.1f}  p95 {p95:6.1f}  max {top:6.1f} ms  (n={len(self.ms)})"


@dataclass(frozen=True)
class WebFigures:
    seeded: int  # reports stored by the seed
    seed_seconds: float
    pages: list[PageTimes]
    visible_ms: list[float]  # a report's 201 → the dashboard's live part first shows it
    poll_seconds: float  # how often the dashboard's script asks


def months_before(period: str, count: int) -> list[str]:
    """`count` monthly periods ending with `period` (YYYY-MM), oldest first."""
    year, month = (int(x) for x in period.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def month_csv(units: list[str], serial: int) -> bytes:
    """One month's import: every commune with figures that rise month after month."""
    rows = []
    for i, unit in enumerate(units):
        n = 1000 + serial * 300 + i
        rows.append(f"{unit},,{n},10000,{n},10000\r\n")
    return (CSV_HEADER + "".join(rows)).encode()


async def seed(intake: str, token: str, units: list[str], periods: list[str]) -> tuple[int, float]:
    """One committed CSV import per month; the last month (the dashboard's) leaves MISSING out."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    stored, start = 0, time.perf_counter()
    async with httpx.AsyncClient(base_url=intake, timeout=120) as client:
        for serial, period in enumerate(periods):
            chosen = units[:-MISSING] if serial == len(periods) - 1 else units
            params = {"form": "monthly", "period": period, "dry_run": "false", "confirm": "true"}
            reply = await client.post(
                "/api/v1/imports", content=month_csv(chosen, serial), params=params, headers=headers
            )
            if reply.status_code != 200:
                raise RuntimeError(f"seed import {period}: {reply.status_code} {reply.text[:500]}")
            stored += len(reply.json()["rows"])
    return stored, time.perf_counter() - start


async def signed_in(web: str, username: str, password: str) -> httpx.AsyncClient:
    """A client holding a person's session cookie, got through the sign-in page and its CSRF token."""
    client = httpx.AsyncClient(base_url=web, timeout=60)
    page = await client.get("/dang-nhap")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    if found is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    form = {"username": username, "password": password, "csrf": found.group(1)}
    reply = await client.post("/dang-nhap", data=form)
    if reply.status_code != 303 or "bdhvs_session" not in client.cookies:
        raise RuntimeError(f"sign-in refused: {reply.status_code}")
    return client


async def page_times(client: httpx.AsyncClient, path: str, count: int, warmup: int = 3) -> PageTimes:
    """`count` requests one after the other (after `warmup`), each timed from send to last byte."""
    timings = []
    for i in range(warmup + count):
        start = time.perf_counter()
        reply = await client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
        if reply.status_code != 200:
            raise RuntimeError(f"GET {path}: {reply.status_code}")
        if i >= warmup:
            timings.append(elapsed)
    return PageTimes(path, timings)


@dataclass(frozen=True)
class Live:
    """What the dashboard page tells its script: where to ask, the version it shows, how often."""

    period: str
    version: str
    poll_seconds: float


async def live_of(client: httpx.AsyncClient) -> Live:
    page = await client.get("/tong-quan")
    found = re.search(
        r'data-url="/tong-quan/truc-tiep\?ky=([^"]+)" data-version="([^"]*)" data-ms="([0-9]+)"', page.text
    )
    if page.status_code != 200 or found is None:
        raise RuntimeError(f"the dashboard has no live part: {page.status_code}")
    return Live(found.group(1), found.group(2), int(found.group(3)) / 1000)


async def visibility(
    client: httpx.AsyncClient, intake: str, token: str, units: list[str], step: float = 0.05
) -> list[float]:
    """Per unit: POST its report for the dashboard's month, then ask the live part every `step` s
    (with the version the page holds) until it answers with new HTML; ms from the 201 to that."""
    live = await live_of(client)
    period, version = live.period, live.version
    figures = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=intake, timeout=60) as api:
        for i, unit in enumerate(units):
            values = {k: {"numerator": 5000 + i, "denominator": 10000} for k in ("c", "d")}
            body = {"unit_code": unit, "form": "monthly", "period": period, "values": values, "confirm": True}
            reply = await api.post("/api/v1/reports", json=body, headers=headers)
            accepted = time.perf_counter()
            if reply.status_code != 201:
                raise RuntimeError(f"report {unit} {period}: {reply.status_code} {reply.text[:300]}")
            version = await _changed(client, period, version, deadline=accepted + 30, step=step)
            figures.append((time.perf_counter() - accepted) * 1000)
    return figures


async def _changed(client: httpx.AsyncClient, period: str, version: str, deadline: float, step: float) -> str:
    while time.perf_counter() < deadline:
        live = await client.get("/tong-quan/truc-tiep", params={"ky": period, "v": version})
        if live.status_code == 200:
            return live.headers["X-Version"]
        await asyncio.sleep(step)
    raise RuntimeError("the dashboard did not change within 30 s of a report's 201")


def report_lines(f: WebFigures) -> list[str]:
    shown = f.visible_ms
    return [
        f"web: {f.seeded} reports seeded through intake's CSV import in {f.seed_seconds:.1f} s "
        "(99 communes × 24 months), one operator signed in; server time per page, one request at a time",
        *(p.line() for p in f.pages),
        f"  report 201 → dashboard's live part shows it: p50 {_pct(shown, 0.5):.0f}  "
        f"max {max(shown):.0f} ms (n={len(shown)}); the page asks every {f.poll_seconds:g} s, "
        f"so a browser shows it within {max(shown) / 1000 + f.poll_seconds:.1f} s",
    ]

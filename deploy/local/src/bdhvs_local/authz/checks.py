"""The sweep's other checks: each probe is allowed for its control role (so a refusal is about the
caller, not a broken request); no route answers without a token but health, metrics, signing in and
the signed acknowledge link; revoked and expired tokens and ended sessions are refused by all
three services; a commune's unfiltered list holds only its own unit; and /metrics and /health
carry no secret, token or address."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import httpx

from bdhvs_local.authz.covered import PUBLIC, Operation
from bdhvs_local.authz.probes import Probe, Request, Target
from bdhvs_local.authz.seed import Urls
from bdhvs_local.authz.sweep import Caller, send

PATH_VALUES = {
    "{report_id}": "00000000-0000-0000-0000-000000000000",
    "{revision}": "1",
    "{violation_id}": "1",
    "{contact_id}": "1",
    "{username}": "nobody",
    "{name}": "units",
    "{form}": "monthly",
    "{period}": "2026-11",
    "{extension}": "csv",
}
# A token's shape (`bdhvs_` or `bdhvss_` and 43 random characters, not a metric's lower-case name),
# an e-mail address, a phone number: none belongs in a probe or a scrape.
SENSITIVE = re.compile(r"bdhvss?_(?=[a-z_]*[A-Z0-9-])[A-Za-z0-9_-]{40,}|[\w.+-]+@[\w-]+\.[\w.]+|\b0\d{9}\b")


def _client(urls: Urls, service: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=urls.of(service), timeout=60)


async def controls(
    urls: Urls, callers: Mapping[str, Caller], target: Target, probes: Iterable[Probe]
) -> list[str]:
    """Problems: a probe its control role (`callers`: API tokens or web sessions by role) is not
    allowed (the request itself would be wrong)."""
    problems = []
    for probe in probes:
        if probe.control is None:
            continue
        async with _client(urls, probe.service) as client:
            status = await send(client, callers[probe.control], probe.build(target))
        if status not in probe.control_statuses:
            problems.append(
                f"control {probe.control} got {status}: {probe.service} {probe.method} {probe.route}"
            )
    return problems


def _concrete(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace(name, value)
    return path


async def without_token(urls: Urls, operations: Iterable[Operation]) -> list[str]:
    """Problems: a documented operation answering anything but 401 without a token, or with a
    made-up one (the apps' routes no document lists: tests/unit/test_authz_coverage.py)."""
    problems = []
    requests = [(s, m.upper(), _concrete(p)) for s, m, p in operations if (s, m, p) not in PUBLIC]
    for service, method, path in requests:
        async with _client(urls, service) as client:
            for headers in ({}, {"Authorization": "Bearer bdhvs_made-up-token-0000"}):
                status = (await client.request(method, path, headers=headers)).status_code
                if status != 401:
                    problems.append(f"{service} {method} {path} without a valid token: {status}")
    return problems


async def refused_everywhere(urls: Urls, token: str, unit: str, why: str) -> list[str]:
    """Problems: one read per service that this (revoked, expired, ended) token is not refused."""
    reads = {
        "intake": Request("GET", "/api/v1/reports", {"unit": unit}),
        "kpi": Request("GET", "/api/v1/attainment", {"unit": unit}),
        "notifier": Request("GET", "/api/v1/admin/contacts", {"unit": unit}),
    }
    problems = []
    for service, request in reads.items():
        async with _client(urls, service) as client:
            status = await send(client, token, request)
        if status != 401:
            problems.append(f"{why} token: {service} {request.path} answered {status}")
    return problems


async def own_list_only(urls: Urls, token: str, unit: str) -> list[str]:
    """A commune's unfiltered lists (intake's reports, the notifier's violations) hold only its unit."""
    problems = []
    for service, path in (("intake", "/api/v1/reports"), ("notifier", "/api/v1/violations")):
        async with _client(urls, service) as client:
            answer = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        if answer.status_code != 200:
            problems.append(f"commune {unit}: {service} {path} answered {answer.status_code}")
            continue
        others = {item["unit_code"] for item in answer.json()["items"]} - {unit}
        if others:
            problems.append(f"commune {unit} lists {path} of {sorted(others)}")
    return problems


async def scrapes(urls: Urls, secrets: Iterable[str]) -> list[str]:
    """Problems: a secret, a token, an address or a phone number in /metrics or /health/*."""
    problems = []
    known = [s for s in secrets if len(s) >= 8]
    for service in ("intake", "kpi", "notifier"):
        async with _client(urls, service) as client:
            for path in ("/metrics", "/health/live", "/health/ready", "/health/workers"):
                text = (await client.get(path)).text
                leaked = [s[:6] + "…" for s in known if s in text] + SENSITIVE.findall(text)[:3]
                if leaked:
                    problems.append(f"{service} {path} shows {leaked}")
    return problems

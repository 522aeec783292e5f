"""What the authz sweep needs on a running stack: real tokens (one per commune, an operator's and
an admin's, made by `intake token create-many`) and, for each unit, a report in two revisions, its
clerk account, its directory contact, its violation if one opened, and its filled import file."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass

import httpx

from bdhvs_local.authz.probes import EARLIER_PERIOD, PERIOD, SEEDED_PERIOD, Target, report_body

MISSING_VIOLATION = 2_000_000_000  # a unit no violation opened for: the id of none


@dataclass(frozen=True)
class Urls:
    intake: str
    kpi: str
    notifier: str
    web: str = ""  # the people's pages: swept too when the stack runs them

    def of(self, service: str) -> str:
        return str(getattr(self, service))


def cli(service: str, args: list[str], env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", service, *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{service} {' '.join(args)}: {result.stderr.strip()[-2000:]}")
    return result.stdout


def tokens(units: list[str], env: dict[str, str]) -> dict[str, str]:
    """`commune:<unit>` for every unit, `operator` and `admin`: one transaction of create-many."""
    lines = [f"commune\t{u}\tauthz sweep {u}" for u in units] + [
        "operator\t-\tauthz sweep",
        "admin\t-\tauthz sweep",
    ]
    made = {}
    for row in cli("intake", ["token", "create-many"], env, "\n".join(lines) + "\n").splitlines():
        role, code, token = row.split("\t")
        made[role if code == "-" else f"{role}:{code}"] = token
    return made


def _filled(template: str) -> bytes:
    """The CSV template with every empty cell of its data rows filled with a plausible figure."""
    rows = list(csv.reader(io.StringIO(template.lstrip("\ufeff"))))
    header = next(i for i, r in enumerate(rows) if any(c.strip() for c in r))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, row in enumerate(rows):
        writer.writerow(row if i <= header else [c if c.strip() else "500" for c in row])
    return out.getvalue().encode()


async def _reports(client: httpx.AsyncClient, unit: str, operator: str) -> str:
    auth = {"Authorization": f"Bearer {operator}"}
    report_id = ""
    # Far below target and hardly moving: behind, a violation; two revisions of the last: a diff.
    for period, n in ((EARLIER_PERIOD, 100), (SEEDED_PERIOD, 110), (SEEDED_PERIOD, 120)):
        answer = await client.post("/api/v1/reports", json=report_body(unit, period, n), headers=auth)
        answer.raise_for_status()
        report_id = answer.json()["report_id"]
    return report_id


async def _template(client: httpx.AsyncClient, unit: str, operator: str) -> bytes:
    params = {"unit": unit, "period": PERIOD, "format": "csv"}
    answer = await client.get(
        "/api/v1/templates/monthly", params=params, headers={"Authorization": f"Bearer {operator}"}
    )
    answer.raise_for_status()
    return _filled(answer.text)


async def _accounts(client: httpx.AsyncClient, admin: str) -> dict[str, str]:
    """A clerk account per unit, from intake's own template (one row per active commune and ward)."""
    auth = {"Authorization": f"Bearer {admin}"}
    template = (await client.get("/api/v1/accounts/template", headers=auth)).raise_for_status().text
    rows = list(csv.DictReader(io.StringIO(template.lstrip("\ufeff"))))
    headers = {**auth, "Content-Type": "text/csv; charset=utf-8"}
    answer = await client.post(
        "/api/v1/accounts/import", params={"dry_run": "false"}, content=template.encode(), headers=headers
    )
    if answer.status_code == 409 or answer.status_code == 422:  # made by an earlier sweep of this stack
        return {r["unit_code"]: r["username"] for r in rows}
    answer.raise_for_status()
    return {r["unit_code"]: r["username"] for r in rows}


async def _contacts(client: httpx.AsyncClient, admin: str) -> dict[str, int]:
    answer = await client.get("/api/v1/admin/contacts", headers={"Authorization": f"Bearer {admin}"})
    ids: dict[str, int] = {}
    for contact in answer.raise_for_status().json():
        ids.setdefault(contact["unit_code"], contact["id"])
    return ids


async def violations(client: httpx.AsyncClient, operator: str) -> dict[str, int]:
    answer = await client.get(
        "/api/v1/violations", params={"limit": "1000"}, headers={"Authorization": f"Bearer {operator}"}
    )
    ids: dict[str, int] = {}
    for violation in answer.raise_for_status().json()["items"]:
        ids.setdefault(violation["unit_code"], violation["id"])
    return ids


async def targets(
    urls: Urls, units: list[str], made: dict[str, str], wait_s: float = 60.0
) -> dict[str, Target]:
    """Seed every unit (a bounded number at a time) and describe it as a target."""
    operator, admin = made["operator"], made["admin"]
    limits = httpx.Limits(max_connections=16)
    async with (
        httpx.AsyncClient(base_url=urls.intake, timeout=60, limits=limits) as intake,
        httpx.AsyncClient(base_url=urls.notifier, timeout=60) as notifier,
    ):
        gate = asyncio.Semaphore(16)

        async def one(unit: str) -> tuple[str, bytes]:
            async with gate:
                return await _reports(intake, unit, operator), await _template(intake, unit, operator)

        seeded = dict(zip(units, await asyncio.gather(*(one(u) for u in units)), strict=True))
        usernames, contacts = await _accounts(intake, admin), await _contacts(notifier, admin)
        opened = await _violations_of(notifier, operator, set(units), wait_s)
    return {
        u: Target(u, seeded[u][0], opened.get(u, MISSING_VIOLATION), contacts[u], usernames[u], seeded[u][1])
        for u in units
    }


async def _violations_of(
    client: httpx.AsyncClient, operator: str, units: set[str], wait_s: float
) -> dict[str, int]:
    """The units' violations (the seeded figures are below target), waiting a while for the pipeline."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        opened = await violations(client, operator)
        if units <= set(opened) or asyncio.get_running_loop().time() > deadline:
            return opened
        await asyncio.sleep(2)


async def violations_now(urls: Urls, operator: str) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=urls.notifier, timeout=60) as client:
        return await violations(client, operator)

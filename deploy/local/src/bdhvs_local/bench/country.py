"""`bench --units N`: the country simulated — a synthetic catalogue of N communes and wards, published
to the bench's stack as an admin publishes a changed catalogue.

The catalogue model has one province with its units (no level in between), so the country is one big
province: the packaged province's 99 real units, then synthetic ones standing for the other 33
provinces' communes and wards (3,321 in all after the 2025 reorganisation). Each gets a 5-digit
code no real unit of the packaged catalogue uses, a two-syllable Vietnamese name, a kind (about two
thirds `xa`), an area and a population drawn from a seeded generator: the same N and seed always
give the same file.

Publishing is intake's own path: `PUT /api/v1/admin/catalogue/files/units.csv` with the admin token
(the whole catalogue checked, stored as a version, `bdhvs.catalogue.published` through the outbox).
kpi and the notifier read the last published version at start, before their first message, so the
bench restarts them once the event is on the CATALOGUE stream rather than wait for their pollers.
The bench's operator token may submit for any unit, so no per-unit account is needed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import time
from collections.abc import Iterable

import httpx
import nats

from bdhvs_local.stack import Stack

COUNTRY_UNITS = 3321  # communes and wards of the 34 provinces after 1 July 2025
SEED = 2025
# Syllables of commune names; a name is two of them.
_NAMES = (
    "An Bình Hòa Phú Tân Thạnh Long Đông Tây Nam Bắc Hưng Thuận Phước Mỹ Xuân Vĩnh Quang Thành Lộc "
    "Hải Sơn Trung Hiệp Đức Minh Thái Lạc Yên Phong Hà Cát Lâm Định Khánh Nghĩa Tiến Hợp Lợi Thịnh"
)
_SYLLABLES = tuple(_NAMES.split())
_HEADER = ("code", "name", "kind", "area_km2", "population", "active_from", "active_to", "predecessors")


def _packaged() -> list[tuple[str, ...]]:
    from bdhvs_shared.catalogue import default_directory

    text = (default_directory() / "units.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return [tuple(r) for r in rows[1:]]


def _synthetic(count: int, taken: set[str], seed: int) -> list[tuple[str, ...]]:
    """`count` made-up units with codes the real ones leave free (names may repeat, as they do across
    the country)."""
    rng = random.Random(seed)
    codes = sorted(rng.sample(sorted(set(f"{n:05d}" for n in range(1, 33_000)) - taken), count))
    rows: list[tuple[str, ...]] = []
    for code in codes:
        ward = rng.random() < 0.33
        people = int(rng.lognormvariate(10.4 if ward else 9.9, 0.5))
        area = rng.lognormvariate(2.0 if ward else 3.4, 0.6)
        name = f"{rng.choice(_SYLLABLES)} {rng.choice(_SYLLABLES)}"
        rows.append(
            (code, name, "phuong" if ward else "xa", f"{area:.2f}", str(people), "2025-07-01", "", "")
        )
    return rows


def unit_rows(count: int, seed: int = SEED) -> list[tuple[str, ...]]:
    """The country's units.csv rows: the packaged units first (all of them when `count` is larger)."""
    real = _packaged()
    if count <= len(real):
        return real[:count]
    return real + _synthetic(count - len(real), {r[0] for r in real}, seed)


def unit_codes(count: int, seed: int = SEED) -> list[str]:
    return sorted(r[0] for r in unit_rows(count, seed))


def units_csv(rows: Iterable[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def publish(stack: Stack, count: int, seed: int = SEED) -> str:
    """Publish the country's catalogue on the bench's stack, then restart kpi and the notifier so
    they start on it; returns the new version ("" for a `count` within the packaged catalogue)."""
    if count <= len(_packaged()):
        return ""
    assert stack.endpoints is not None
    token = stack.demo_tokens()["admin"]
    version = asyncio.run(
        publish_catalogue(stack.endpoints.intake_url, stack.endpoints.nats_url, token, count, seed)
    )
    for name in ("kpi", "notifier"):
        stack.services[name].stop()
        stack.services[name].start()
    for name in ("kpi", "notifier"):
        stack.services[name].wait_ready()
    print(f"catalogue {version} published: {count} units; kpi and the notifier restarted on it", flush=True)
    return version


async def publish_catalogue(
    intake_url: str, nats_url: str, admin_token: str, count: int, seed: int = SEED
) -> str:
    """PUT the country's units.csv through intake's catalogue admin and wait until the new version is
    on the CATALOGUE stream; returns it."""
    body = {"content": units_csv(unit_rows(count, seed)), "summary": f"bench: {count} communes and wards"}
    async with httpx.AsyncClient(timeout=120) as client:
        reply = await client.put(
            f"{intake_url}/api/v1/admin/catalogue/files/units.csv",
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
        )
    if reply.status_code != 200:
        raise RuntimeError(f"catalogue refused: {reply.status_code} {reply.text[:2000]}")
    version = str(reply.json()["version"])
    await _published(nats_url, version)
    return version


async def _published(nats_url: str, version: str, timeout: float = 60.0) -> None:
    """Wait until intake's relay has put the version on the CATALOGUE stream."""
    from bdhvs_shared.events import CataloguePublished, subjects

    deadline = time.monotonic() + timeout
    async with await nats.connect(nats_url) as nc:
        js = nc.jetstream()
        while time.monotonic() < deadline:
            try:
                message = await js.get_last_msg("CATALOGUE", subjects.CATALOGUE_PUBLISHED)
                if CataloguePublished.model_validate_json(message.data or b"{}").version == version:
                    return
            except nats.js.errors.NotFoundError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"catalogue {version} not on the CATALOGUE stream after {timeout:.0f} s")

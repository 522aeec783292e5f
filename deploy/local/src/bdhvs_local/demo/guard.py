"""The demo never writes over real data: it runs only when every API token and every account in
intake is a demo one (label or display name ending in "(demo)", as `make run` and the demo make
them). One read-only query, before the demo writes anything."""

from __future__ import annotations

import asyncpg

from bdhvs_local.bench.baselines import asyncpg_dsn

MARK = "%(demo)"
_FOREIGN = """
SELECT 'token ' || label FROM intake.api_tokens WHERE label NOT LIKE $1
UNION ALL
SELECT 'account ' || username FROM intake.accounts WHERE display_name NOT LIKE $1
LIMIT 6
"""


class NotADemoDatabase(RuntimeError):
    pass


async def check(database_url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        foreign = [row[0] for row in await conn.fetch(_FOREIGN, MARK)]
    finally:
        await conn.close()
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise NotADemoDatabase(
            f"this database holds non-demo data ({shown}); the demo runs only on a demo database "
            "(a fresh .run, or another --run-dir)"
        )

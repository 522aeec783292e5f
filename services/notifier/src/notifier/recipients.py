"""Loading the recipient directory from a CSV file (unit_code,role,name,email)."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notifier.adapters.store import replace_recipients

DEMO_FILE = Path(__file__).parent / "data" / "recipients.demo.csv"


def read_recipients(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"unit_code", "role", "name", "email"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    return [
        {k: unicodedata.normalize("NFC", row[k].strip()) for k in ("unit_code", "role", "name", "email")}
        for row in rows
    ]


async def load_recipients(sessions: async_sessionmaker[AsyncSession], path: Path) -> int:
    rows = read_recipients(path)
    async with sessions() as session, session.begin():
        await replace_recipients(session, rows)
    return len(rows)

"""Loading the recipient directory from a CSV file.

Columns: unit_code, role, name, email, and optionally phone, webhook_url and
channels (preferred channels in order, e.g. "sms,email"; empty = email).
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notifier.adapters.store import replace_recipients
from notifier.domain.contacts import normalise_phone, parse_channels

DEMO_FILE = Path(__file__).parent / "data" / "recipients.demo.csv"
REQUIRED = ("unit_code", "role", "name", "email")


def _row(raw: dict[str, str | None], line: int, path: Path) -> dict[str, str | None]:
    def cell(key: str) -> str:
        return unicodedata.normalize("NFC", (raw.get(key) or "").strip())

    try:
        phone = normalise_phone(cell("phone")) if cell("phone") else None
        channels = parse_channels(cell("channels"))
    except ValueError as exc:
        raise ValueError(f"{path}, line {line}: {exc}") from exc
    webhook_url = cell("webhook_url") or None
    if webhook_url and not webhook_url.startswith(("https://", "http://")):
        raise ValueError(f"{path}, line {line}: webhook_url must be an http(s) URL")
    email = cell("email") or None
    if not (email or phone or webhook_url):
        raise ValueError(f"{path}, line {line}: no email, phone or webhook_url")
    row: dict[str, str | None] = {key: cell(key) for key in ("unit_code", "role", "name")}
    return {**row, "email": email, "phone": phone, "webhook_url": webhook_url, "channels": ",".join(channels)}


def read_recipients(path: Path) -> list[dict[str, str | None]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = set(REQUIRED) - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    return [_row(raw, line, path) for line, raw in enumerate(rows, start=2)]


async def load_recipients(sessions: async_sessionmaker[AsyncSession], path: Path) -> int:
    rows = read_recipients(path)
    async with sessions() as session, session.begin():
        await replace_recipients(session, rows)
    return len(rows)

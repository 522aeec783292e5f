"""The contact directory as a CSV file: unit_code, role, name, email, and optionally phone,
webhook_url, channels (preferred channels in order, e.g. "sms,email") and active (true/false).

Parsing is all or nothing: every problem is listed with its line, column, stable code and a
Vietnamese message, and nothing is stored while any remains.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import Catalogue, load_catalogue
from bdhvs_shared.clock import SystemClock
from notifier.domain.directory import ContactFields, check_contact

DEMO_FILE = Path(__file__).parent / "data" / "recipients.demo.csv"
REQUIRED = ("unit_code", "role", "name", "email")
MAX_ROWS = 5000
_TRUE = {"", "true", "1", "yes", "có", "co", "x"}
_FALSE = {"false", "0", "no", "không", "khong"}


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1 = the header
    column: str
    code: str
    message: str


def parse_directory(text: str, known_units: Collection[str]) -> tuple[list[ContactFields], list[LineProblem]]:
    """Every contact of the file, or the problems that keep it from being imported."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            LineProblem(1, c, "csv.column_missing", f"Thiếu cột “{c}” ở dòng tiêu đề.") for c in missing
        ]
    rows: list[ContactFields] = []
    problems: list[LineProblem] = []
    for line_index, raw in enumerate(reader):
        line = line_index + 2
        if line - 1 > MAX_ROWS:
            problems.append(
                LineProblem(line, "", "csv.too_many_rows", f"Tệp có quá {MAX_ROWS} dòng; hãy chia nhỏ.")
            )
            break
        active_text = (raw.get("active") or "").strip().lower()
        if active_text not in _TRUE | _FALSE:
            problems.append(
                LineProblem(line, "active", "contact.active_invalid", "Cột active chỉ nhận true/false.")
            )
        fields, found = check_contact(raw, known_units, active=active_text not in _FALSE)
        problems.extend(LineProblem(line, p.field, p.code, p.message) for p in found)
        if fields is not None:
            rows.append(fields)
    if not rows and not problems:
        problems.append(LineProblem(1, "", "csv.empty", "Tệp không có dòng dữ liệu nào."))
    return rows, problems


def known_units_of(catalogue: Catalogue) -> set[str]:
    """Commune and ward codes of the catalogue, and the province (24) for its departments."""
    return {*catalogue.units, catalogue.province.code}


async def load_recipients(sessions: async_sessionmaker[AsyncSession], path: Path, actor: str = "cli") -> int:
    """Replace the directory with a CSV file (the CLI and tests), audited like an admin import."""
    from notifier.directory_admin import DirectoryAdmin

    units = known_units_of(load_catalogue())
    admin = DirectoryAdmin(sessions, SystemClock(), lambda: units)
    text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    result = await admin.import_csv(actor, text, dry_run=False)
    return result.rows

"""The accounts CSV: read an admin's file (UTF-8, comma or semicolon), write the communes' template.

The first line names the columns (domain/account_rows.py: COLUMNS); each further non-blank line is
one account. Excel in a Vietnamese locale saves CSV with semicolons, so a header with semicolons and
no comma is read with semicolons. Reading stops past `max_rows` accounts, so the work is bounded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bdhvs_shared.catalogue import Unit
from bdhvs_shared.spreadsheet_safety import neutralised
from intake.domain.account_problems import refused
from intake.domain.account_rows import COLUMNS

Rows = list[tuple[int, dict[str, str]]]


def read_accounts(data: bytes, max_rows: int) -> tuple[list[str], Rows]:
    """The column keys and the rows (1-based line number, key → text); AccountRefused when unreadable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refused("accounts_file.not_utf8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    keys: list[str] | None = None
    rows: Rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if keys is None:
                keys = [c.strip().lower() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) == max_rows:
                raise refused("accounts_file.too_many_rows", limit=max_rows)
            rows.append((number, {k: v for k, v in zip(keys, cells, strict=False) if k}))
    except csv.Error as exc:
        raise refused("accounts_file.not_csv", detail=str(exc)) from None
    return keys or [], rows


def clerk_username(unit: Unit) -> str:
    """The template's username for a commune's clerk: "cb" (cán bộ) and the unit's code, e.g. cb09313."""
    return f"cb{unit.code}"


def write_template(units: Sequence[Unit]) -> bytes:
    """One clerk account per commune or ward, in the import's columns (UTF-8 with BOM, for Excel);
    email and phone left for the admin to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for unit in units:
        row = [clerk_username(unit), f"Cán bộ {unit.name}", "commune", unit.code, "", "", ""]
        writer.writerow([neutralised(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()

"""The contact directory as a CSV file: unit_code, role, name, email, and optionally phone,
webhook_url, channels (preferred channels in order, e.g. "sms,email") and active (true/false).

Parsing is all or nothing: every problem is listed with its line, column, stable code and a
Vietnamese message, and nothing is stored while any remains (pure: the text, not the file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from notifier.domain.directory import ContactFields, check_contact

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
    # newline="": the csv module sees the line endings itself (a lone CR, or one inside quotes).
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _parse(reader, known_units)
    except csv.Error as exc:  # e.g. a NUL byte, or a quote left open at the end
        line = max(reader.line_num, 1)
        return [], [LineProblem(line, "", "csv.malformed", f"Tệp CSV hỏng ở dòng {line} ({exc}).")]


def _parse(
    reader: csv.DictReader[str], known_units: Collection[str]
) -> tuple[list[ContactFields], list[LineProblem]]:
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            LineProblem(1, c, "csv.column_missing", f"Thiếu cột “{c}” ở dòng tiêu đề.") for c in missing
        ]
    rows: list[ContactFields] = []
    problems: list[LineProblem] = []
    ended = reader.line_num  # the header's last line
    for count, raw in enumerate(reader, 1):
        line, ended = ended + 1, reader.line_num  # the row's first line (a quoted field may span lines)
        if count > MAX_ROWS:
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

"""Merging and splitting units as one operation on the catalogue's units.csv (pure: text in, text out).

A merge closes the merged units on the day before it takes effect (their reports keep their codes and
stay attributed to them) and opens the resulting unit — a new one, or one of them that absorbs the
others — with the merged units as predecessors. A split closes one unit and opens several. Expected
reporters then follow the units active on each period's as-of day.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

COLUMNS = ("code", "name", "kind", "area_km2", "population", "active_from", "active_to", "predecessors")
_CODE = re.compile(r"[0-9]{5}")


class HistoryError(ValueError):
    """The operation does not fit the units as they are (in Vietnamese: shown to the admin)."""


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    kind: str  # xa or phuong
    population: int | None = None  # None: the sum of its predecessors' when all are known
    area_km2: float | None = None


def merge(text: str, sources: Sequence[str], into: NewUnit | str, effective: date) -> str:
    """`sources` merge into `into` (a new unit, or the code of one of them that absorbs the others)."""
    rows = _rows(text)
    if len(set(sources)) < 2 and isinstance(into, NewUnit):
        raise HistoryError("Cần ít nhất hai đơn vị để sáp nhập.")
    closing = [_active(rows, code, effective) for code in sources]
    if isinstance(into, str):
        survivor = _active(rows, into, effective)
        if into in sources:
            closing = [r for r in closing if r["code"] != into]
        survivor["predecessors"] = " ".join(
            dict.fromkeys([*survivor["predecessors"].split(), *(r["code"] for r in closing)])
        )
        survivor["population"] = _sum(survivor, *closing, field="population")
        survivor["area_km2"] = _sum(survivor, *closing, field="area_km2")
    else:
        rows.append(_opened(rows, into, closing, effective))
    for row in closing:
        row["active_to"] = (effective - timedelta(days=1)).isoformat()
    return _text(rows)


def split(text: str, source: str, into: Sequence[NewUnit], effective: date) -> str:
    """`source` closes the day before `effective`; each unit of `into` opens with it as predecessor."""
    if len(into) < 2:
        raise HistoryError("Cần ít nhất hai đơn vị mới để chia tách.")
    rows = _rows(text)
    closing = _active(rows, source, effective)
    for unit in into:
        if unit.population is None:
            raise HistoryError(f"Cần nhập dân số của đơn vị mới {unit.code} khi chia tách.")
        rows.append(_opened(rows, unit, [closing], effective))
    closing["active_to"] = (effective - timedelta(days=1)).isoformat()
    return _text(rows)


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [{c: (row.get(c) or "").strip() for c in COLUMNS} for row in reader]


def _text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _active(rows: list[dict[str, str]], code: str, effective: date) -> dict[str, str]:
    row = next((r for r in rows if r["code"] == code), None)
    if row is None:
        raise HistoryError(f"Không có đơn vị mã {code[:10]} trong danh mục.")
    starts = date.fromisoformat(row["active_from"]) if row["active_from"] else None
    if row["active_to"] or (starts is not None and starts >= effective):
        raise HistoryError(
            f"Đơn vị {code} ({row['name']}) không còn hoạt động vào ngày {effective:%d/%m/%Y}."
        )
    return row


def _opened(
    rows: list[dict[str, str]], unit: NewUnit, predecessors: list[dict[str, str]], effective: date
) -> dict[str, str]:
    if not _CODE.fullmatch(unit.code):
        raise HistoryError(f"Mã đơn vị mới “{unit.code[:10]}” phải gồm 5 chữ số.")
    if any(r["code"] == unit.code for r in rows):
        raise HistoryError(f"Mã đơn vị {unit.code} đã có trong danh mục; vui lòng dùng mã mới.")
    if unit.kind not in ("xa", "phuong"):
        raise HistoryError("Loại đơn vị phải là xa (xã) hoặc phuong (phường).")
    row = {
        "code": unit.code,
        "name": unit.name.strip(),
        "kind": unit.kind,
        "population": str(unit.population) if unit.population is not None else "",
        "area_km2": str(unit.area_km2) if unit.area_km2 is not None else "",
        "active_from": effective.isoformat(),
        "active_to": "",
        "predecessors": " ".join(r["code"] for r in predecessors),
    }
    if unit.population is None:
        row["population"] = _sum({"population": ""}, *predecessors, field="population")
    if unit.area_km2 is None:
        row["area_km2"] = _sum({"area_km2": ""}, *predecessors, field="area_km2")
    return row


def _sum(base: dict[str, str], *others: dict[str, str], field: str) -> str:
    """The sum when every part is known (the base may be empty: a new unit); otherwise unknown ("")."""
    parts = [r[field] for r in others] + ([base[field]] if base[field] else [])
    if not parts or any(not p for p in parts):
        return ""
    if field == "population":
        return str(sum(int(p) for p in parts))
    return f"{sum(float(p) for p in parts):.2f}"

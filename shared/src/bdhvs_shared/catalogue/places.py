"""The province and its units from the catalogue's files: province.yaml, units.csv (communes and
wards, with the days a merged or split unit was active) and unit_predecessors.csv (units that
no longer exist, each named in units.csv as a predecessor). Every problem raises CatalogueError."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bdhvs_shared.catalogue.fields import csv_rows, mapping, nfc, number, string, whole, yaml_data
from bdhvs_shared.catalogue.model import CatalogueError, Unit, UnitKind

_UNIT_CODE = re.compile(r"[0-9]{5}")
_PROVINCE_CODE = re.compile(r"[0-9]{2}")


def parse_province(content: bytes) -> tuple[Unit, str]:
    name = "province.yaml"
    data = mapping(name, yaml_data(name, content))
    code = string(name, "code", data.get("code"))
    if not _PROVINCE_CODE.fullmatch(code):
        raise CatalogueError(f"{name}: 'code' must be the 2-digit GSO province code, got {code!r}")
    timezone = string(name, "timezone", data.get("timezone"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CatalogueError(f"{name}: unknown time zone {timezone!r}") from exc
    area = data.get("area_km2")
    province = Unit(
        code=code,
        name=nfc(string(name, "name", data.get("name"))),
        kind=UnitKind.PROVINCE,
        population=whole(name, "population", data.get("population"), 1),
        area_km2=number(name, "area_km2", area, 0, 1e7, low_open=True) if area is not None else None,
    )
    return province, timezone


def parse_units(content: bytes) -> dict[str, Unit]:
    name = "units.csv"
    units: dict[str, Unit] = {}
    for line, row in csv_rows(name, content, ("code", "name", "kind", "area_km2", "population")):
        where = f"{name}: line {line}"
        code = row["code"]
        if not _UNIT_CODE.fullmatch(code):
            raise CatalogueError(f"{where}: code {code!r} is not a 5-digit GSO commune/ward code")
        if code in units:
            raise CatalogueError(f"{where}: duplicate unit code {code}")
        if row["kind"] not in (UnitKind.XA, UnitKind.PHUONG):
            raise CatalogueError(f"{where}: kind {row['kind']!r} must be 'xa' or 'phuong'")
        units[code] = Unit(
            code=code,
            name=nfc(string(where, "name", row["name"])),
            kind=UnitKind(row["kind"]),
            population=whole(where, "population", row["population"], 0) if row["population"] else None,
            area_km2=number(where, "area_km2", row["area_km2"], 0, 1e6, low_open=True)
            if row["area_km2"]
            else None,
            active_from=_day(where, "active_from", row.get("active_from")),
            active_to=_day(where, "active_to", row.get("active_to")),
            predecessors=tuple((row.get("predecessors") or "").split()),
        )
        unit = units[code]
        if unit.active_from and unit.active_to and unit.active_to < unit.active_from:
            raise CatalogueError(
                f"{where}: active_to {unit.active_to} is before active_from {unit.active_from}"
            )
    if not units:
        raise CatalogueError(f"{name}: no units")
    for code, unit in units.items():
        unknown = [p for p in unit.predecessors if p not in units or p == code]
        if unknown:
            raise CatalogueError(f"{name}: unit {code}: predecessor(s) {', '.join(unknown)} not in units.csv")
    return units


def _day(where: str, key: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogueError(f"{where}: {key} {value!r} is not a date (YYYY-MM-DD)") from None


def check_predecessors(content: bytes, units: Mapping[str, Unit]) -> None:
    name = "unit_predecessors.csv"
    for line, row in csv_rows(name, content, ("code", "name", "kind")):
        if row["code"] not in units:
            raise CatalogueError(f"{name}: line {line}: unit {row['code']!r} is not in units.csv")

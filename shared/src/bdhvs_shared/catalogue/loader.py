"""Reading the catalogue's data files (shipped in the package), validating them, versioning them.

Every problem in the files raises CatalogueError naming the file, the row or entry, and what is wrong.
The version is the first 12 hex digits of a sha256 over the data files (names and bytes), so any
change of data gives a new version; README.md is documentation and is not part of it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bdhvs_shared.catalogue.entries import parse_agencies, parse_forms, parse_indicators
from bdhvs_shared.catalogue.fields import csv_rows, mapping, nfc, number, string, whole, yaml_data
from bdhvs_shared.catalogue.model import Catalogue, CatalogueError, Unit, UnitKind

REQUIRED_FILES = (
    "province.yaml",
    "units.csv",
    "indicators.yaml",
    "agencies.yaml",
    "forms.yaml",
    "age_shares.csv",
)
OPTIONAL_FILES = ("unit_predecessors.csv",)
DATA_FILES = (*REQUIRED_FILES, *OPTIONAL_FILES)
VERSION_LENGTH = 12

_UNIT_CODE = re.compile(r"[0-9]{5}")
_PROVINCE_CODE = re.compile(r"[0-9]{2}")


def default_directory() -> Path:
    """The data directory shipped inside the package."""
    return Path(str(resources.files("bdhvs_shared.catalogue").joinpath("data")))


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and validate the catalogue from `directory` (default: the package's own data)."""
    root: Traversable = (
        directory if directory is not None else resources.files("bdhvs_shared.catalogue") / "data"
    )
    return catalogue_from_files(read_files(root))


def catalogue_from_files(raw: Mapping[str, bytes]) -> Catalogue:
    """Validate and build the catalogue from its data files' bytes (by file name)."""
    missing = [name for name in REQUIRED_FILES if name not in raw]
    if missing:
        raise CatalogueError(f"catalogue file {missing[0]} is missing")
    unknown = sorted(set(raw) - set(REQUIRED_FILES) - set(OPTIONAL_FILES))
    if unknown:
        raise CatalogueError(f"{unknown[0]} is not a catalogue file ({', '.join(DATA_FILES)})")
    age_shares, age_status = _age_shares(raw["age_shares.csv"])
    province, timezone = _province(raw["province.yaml"])
    units = _units(raw["units.csv"])
    indicators = parse_indicators(raw["indicators.yaml"], age_status)
    agencies = parse_agencies(raw["agencies.yaml"])
    forms = parse_forms(raw["forms.yaml"], indicators, agencies)
    if "unit_predecessors.csv" in raw:
        _check_predecessors(raw["unit_predecessors.csv"], units)
    return Catalogue(
        version=catalogue_version(raw),
        province=province,
        units=units,
        indicators=indicators,
        forms=forms,
        age_shares=age_shares,
        timezone=timezone,
        agencies=agencies,
    )


def catalogue_from_texts(files: Mapping[str, str]) -> Catalogue:
    """The catalogue from its data files as text (how versions are stored and published)."""
    return catalogue_from_files(_encoded(files))


def texts_version(files: Mapping[str, str]) -> str:
    """The version of data files given as text, without loading them."""
    return catalogue_version(_encoded(files))


def _encoded(files: Mapping[str, str]) -> dict[str, bytes]:
    return {name: text.encode("utf-8") for name, text in files.items()}


def catalogue_version(files: Mapping[str, bytes]) -> str:
    """sha256 over (name, length, bytes) of each data file in name order; its first 12 hex digits."""
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:VERSION_LENGTH]


# --- reading -----------------------------------------------------------------------------------


def read_files(root: Traversable) -> dict[str, bytes]:
    """The data files under `root`, by name (optional ones only when present)."""
    raw: dict[str, bytes] = {}
    for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
        entry = root.joinpath(name)
        if not entry.is_file():
            if name in OPTIONAL_FILES:
                continue
            raise CatalogueError(f"catalogue file {name} is missing from {root}")
        try:
            raw[name] = entry.read_bytes()
        except OSError as exc:
            raise CatalogueError(f"catalogue file {name} cannot be read: {exc}") from exc
    return raw


# --- the files ---------------------------------------------------------------------------------


def _province(content: bytes) -> tuple[Unit, str]:
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


def _units(content: bytes) -> dict[str, Unit]:
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


def _age_shares(content: bytes) -> tuple[dict[str, float], dict[str, str]]:
    """The most recent value (and status) of each measure, in percent."""
    name = "age_shares.csv"
    latest: dict[str, tuple[date, float, str]] = {}
    for line, row in csv_rows(name, content, ("measure", "value_pct", "reference_date", "status")):
        where = f"{name}: line {line}"
        measure = string(where, "measure", row["measure"])
        value = number(where, "value_pct", row["value_pct"], 0, 100)
        try:
            reference = date.fromisoformat(row["reference_date"])
        except ValueError as exc:
            raise CatalogueError(f"{where}: reference_date {row['reference_date']!r} is not a date") from exc
        previous = latest.get(measure)
        if previous is not None and previous[0] == reference:
            raise CatalogueError(f"{where}: {measure} appears twice for {reference}")
        if previous is None or previous[0] < reference:
            latest[measure] = (reference, value, row["status"])
    return {m: v for m, (_, v, _) in latest.items()}, {m: s for m, (_, _, s) in latest.items()}


def _check_predecessors(content: bytes, units: Mapping[str, Unit]) -> None:
    name = "unit_predecessors.csv"
    for line, row in csv_rows(name, content, ("code", "name", "kind")):
        if row["code"] not in units:
            raise CatalogueError(f"{name}: line {line}: unit {row['code']!r} is not in units.csv")

"""Reading the catalogue's data files (shipped in the package), validating them, versioning them.

Every problem in the files raises CatalogueError naming the file, the row or entry, and what is wrong.
The version is the first 12 hex digits of a sha256 over the data files (names and bytes), so any
change of data gives a new version; README.md is documentation and is not part of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from bdhvs_shared.catalogue.entries import parse_agencies, parse_forms, parse_indicators
from bdhvs_shared.catalogue.fields import csv_rows, number, string
from bdhvs_shared.catalogue.model import CalendarOverrides, Catalogue, CatalogueError
from bdhvs_shared.catalogue.places import check_predecessors, parse_province, parse_units
from bdhvs_shared.catalogue.workdays import parse_calendar

REQUIRED_FILES = (
    "province.yaml",
    "units.csv",
    "indicators.yaml",
    "agencies.yaml",
    "forms.yaml",
    "age_shares.csv",
)
OPTIONAL_FILES = ("unit_predecessors.csv", "calendar.yaml")
DATA_FILES = (*REQUIRED_FILES, *OPTIONAL_FILES)
VERSION_LENGTH = 12


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
    province, timezone = parse_province(raw["province.yaml"])
    units = parse_units(raw["units.csv"])
    indicators = parse_indicators(raw["indicators.yaml"], age_status)
    agencies = parse_agencies(raw["agencies.yaml"])
    forms = parse_forms(raw["forms.yaml"], indicators, agencies)
    if "unit_predecessors.csv" in raw:
        check_predecessors(raw["unit_predecessors.csv"], units)
    return Catalogue(
        version=catalogue_version(raw),
        province=province,
        units=units,
        indicators=indicators,
        forms=forms,
        age_shares=age_shares,
        timezone=timezone,
        agencies=agencies,
        calendar=parse_calendar(raw["calendar.yaml"]) if "calendar.yaml" in raw else CalendarOverrides(),
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

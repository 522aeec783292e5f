"""Reading the catalogue's data files (shipped in the package), validating them, versioning them.

Every problem in the files raises CatalogueError naming the file, the row or entry, and what is wrong.
The version is the first 12 hex digits of a sha256 over the data files (names and bytes), so any
change of data gives a new version; README.md is documentation and is not part of it.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bdhvs_shared.catalogue.calendar import MAX_DAY_OF_MONTH
from bdhvs_shared.catalogue.model import (
    Catalogue,
    CatalogueError,
    Comparator,
    Form,
    Indicator,
    Unit,
    UnitKind,
    YearTarget,
)
from bdhvs_shared.catalogue.periods import MAX_YEAR, MIN_YEAR, PeriodType

REQUIRED_FILES = ("province.yaml", "units.csv", "indicators.yaml", "forms.yaml", "age_shares.csv")
OPTIONAL_FILES = ("unit_predecessors.csv",)
VERSION_LENGTH = 12

_TOKEN = re.compile(r"[a-z][a-z0-9_]*")  # ASCII: indicator and form codes appear in event subjects
_UNIT_CODE = re.compile(r"[0-9]{5}")
_PROVINCE_CODE = re.compile(r"[0-9]{2}")
_KIND_VALUES = frozenset(k.value for k in UnitKind)


def default_directory() -> Path:
    """The data directory shipped inside the package."""
    return Path(str(resources.files("bdhvs_shared.catalogue").joinpath("data")))


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and validate the catalogue from `directory` (default: the package's own data)."""
    root: Traversable = (
        directory if directory is not None else resources.files("bdhvs_shared.catalogue") / "data"
    )
    raw = _read_files(root)
    age_shares, age_status = _age_shares(raw["age_shares.csv"])
    province, timezone = _province(raw["province.yaml"])
    units = _units(raw["units.csv"])
    indicators = _indicators(raw["indicators.yaml"], age_status)
    forms = _forms(raw["forms.yaml"], indicators)
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
    )


def catalogue_version(files: Mapping[str, bytes]) -> str:
    """sha256 over (name, length, bytes) of each data file in name order; its first 12 hex digits."""
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:VERSION_LENGTH]


# --- reading -----------------------------------------------------------------------------------


def _read_files(root: Traversable) -> dict[str, bytes]:
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


def _text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{name}: not UTF-8 text ({exc})") from exc


def _csv(name: str, content: bytes, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line number (the header is line 1); the named columns must exist."""
    reader = csv.DictReader(io.StringIO(_text(name, content), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError(f"{name}: missing column(s) {', '.join(missing)} (header: {reader.fieldnames})")
    rows = []
    try:
        for row in reader:
            if None in row or any(row.get(c) is None for c in columns):
                raise CatalogueError(f"{name}: line {reader.line_num}: wrong number of fields")
            rows.append((reader.line_num, {k: v.strip() for k, v in row.items() if isinstance(v, str)}))
    except csv.Error as exc:
        raise CatalogueError(f"{name}: line {reader.line_num}: {exc}") from exc
    return rows


def _yaml(name: str, content: bytes) -> Any:
    try:
        return yaml.safe_load(_text(name, content))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{name}: not valid YAML: {exc}") from exc


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


# --- field checks ------------------------------------------------------------------------------


def _entry_code(
    name: str, kind: str, index: int, item: Mapping[str, Any], seen: Mapping[str, object], hint: str = ""
) -> tuple[str, str]:
    """An entry's code, checked: ASCII (codes are subject tokens) and not seen before; and where it is."""
    code = _string(f"{name}: {kind}s[{index}]", "code", item.get("code"))
    where = f"{name}: {kind} {code!r}"
    if not _TOKEN.fullmatch(code):
        raise CatalogueError(f"{where}: code must be lower-case ASCII (a-z, 0-9, _){hint}")
    if code in seen:
        raise CatalogueError(f"{where}: duplicate {kind} code")
    return code, where


def _string(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty (quoted) string, got {value!r}")
    return value.strip()


def _int(where: str, key: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"{low}..{high}" if high is not None else f"≥ {low}"
        raise CatalogueError(f"{where}: '{key}' must be a whole number {bounds}, got {value!r}")
    return value


def _float(where: str, key: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not (low < number if low_open else low <= number) or not number <= high:
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise CatalogueError(f"{where}: '{key}' must be a number in {interval}, got {value!r}")
    return number


def _mapping(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CatalogueError(f"{where}: expected a mapping of keys to values, got {value!r}")
    return value


def _entries(name: str, data: Any, key: str) -> list[Mapping[str, Any]]:
    items = _mapping(name, data).get(key)
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{name}: '{key}' must be a non-empty list")
    return [_mapping(f"{name}: {key}[{i}]", item) for i, item in enumerate(items)]


# --- the files ---------------------------------------------------------------------------------


def _province(content: bytes) -> tuple[Unit, str]:
    name = "province.yaml"
    data = _mapping(name, _yaml(name, content))
    code = _string(name, "code", data.get("code"))
    if not _PROVINCE_CODE.fullmatch(code):
        raise CatalogueError(f"{name}: 'code' must be the 2-digit GSO province code, got {code!r}")
    timezone = _string(name, "timezone", data.get("timezone"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CatalogueError(f"{name}: unknown time zone {timezone!r}") from exc
    area = data.get("area_km2")
    province = Unit(
        code=code,
        name=_nfc(_string(name, "name", data.get("name"))),
        kind=UnitKind.PROVINCE,
        population=_int(name, "population", data.get("population"), 1),
        area_km2=_float(name, "area_km2", area, 0, 1e7, low_open=True) if area is not None else None,
    )
    return province, timezone


def _units(content: bytes) -> dict[str, Unit]:
    name = "units.csv"
    units: dict[str, Unit] = {}
    for line, row in _csv(name, content, ("code", "name", "kind", "area_km2", "population")):
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
            name=_nfc(_string(where, "name", row["name"])),
            kind=UnitKind(row["kind"]),
            population=_int(where, "population", row["population"], 0) if row["population"] else None,
            area_km2=_float(where, "area_km2", row["area_km2"], 0, 1e6, low_open=True)
            if row["area_km2"]
            else None,
        )
    if not units:
        raise CatalogueError(f"{name}: no units")
    return units


def _age_shares(content: bytes) -> tuple[dict[str, float], dict[str, str]]:
    """The most recent value (and status) of each measure, in percent."""
    name = "age_shares.csv"
    latest: dict[str, tuple[date, float, str]] = {}
    for line, row in _csv(name, content, ("measure", "value_pct", "reference_date", "status")):
        where = f"{name}: line {line}"
        measure = _string(where, "measure", row["measure"])
        value = _float(where, "value_pct", row["value_pct"], 0, 100)
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


def _indicators(content: bytes, age_status: Mapping[str, str]) -> dict[str, Indicator]:
    name = "indicators.yaml"
    out: dict[str, Indicator] = {}
    for i, item in enumerate(_entries(name, _yaml(name, content), "indicators")):
        code, where = _entry_code(name, "indicator", i, item, out, hint=", e.g. 'dd' for đ")
        basis = item.get("denominator_basis")
        status = item.get("denominator_basis_status")
        if basis is not None:
            basis = _string(where, "denominator_basis", basis)
            if basis not in age_status:
                raise CatalogueError(
                    f"{where}: denominator_basis {basis!r} is not a measure in age_shares.csv"
                )
            if status is None:
                status = age_status[basis]
            elif status != age_status[basis]:
                raise CatalogueError(
                    f"{where}: denominator_basis_status {status!r} disagrees with age_shares.csv "
                    f"({basis} is {age_status[basis]!r})"
                )
        elif status is not None:
            raise CatalogueError(f"{where}: denominator_basis_status without a denominator_basis")
        out[code] = Indicator(
            code=code,
            name_vi=_nfc(_string(where, "name_vi", item.get("name_vi"))),
            name_en=_string(where, "name_en", item.get("name_en")),
            targets=_targets(where, item.get("targets")),
            denominator_basis=basis,
            denominator_basis_status=status,
        )
    return out


def _targets(where: str, items: Any) -> tuple[YearTarget, ...]:
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{where}: 'targets' must be a non-empty list")
    targets: dict[int, YearTarget] = {}
    for j, raw in enumerate(items):
        spot = f"{where}: targets[{j}]"
        target = _mapping(spot, raw)
        year = _int(spot, "year", target.get("year"), MIN_YEAR, MAX_YEAR)
        if year in targets:
            raise CatalogueError(f"{spot}: a second target for {year}")
        try:
            comparator = Comparator(str(target.get("comparator")))
        except ValueError:
            raise CatalogueError(
                f"{spot}: comparator must be '>' or '>=', got {target.get('comparator')!r}"
            ) from None
        due = target.get("due", date(year, 12, 31))
        if isinstance(due, str):
            with contextlib.suppress(ValueError):
                due = date.fromisoformat(due)
        if not isinstance(due, date):
            raise CatalogueError(f"{spot}: 'due' must be a date (YYYY-MM-DD), got {due!r}")
        targets[year] = YearTarget(
            year=year,
            value=_float(spot, "value", target.get("value"), 0, 1, low_open=True),
            comparator=comparator,
            due=due,
        )
    return tuple(targets[y] for y in sorted(targets))


def _forms(content: bytes, indicators: Mapping[str, Indicator]) -> dict[str, Form]:
    name = "forms.yaml"
    out: dict[str, Form] = {}
    for i, item in enumerate(_entries(name, _yaml(name, content), "forms")):
        code, where = _entry_code(name, "form", i, item, out)
        kinds = item.get("reporter_kinds")
        if not isinstance(kinds, list) or not kinds or not all(k in _KIND_VALUES for k in map(str, kinds)):
            allowed = ", ".join(k.value for k in UnitKind)
            raise CatalogueError(
                f"{where}: reporter_kinds must be a non-empty list of {allowed}, got {kinds!r}"
            )
        try:
            period_type = PeriodType(str(item.get("period_type")))
        except ValueError:
            allowed = ", ".join(t.value for t in PeriodType)
            raise CatalogueError(f"{where}: period_type must be one of {allowed}") from None
        codes = item.get("indicators")
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(c, str) for c in codes)
            or len(set(codes)) != len(codes)
        ):
            raise CatalogueError(
                f"{where}: indicators must be a non-empty list without repeats, got {codes!r}"
            )
        unknown = sorted(c for c in codes if c not in indicators)
        if unknown:
            raise CatalogueError(f"{where}: unknown indicator(s) {', '.join(unknown)}")
        due_day = _int(where, "due_day", item.get("due_day"), 1, MAX_DAY_OF_MONTH)
        as_of_day = _int(where, "as_of_day", item.get("as_of_day"), 1, MAX_DAY_OF_MONTH)
        if as_of_day >= due_day:
            raise CatalogueError(f"{where}: as_of_day ({as_of_day}) must come before due_day ({due_day})")
        out[code] = Form(
            code=code,
            name_vi=_nfc(_string(where, "name_vi", item.get("name_vi"))),
            reporter_kinds=frozenset(UnitKind(k) for k in kinds),
            period_type=period_type,
            indicators=tuple(codes),
            due_day=due_day,
            as_of_day=as_of_day,
        )
    return out


def _check_predecessors(content: bytes, units: Mapping[str, Unit]) -> None:
    name = "unit_predecessors.csv"
    for line, row in _csv(name, content, ("code", "name", "kind")):
        if row["code"] not in units:
            raise CatalogueError(f"{name}: line {line}: unit {row['code']!r} is not in units.csv")

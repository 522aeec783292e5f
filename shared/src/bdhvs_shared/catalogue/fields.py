"""Field checks for the catalogue's files: each raises CatalogueError saying where and what is wrong."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

import yaml

from bdhvs_shared.catalogue.model import CatalogueError

TOKEN = re.compile(r"[a-z][a-z0-9_]*")  # ASCII: indicator and form codes appear in event subjects


def text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{name}: not UTF-8 text ({exc})") from exc


def csv_rows(name: str, content: bytes, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line number (the header is line 1); the named columns must exist."""
    reader = csv.DictReader(io.StringIO(text(name, content), newline=""))
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


def yaml_data(name: str, content: bytes) -> Any:
    try:
        return yaml.safe_load(text(name, content))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{name}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # a date-like value that is no date (2026-13-01): PyYAML's own error
        raise CatalogueError(f"{name}: a value must be a date (YYYY-MM-DD): {exc}") from exc


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def entry_code(
    name: str, kind: str, index: int, item: Mapping[str, Any], seen: Mapping[str, object], hint: str = ""
) -> tuple[str, str]:
    """An entry's code, checked: ASCII (codes are subject tokens) and not seen before; and where it is."""
    code = string(f"{name}: {kind}s[{index}]", "code", item.get("code"))
    where = f"{name}: {kind} {code!r}"
    if not TOKEN.fullmatch(code):
        raise CatalogueError(f"{where}: code must be lower-case ASCII (a-z, 0-9, _){hint}")
    if code in seen:
        raise CatalogueError(f"{where}: duplicate {kind} code")
    return code, where


def string(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty (quoted) string, got {value!r}")
    return value.strip()


def whole(where: str, key: str, value: Any, low: int, high: int | None = None) -> int:
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


def number(where: str, key: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not (low < number if low_open else low <= number) or not number <= high:
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise CatalogueError(f"{where}: '{key}' must be a number in {interval}, got {value!r}")
    return number


def mapping(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CatalogueError(f"{where}: expected a mapping of keys to values, got {value!r}")
    return value


def entries(name: str, data: Any, key: str) -> list[Mapping[str, Any]]:
    items = mapping(name, data).get(key)
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{name}: '{key}' must be a non-empty list")
    return [mapping(f"{name}: {key}[{i}]", item) for i, item in enumerate(items)]


def tokens(where: str, key: str, value: Any, allow_empty: bool = False) -> tuple[str, ...]:
    """A list of distinct lower-case ASCII codes."""
    if (
        not isinstance(value, list)
        or (not value and not allow_empty)
        or not all(isinstance(v, str) and TOKEN.fullmatch(v) for v in value)
        or len(set(value)) != len(value)
    ):
        raise CatalogueError(f"{where}: '{key}' must be a list of distinct lower-case codes, got {value!r}")
    return tuple(value)


def calendar_date(where: str, key: str, value: Any) -> date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if not isinstance(value, date):
        raise CatalogueError(f"{where}: '{key}' must be a date (YYYY-MM-DD), got {value!r}")
    return value

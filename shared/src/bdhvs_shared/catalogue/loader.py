"""Reading the catalogue's data files (shipped in the package), validating them, versioning them."""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

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
from bdhvs_shared.catalogue.periods import PeriodType

FILES = ("province.yaml", "units.csv", "indicators.yaml", "forms.yaml", "age_shares.csv")


def default_directory() -> Path:
    return Path(str(resources.files("bdhvs_shared.catalogue") / "data"))


def load_catalogue(directory: Path | None = None) -> Catalogue:
    directory = directory or default_directory()
    try:
        digest = hashlib.sha256()
        for name in FILES:
            digest.update(name.encode() + b"\0" + (directory / name).read_bytes())
        province = yaml.safe_load((directory / "province.yaml").read_text(encoding="utf-8"))
        catalogue = Catalogue(
            version=digest.hexdigest()[:12],
            province=Unit(
                str(province["code"]),
                _nfc(province["name"]),
                UnitKind.PROVINCE,
                int(province["population"]),
            ),
            units=_units(directory / "units.csv"),
            indicators=_indicators(
                yaml.safe_load((directory / "indicators.yaml").read_text(encoding="utf-8"))
            ),
            forms=_forms(yaml.safe_load((directory / "forms.yaml").read_text(encoding="utf-8"))),
            age_shares=_age_shares(directory / "age_shares.csv"),
        )
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"catalogue in {directory} is invalid: {exc!r}") from exc
    _check(catalogue)
    return catalogue


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _units(path: Path) -> dict[str, Unit]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    units = {}
    for row in rows:
        code = row["code"].strip()
        if code in units:
            raise CatalogueError(f"duplicate unit code {code}")
        units[code] = Unit(
            code=code,
            name=_nfc(row["name"]),
            kind=UnitKind(row["kind"]),
            population=int(row["population"]) if row["population"].strip() else None,
            area_km2=float(row["area_km2"]) if row["area_km2"].strip() else None,
        )
    return units


def _indicators(data: dict[str, Any]) -> dict[str, Indicator]:
    out = {}
    for item in data["indicators"]:
        targets = tuple(
            YearTarget(
                year=int(t["year"]),
                value=float(t["value"]),
                comparator=Comparator(t["comparator"]),
                due=date.fromisoformat(str(t["due"])) if t.get("due") else date(int(t["year"]), 12, 31),
            )
            for t in item["targets"]
        )
        out[item["code"]] = Indicator(
            item["code"],
            _nfc(item["name_vi"]),
            item["name_en"],
            targets,
            item.get("denominator_basis"),
        )
    return out


def _forms(data: dict[str, Any]) -> dict[str, Form]:
    return {
        item["code"]: Form(
            code=item["code"],
            name_vi=_nfc(item["name_vi"]),
            reporter_kinds=frozenset(UnitKind(k) for k in item["reporter_kinds"]),
            period_type=PeriodType(item["period_type"]),
            indicators=tuple(item["indicators"]),
            due_day=int(item["due_day"]),
            as_of_day=int(item["as_of_day"]),
        )
        for item in data["forms"]
    }


def _age_shares(path: Path) -> dict[str, float]:
    """The most recent value of each measure."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["reference_date"])
    return {row["measure"]: float(row["value_pct"]) for row in rows}


def _check(catalogue: Catalogue) -> None:
    for code, unit in catalogue.units.items():
        if not (len(code) == 5 and code.isdigit()):
            raise CatalogueError(f"unit code {code!r} is not a 5-digit GSO code")
        if unit.kind is UnitKind.PROVINCE:
            raise CatalogueError(f"unit {code} cannot be a province")
    for form in catalogue.forms.values():
        unknown = set(form.indicators) - set(catalogue.indicators)
        if unknown:
            raise CatalogueError(f"form {form.code} names unknown indicators {sorted(unknown)}")
        if not 1 <= form.due_day <= 28 or not 1 <= form.as_of_day <= 28:
            raise CatalogueError(f"form {form.code}: due_day and as_of_day must be 1..28")
    for indicator in catalogue.indicators.values():
        if indicator.denominator_basis and indicator.denominator_basis not in catalogue.age_shares:
            raise CatalogueError(
                f"indicator {indicator.code}: unknown age share {indicator.denominator_basis}"
            )

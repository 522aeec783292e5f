"""The YAML entries of the catalogue: indicators with their targets, and agencies; the forms are read by
`forms.parse_forms` (importable from here too)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bdhvs_shared.catalogue.fields import (
    calendar_date,
    entries,
    entry_code,
    mapping,
    nfc,
    number,
    string,
    tokens,
    whole,
    yaml_data,
)
from bdhvs_shared.catalogue.forms import parse_forms
from bdhvs_shared.catalogue.model import (
    INDICATOR_CODE_MAX,
    Agency,
    CatalogueError,
    Comparator,
    Indicator,
    Measure,
    UnitKind,
    YearTarget,
)
from bdhvs_shared.catalogue.periods import MAX_YEAR, MIN_YEAR

_REPORTER_KINDS = frozenset({UnitKind.XA.value, UnitKind.PHUONG.value})


def parse_indicators(content: bytes, age_status: Mapping[str, str]) -> dict[str, Indicator]:
    name = "indicators.yaml"
    out: dict[str, Indicator] = {}
    for i, item in enumerate(entries(name, yaml_data(name, content), "indicators")):
        code, where = entry_code(name, "indicator", i, item, out, hint=", e.g. 'dd' for đ")
        if len(code) > INDICATOR_CODE_MAX:
            raise CatalogueError(f"{where}: code {code!r} is longer than {INDICATOR_CODE_MAX} characters")
        basis, status = _basis(where, item, age_status)
        measure = _measure(where, item.get("measure", Measure.RATIO.value))
        if measure is not Measure.RATIO and basis is not None:
            raise CatalogueError(f"{where}: only a ratio indicator has a denominator_basis")
        out[code] = Indicator(
            code=code,
            name_vi=nfc(string(where, "name_vi", item.get("name_vi"))),
            name_en=string(where, "name_en", item.get("name_en")),
            targets=_targets(where, item.get("targets", [])),
            denominator_basis=basis,
            denominator_basis_status=status,
            measure=measure,
            kpi=_flag(where, "kpi", item.get("kpi", False)),
            cumulative=_flag(where, "cumulative", item.get("cumulative", True)),
            parts=tokens(where, "parts", item.get("parts", []), allow_empty=True),
            norm=nfc(string(where, "norm", item["norm"])) if item.get("norm") is not None else None,
            label_vi=nfc(string(where, "label_vi", item["label_vi"])) if item.get("label_vi") else "",
        )
        if out[code].parts and measure is not Measure.RATIO:
            raise CatalogueError(f"{where}: only a ratio indicator has parts")
        if measure is Measure.COUNT and out[code].targets:
            raise CatalogueError(f"{where}: a count has no attainment, so no targets (use 'norm')")
    return out


def _basis(
    where: str, item: Mapping[str, Any], age_status: Mapping[str, str]
) -> tuple[str | None, str | None]:
    basis = item.get("denominator_basis")
    status = item.get("denominator_basis_status")
    if basis is None:
        if status is not None:
            raise CatalogueError(f"{where}: denominator_basis_status without a denominator_basis")
        return None, None
    basis = string(where, "denominator_basis", basis)
    if basis not in age_status:
        raise CatalogueError(f"{where}: denominator_basis {basis!r} is not a measure in age_shares.csv")
    if status is None:
        status = age_status[basis]
    elif status != age_status[basis]:
        raise CatalogueError(
            f"{where}: denominator_basis_status {status!r} disagrees with age_shares.csv "
            f"({basis} is {age_status[basis]!r})"
        )
    return basis, status


def _measure(where: str, value: Any) -> Measure:
    try:
        return Measure(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in Measure)
        raise CatalogueError(f"{where}: measure must be one of {allowed}, got {value!r}") from None


def _flag(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: '{key}' must be true or false, got {value!r}")
    return value


def _targets(where: str, items: Any) -> tuple[YearTarget, ...]:
    if not isinstance(items, list):
        raise CatalogueError(f"{where}: 'targets' must be a list (empty for an indicator only tracked)")
    targets: dict[int, YearTarget] = {}
    for j, raw in enumerate(items):
        spot = f"{where}: targets[{j}]"
        target = mapping(spot, raw)
        year = whole(spot, "year", target.get("year"), MIN_YEAR, MAX_YEAR)
        if year in targets:
            raise CatalogueError(f"{spot}: a second target for {year}")
        try:
            comparator = Comparator(str(target.get("comparator")))
        except ValueError:
            raise CatalogueError(
                f"{spot}: comparator must be '>' or '>=', got {target.get('comparator')!r}"
            ) from None
        targets[year] = YearTarget(
            year=year,
            value=number(spot, "value", target.get("value"), 0, 1, low_open=True),
            comparator=comparator,
            due=calendar_date(spot, "due", target.get("due", date(year, 12, 31))),
        )
    return tuple(targets[y] for y in sorted(targets))


def parse_agencies(content: bytes) -> dict[str, Agency]:
    name = "agencies.yaml"
    out: dict[str, Agency] = {}
    for i, item in enumerate(entries(name, yaml_data(name, content), "agencies")):
        code, where = entry_code(name, "agency", i, item, out)
        out[code] = Agency(code=code, name_vi=nfc(string(where, "name_vi", item.get("name_vi"))))
    return out


__all__ = ["parse_agencies", "parse_forms", "parse_indicators"]

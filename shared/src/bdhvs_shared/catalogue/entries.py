"""The YAML entries of the catalogue: indicators with their targets, agencies and forms."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from bdhvs_shared.catalogue.calendar import MAX_DAY_OF_MONTH
from bdhvs_shared.catalogue.fields import (
    TOKEN,
    entries,
    entry_code,
    mapping,
    nfc,
    number,
    string,
    whole,
    yaml_data,
)
from bdhvs_shared.catalogue.model import (
    Agency,
    CatalogueError,
    Comparator,
    Form,
    Indicator,
    Measure,
    UnitKind,
    YearTarget,
)
from bdhvs_shared.catalogue.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, PeriodType

_REPORTER_KINDS = frozenset({UnitKind.XA.value, UnitKind.PHUONG.value})


def parse_indicators(content: bytes, age_status: Mapping[str, str]) -> dict[str, Indicator]:
    name = "indicators.yaml"
    out: dict[str, Indicator] = {}
    for i, item in enumerate(entries(name, yaml_data(name, content), "indicators")):
        code, where = entry_code(name, "indicator", i, item, out, hint=", e.g. 'dd' for đ")
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
            parts=_tokens(where, "parts", item.get("parts", []), allow_empty=True),
            norm=nfc(string(where, "norm", item["norm"])) if item.get("norm") is not None else None,
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


def _tokens(where: str, key: str, value: Any, allow_empty: bool = False) -> tuple[str, ...]:
    """A list of distinct lower-case ASCII codes."""
    if (
        not isinstance(value, list)
        or (not value and not allow_empty)
        or not all(isinstance(v, str) and TOKEN.fullmatch(v) for v in value)
        or len(set(value)) != len(value)
    ):
        raise CatalogueError(f"{where}: '{key}' must be a list of distinct lower-case codes, got {value!r}")
    return tuple(value)


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
            due=_date(spot, "due", target.get("due", date(year, 12, 31))),
        )
    return tuple(targets[y] for y in sorted(targets))


def _date(where: str, key: str, value: Any) -> date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if not isinstance(value, date):
        raise CatalogueError(f"{where}: '{key}' must be a date (YYYY-MM-DD), got {value!r}")
    return value


def parse_agencies(content: bytes) -> dict[str, Agency]:
    name = "agencies.yaml"
    out: dict[str, Agency] = {}
    for i, item in enumerate(entries(name, yaml_data(name, content), "agencies")):
        code, where = entry_code(name, "agency", i, item, out)
        out[code] = Agency(code=code, name_vi=nfc(string(where, "name_vi", item.get("name_vi"))))
    return out


def parse_forms(
    content: bytes, indicators: Mapping[str, Indicator], agencies: Mapping[str, Agency]
) -> dict[str, Form]:
    name = "forms.yaml"
    out: dict[str, Form] = {}
    for i, item in enumerate(entries(name, yaml_data(name, content), "forms")):
        code, where = entry_code(name, "form", i, item, out)
        kinds = item.get("reporter_kinds", [])
        if not isinstance(kinds, list) or not all(str(k) in _REPORTER_KINDS for k in kinds):
            raise CatalogueError(f"{where}: reporter_kinds must be a list of xa, phuong, got {kinds!r}")
        filers = _tokens(where, "agencies", item.get("agencies", []), allow_empty=True)
        unknown_agencies = sorted(set(filers) - set(agencies))
        if unknown_agencies:
            raise CatalogueError(f"{where}: unknown agency(ies) {', '.join(unknown_agencies)}")
        if bool(kinds) == bool(filers):
            raise CatalogueError(f"{where}: give either reporter_kinds (communes, wards) or agencies")
        try:
            period_type = PeriodType(str(item.get("period_type")))
        except ValueError:
            allowed = ", ".join(t.value for t in PeriodType)
            raise CatalogueError(f"{where}: period_type must be one of {allowed}") from None
        codes = _tokens(where, "indicators", item.get("indicators"))
        unknown = sorted(c for c in codes if c not in indicators)
        if unknown:
            raise CatalogueError(f"{where}: unknown indicator(s) {', '.join(unknown)}")
        due_date = _date(where, "due_date", item["due_date"]) if item.get("due_date") is not None else None
        periods = _periods(where, item.get("periods", []), period_type)
        if due_date is not None and not periods:
            raise CatalogueError(f"{where}: a one-off report (due_date) names its periods")
        as_of_day = whole(where, "as_of_day", item.get("as_of_day"), 1, MAX_DAY_OF_MONTH)
        due_day = whole(where, "due_day", item.get("due_day", MAX_DAY_OF_MONTH), 1, MAX_DAY_OF_MONTH)
        if due_date is None and period_type is not PeriodType.WEEKLY and as_of_day >= due_day:
            raise CatalogueError(f"{where}: as_of_day ({as_of_day}) must come before due_day ({due_day})")
        out[code] = Form(
            code=code,
            name_vi=nfc(string(where, "name_vi", item.get("name_vi"))),
            reporter_kinds=frozenset(UnitKind(k) for k in kinds),
            period_type=period_type,
            indicators=codes,
            due_day=due_day,
            as_of_day=as_of_day,
            agencies=frozenset(filers),
            due_date=due_date,
            periods=periods,
        )
    return out


def _periods(where: str, value: Any, period_type: PeriodType) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: 'periods' must be a list, got {value!r}")
    out = []
    for text in value:
        try:
            period = Period.parse(str(text))
        except PeriodError as exc:
            raise CatalogueError(f"{where}: periods: {exc}") from None
        if period.type is not period_type:
            raise CatalogueError(f"{where}: period {text} is not {period_type.value}")
        out.append(str(period))
    return tuple(out)

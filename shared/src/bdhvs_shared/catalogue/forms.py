"""The catalogue's forms (forms.yaml): who files each (communes and wards, or agencies), which
indicators, how often, the as-of and due days, or the periods of a one-off report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bdhvs_shared.catalogue.calendar import MAX_DAY_OF_MONTH
from bdhvs_shared.catalogue.fields import (
    calendar_date,
    entries,
    entry_code,
    nfc,
    string,
    tokens,
    whole,
    yaml_data,
)
from bdhvs_shared.catalogue.model import Agency, CatalogueError, Form, Indicator, UnitKind
from bdhvs_shared.catalogue.periods import Period, PeriodError, PeriodType

_REPORTER_KINDS = frozenset({UnitKind.XA.value, UnitKind.PHUONG.value})


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
        filers = tokens(where, "agencies", item.get("agencies", []), allow_empty=True)
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
        codes = tokens(where, "indicators", item.get("indicators"))
        unknown = sorted(c for c in codes if c not in indicators)
        if unknown:
            raise CatalogueError(f"{where}: unknown indicator(s) {', '.join(unknown)}")
        due_date = (
            calendar_date(where, "due_date", item["due_date"]) if item.get("due_date") is not None else None
        )
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

"""A filled template, checked as a whole: every row a valid report the caller may file, or every problem.

All-or-nothing: one problem anywhere refuses the whole file (the caller stores nothing), and the
answer lists every problem found with its row and column, so that a clerk fixes the file in one go.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bdhvs_shared.catalogue import Catalogue, Form
from intake.domain.labels import unit_label
from intake.domain.principal import Principal
from intake.domain.problems import Severity, problem
from intake.domain.submissions import ValidReport
from intake.domain.tabular import (
    NAME_KEY,
    UNIT_KEY,
    Column,
    Located,
    columns,
    locate,
    row_unit,
    submission_from_row,
    text,
)
from intake.domain.validation import check_not_ahead, check_period, validate_submission


@dataclass(frozen=True)
class PlannedRow:
    row: int
    report: ValidReport


@dataclass(frozen=True)
class ImportPlan:
    form: str
    period: str
    rows: list[PlannedRow]


@dataclass(frozen=True)
class Refusal:
    problems: list[Located]
    forbidden: bool = False  # the file is well-formed but names units the caller may not file for


def plan_import(
    catalogue: Catalogue,
    principal: Principal,
    sheet: str,
    keys: Sequence[str],
    rows: Sequence[tuple[int, Mapping[str, object]]],
    form_code: str,
    period: str,
    max_rows: int,
    today: date,
    early_days: int = 0,
) -> ImportPlan | Refusal:
    """`today`: the local date of receipt; see `validate_submission` for `early_days`."""
    form = catalogue.forms.get(form_code)
    if form is None:
        allowed = ", ".join(catalogue.forms)
        return Refusal(
            [Located(problem("form.unknown", "form", value=form_code, allowed=allowed), sheet, 0, "")]
        )
    # Whose file it is comes first: a row of a unit the caller may not file for refuses the file
    # (403) before its period, header or figures are checked, so the answer does not depend on them.
    forbidden = forbidden_rows(catalogue, principal, form, sheet, rows)
    if forbidden:
        return Refusal(forbidden, forbidden=True)
    layout = columns(catalogue, form)
    refused = _whole_file(form, layout, sheet, keys, rows, period, max_rows, today, early_days)
    if refused:
        return Refusal(refused)
    planned = _planned(catalogue, form, layout, sheet, rows, period, today, early_days)
    if isinstance(planned, Refusal):
        return planned
    return ImportPlan(form.code, period, planned)


def forbidden_rows(
    catalogue: Catalogue,
    principal: Principal,
    form: Form | None,
    sheet: str,
    rows: Sequence[tuple[int, Mapping[str, object]]],
) -> list[Located]:
    """Each row naming a unit (known or not) the caller may not file this form for (`form` None: no
    form, e.g. a clerk's file about another unit before its form is even known); a row without a unit
    is left to the row checks (their 422)."""
    found = []
    for number, cells in rows:
        code = row_unit(cells)
        if not code or principal.may_submit(code, form):
            continue
        unit = catalogue.units.get(code)
        label = unit_label(unit) if unit is not None else code
        named = problem(
            "auth.forbidden_unit", UNIT_KEY, form=form.code if form else "của tệp này", unit=label
        )
        found.append(Located(named, sheet, number, UNIT_KEY))
    return found


def _whole_file(
    form: Form,
    layout: Sequence[Column],
    sheet: str,
    keys: Sequence[str],
    rows: Sequence[tuple[int, Mapping[str, object]]],
    period: str,
    max_rows: int,
    today: date,
    early_days: int,
) -> list[Located]:
    """What refuses the file before any row is read: its period, its header, its number of rows."""
    checked = check_period(period, form)  # the file's period, once (not once per row)
    if isinstance(checked, list):
        return [Located(p, sheet, 0, "") for p in checked]
    ahead = check_not_ahead(checked, form, today, early_days)
    if ahead is not None:
        return [Located(ahead, sheet, 0, "")]
    header = _header_problems(layout, keys, form.code, sheet)
    if header:
        return header
    if not rows:
        return [Located(problem("file.no_rows", ""), sheet, 0, "")]
    if len(rows) > max_rows:
        return [Located(problem("file.too_many_rows", "", count=len(rows), limit=max_rows), sheet, 0, "")]
    return []


def _planned(
    catalogue: Catalogue,
    form: Form,
    layout: Sequence[Column],
    sheet: str,
    rows: Sequence[tuple[int, Mapping[str, object]]],
    period: str,
    today: date,
    early_days: int,
) -> list[PlannedRow] | Refusal:
    """Every row as a valid report, or every problem of every row (and every duplicated unit)."""
    found: list[Located] = _duplicates(rows, sheet)
    planned: list[PlannedRow] = []
    for number, cells in rows:
        submission = submission_from_row(form, period, layout, cells, sheet, number)
        if isinstance(submission, list):
            found += submission
            continue
        valid = validate_submission(catalogue, submission, today, early_days)
        if isinstance(valid, list):
            found += locate([p for p in valid if p.severity is Severity.ERROR], sheet, number)
        else:
            planned.append(PlannedRow(number, valid))
    return Refusal(found) if found else planned


def _header_problems(layout: Sequence[Column], keys: Sequence[str], form: str, sheet: str) -> list[Located]:
    expected = {c.key: c for c in layout}
    found = [
        Located(problem("file.column_missing", "", column=key, label=column.label, form=form), sheet, 0, "")
        for key, column in expected.items()
        if key not in keys and key != NAME_KEY
    ]
    found += [
        Located(problem("file.column_unknown", "", column=key, form=form), sheet, 0, key)
        for key in keys
        if key and key not in expected
    ]
    return found


def _duplicates(rows: Sequence[tuple[int, Mapping[str, object]]], sheet: str) -> list[Located]:
    by_unit: dict[str, list[int]] = defaultdict(list)
    for number, cells in rows:
        unit = text(cells.get(UNIT_KEY))
        if unit:
            by_unit[unit].append(number)
    return [
        Located(
            problem("file.duplicate_unit", UNIT_KEY, unit=unit, rows=", ".join(map(str, numbers))),
            sheet,
            numbers[-1],
            UNIT_KEY,
        )
        for unit, numbers in by_unit.items()
        if len(numbers) > 1
    ]

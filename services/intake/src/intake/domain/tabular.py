"""Reports as table rows (Excel and CSV): the columns of a form, and a row read back as a Submission.

One layout serves a single unit and a province-wide sheet: one row per unit, one column per figure.
Every column has a stable key (`unit_code`, `c.numerator`, `chu_ky_so.parts.vneid`) written in the
template and read back, so that clerks may reorder or relabel columns without breaking the import.
Cell values are checked here (whole numbers, Có/Không), so a problem names the row and column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bdhvs_shared.catalogue import Catalogue, Form, Measure
from bdhvs_shared.events import MAX_FIGURE
from intake.domain.labels import PART_NAMES, describe_field, indicator_label, number
from intake.domain.problems import Problem, problem
from intake.domain.submissions import IndicatorValue, Submission

UNIT_KEY = "unit_code"
NAME_KEY = "unit_name"  # shown to people, ignored when read back
YES = frozenset({"có", "co", "1", "x", "yes"})
NO = frozenset({"không", "khong", "0", "no"})
_MAX_DIGITS = len(str(MAX_FIGURE))
SPARE_COLUMNS = 20  # columns a clerk may add beside a form's own (notes); cells further right are not read


class CellKind(StrEnum):
    TEXT = "text"
    WHOLE = "whole"  # a whole number ≥ 0
    YES_NO = "yes_no"  # Có / Không


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Vietnamese header
    kind: CellKind
    required: bool


@dataclass(frozen=True)
class Located:
    """A problem and where it is in the file (row and column are 1-based; 0 when not a cell)."""

    problem: Problem
    sheet: str
    row: int
    column: str  # the column's key; the adapter turns it into a letter


def columns(catalogue: Catalogue, form: Form) -> list[Column]:
    out = [
        Column(UNIT_KEY, "Mã đơn vị", CellKind.TEXT, True),
        Column(NAME_KEY, "Tên đơn vị", CellKind.TEXT, False),
    ]
    for code in form.indicators:
        indicator = catalogue.indicators[code]
        label = indicator_label(code)
        if indicator.measure is Measure.YES_NO:
            out.append(Column(f"{code}.numerator", f"{label}: Có/Không", CellKind.YES_NO, True))
            continue
        numerator_label = "số lượng" if indicator.measure is Measure.COUNT else "số đạt"
        out.append(Column(f"{code}.numerator", f"{label}: {numerator_label}", CellKind.WHOLE, True))
        if indicator.measure is Measure.RATIO:
            out.append(
                Column(
                    f"{code}.denominator", f"{label}: tổng số (để trống nếu chưa có)", CellKind.WHOLE, False
                )
            )
        for part in indicator.parts:
            out.append(
                Column(f"{code}.parts.{part}", f"{label}: {PART_NAMES.get(part, part)}", CellKind.WHOLE, True)
            )
    return out


def columns_read(catalogue: Catalogue) -> int:
    """How many columns of an imported file are read: the widest form's, plus `SPARE_COLUMNS`."""
    return max((len(columns(catalogue, f)) for f in catalogue.forms.values()), default=0) + SPARE_COLUMNS


def submission_from_row(
    form: Form,
    period: str,
    layout: Sequence[Column],
    cells: Mapping[str, object],
    sheet: str,
    row: int,
) -> Submission | list[Located]:
    """The row's Submission, or every cell problem in it (located)."""
    found: list[Located] = []
    numbers: dict[str, int | None] = {}
    for column in layout:
        if column.key == NAME_KEY:
            continue
        value, issue = _cell(column, cells.get(column.key))
        if issue is not None:
            found.append(Located(issue, sheet, row, column.key))
        elif column.key != UNIT_KEY:
            numbers[column.key] = value if isinstance(value, int) else None
    if found:
        return found
    values: dict[str, IndicatorValue] = {}
    for code in form.indicators:
        parts = {
            key.rsplit(".", 1)[1]: amount
            for key, amount in numbers.items()
            if key.startswith(f"{code}.parts.") and amount is not None
        }
        numerator = numbers.get(f"{code}.numerator")
        if numerator is None:
            continue  # left out: validation reports the missing indicator on its column
        values[code] = IndicatorValue(numerator, numbers.get(f"{code}.denominator"), parts or None)
    return Submission(unit_code=row_unit(cells), form=form.code, period=period, values=values)


def row_unit(cells: Mapping[str, object]) -> str:
    """The unit code a row names ("" when none)."""
    unit = text(cells.get(UNIT_KEY))
    if isinstance(cells.get(UNIT_KEY), int | float) and unit.isdigit():
        unit = unit.zfill(5)  # Excel turned a typed 09313 into the number 9313
    return unit


def locate(problems: Sequence[Problem], sheet: str, row: int) -> list[Located]:
    """A form rule's problems on a row: the field path names the column."""
    located = []
    for p in problems:
        column = p.field.removeprefix("values.") if p.field.startswith("values.") else p.field
        if column.count(".") == 0 and p.field.startswith("values."):
            column = f"{column}.numerator"  # "indicator missing": point at its first column
        located.append(Located(p, sheet, row, column))
    return located


def text(value: object) -> str:
    """A cell as NFC text without surrounding spaces; a whole float (9313.0) loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _cell(column: Column, value: object) -> tuple[int | str | None, Problem | None]:
    shown = text(value)
    subject = describe_field(_field(column.key))
    if not shown:
        if column.required and column.kind is not CellKind.WHOLE:
            return None, problem("field.missing", _field(column.key), subject=subject)
        return None, None  # an empty figure: validation says whether it was needed
    if column.kind is CellKind.TEXT:
        return shown, None
    if column.kind is CellKind.YES_NO:
        lowered = shown.lower()
        if lowered in YES:
            return 1, None
        if lowered in NO:
            return 0, None
        reason = "cần chọn “Có” hoặc “Không”"
        return None, problem("field.invalid", _field(column.key), subject=subject, reason=reason)
    if isinstance(value, bool):
        return None, problem("value.not_integer", _field(column.key), subject=subject)
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float) and value.is_integer():
        amount = int(value)
    elif shown.isascii() and shown.lstrip("-").isdigit():
        # Past MAX_FIGURE's length, the digits are not converted (int() refuses over 4300 of them).
        too_long = len(shown.lstrip("-").lstrip("0")) > _MAX_DIGITS
        amount = (MAX_FIGURE + 1) * (-1 if shown.startswith("-") else 1) if too_long else int(shown)
    else:
        return None, problem("value.not_integer", _field(column.key), subject=subject)
    if amount < 0:
        return None, problem("value.negative", _field(column.key), subject=subject)
    if amount > MAX_FIGURE:
        return None, problem("value.too_large", _field(column.key), subject=subject, limit=number(MAX_FIGURE))
    return amount, None


def _field(key: str) -> str:
    return key if key == UNIT_KEY else f"values.{key}"

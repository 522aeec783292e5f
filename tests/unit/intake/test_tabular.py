"""Table rows read back as submissions: cell values as clerks type them, problems on their cell."""

from __future__ import annotations

from typing import Any

import pytest

from bdhvs_shared.catalogue import load_catalogue
from intake.domain.submissions import Submission
from intake.domain.tabular import Located, columns, submission_from_row

CATALOGUE = load_catalogue()
YOUTH = CATALOGUE.forms["youth_weekly"]
LAYOUT = columns(CATALOGUE, YOUTH)
ROW = {
    "unit_code": 9313.0,  # Excel keeps a typed code as a number
    "chu_ky_so.numerator": 10000.0,
    "chu_ky_so.denominator": None,
    "chu_ky_so.parts.vneid": "9000",
    "chu_ky_so.parts.mysign": 2500,
    "chu_ky_so.parts.smartca": 1500,
    "lop_hoc_thon.numerator": 12,
    "lop_hoc_thon.denominator": 15,
    "doi_tnxk.numerator": " KHÔNG ",
}


def read(**cells: Any) -> Submission | list[Located]:
    return submission_from_row(YOUTH, "2026-W10", LAYOUT, {**ROW, **cells}, "Báo cáo", 8)


def test_the_columns_of_a_form_have_stable_keys() -> None:
    assert [c.key for c in LAYOUT] == [
        "unit_code",
        "unit_name",
        "chu_ky_so.numerator",
        "chu_ky_so.denominator",
        "chu_ky_so.parts.vneid",
        "chu_ky_so.parts.mysign",
        "chu_ky_so.parts.smartca",
        "lop_hoc_thon.numerator",
        "lop_hoc_thon.denominator",
        "doi_tnxk.numerator",
    ]
    assert all(not c.label.isascii() for c in LAYOUT)


def test_cells_as_clerks_type_them() -> None:
    submission = read()
    assert isinstance(submission, Submission)
    assert submission.unit_code == "09313"
    signatures = submission.values["chu_ky_so"]
    assert (signatures.numerator, signatures.denominator) == (10000, None)
    assert signatures.parts == {"vneid": 9000, "mysign": 2500, "smartca": 1500}
    assert submission.values["doi_tnxk"].numerator == 0  # "KHÔNG", any case, trimmed


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"lop_hoc_thon.numerator": 12.5}, ("value.not_integer", "lop_hoc_thon.numerator")),
        ({"lop_hoc_thon.numerator": "12 lớp"}, ("value.not_integer", "lop_hoc_thon.numerator")),
        ({"lop_hoc_thon.numerator": -1}, ("value.negative", "lop_hoc_thon.numerator")),
        ({"doi_tnxk.numerator": "có lẽ"}, ("field.invalid", "doi_tnxk.numerator")),
        ({"doi_tnxk.numerator": None}, ("field.missing", "doi_tnxk.numerator")),
        ({"unit_code": ""}, ("field.missing", "unit_code")),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column(cells: dict[str, Any], expected: tuple[str, str]) -> None:
    found = read(**cells)
    assert isinstance(found, list)
    assert [(p.problem.code, p.column) for p in found] == [expected]
    assert all(p.row == 8 and p.sheet == "Báo cáo" for p in found)
    assert not found[0].problem.message.isascii()

"""The directory's CSV: any text gives contacts or problems, never an exception (the fuzzer found a 500)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.domain.directory_csv import parse_directory

HEADER = "unit_code,role,name,email\r\n"


def test_a_lone_carriage_return_is_a_line_end_not_a_crash() -> None:
    found = b"\xf2\x9c\xb5\xb5\xc2\xad\r\xc3\x9dy\xc3\xa8K".decode()  # the fuzzer's body
    rows, problems = parse_directory(found, {"09313"})
    assert rows == [] and {p.code for p in problems} == {"csv.column_missing"}
    rows, problems = parse_directory("unit_code,role\r,x\n", {"09313"})
    assert rows == [] and [p.column for p in problems] == ["name", "email"]


def test_a_row_is_located_by_its_first_line_when_a_quoted_field_spans_lines() -> None:
    text = HEADER + '09313,chairman,"Nguyễn\nVăn A",a@bacninh.gov.vn\r\n99999,chairman,B,b@bacninh.gov.vn\r\n'
    rows, problems = parse_directory(text, {"09313"})
    assert [(p.line, p.code) for p in problems] == [(4, "contact.unit_unknown")]
    assert rows[0].name == "Nguyễn\nVăn A"


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from([*'\r\n",\x00ab ', "đ", "\ufeff"]), max_size=60))
def test_any_text_gives_rows_or_problems(body: str) -> None:
    rows, problems = parse_directory(HEADER + body, {"09313"})
    assert rows or problems  # something to import, or why not
    assert all(p.line >= 1 and p.code and p.message for p in problems)

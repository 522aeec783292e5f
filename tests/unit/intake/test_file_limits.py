"""Imported files are read within limits: a few KB can no longer make intake walk billions of cells.

Issue 11: one cell at XFD20000 with a matching declared dimension made openpyxl produce every
empty cell up to it (20 s, 2.77 GB; a full-height sheet would exhaust the machine). The reader now
ignores the dimension and reads a bounded number of columns, so missing rows cost nothing; memory
is measured with tracemalloc (Python allocations of the reading alone), time only as a guard.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime

import pytest
from openpyxl.utils import get_column_letter

from bdhvs_shared.catalogue import load_catalogue
from intake.adapters import spreadsheets, template_writer
from intake.adapters.spreadsheets import ReadLimits, Table, UnreadableFile
from intake.adapters.template_writer import TemplateRow
from intake.domain.tabular import SPARE_COLUMNS, columns, columns_read
from support.workbooks import SHEET_XML, far_cell_xlsx, rewritten, with_far_cell

CATALOGUE = load_catalogue()
FORM = CATALOGUE.forms["monthly"]
LAYOUT = columns(CATALOGUE, FORM)
LIMITS = ReadLimits(max_rows=500, max_columns=columns_read(CATALOGUE))
TEMPLATE = template_writer.write_xlsx(
    "t", FORM.code, "2026-03", datetime(2026, 3, 20), LAYOUT, [TemplateRow("09313", "Xã Chi Lăng")]
)
MB = 1024 * 1024


def measured(read: Callable[[], Table]) -> tuple[Table | UnreadableFile, float, int]:
    """What `read` returned or refused, its seconds, and the peak of Python allocations meanwhile."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome: Table | UnreadableFile = read()
    except UnreadableFile as exc:
        outcome = exc
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return outcome, elapsed, peak


@pytest.mark.parametrize("ref", ["XFD20000", "XFD1048576"])
def test_a_lone_far_cell_is_refused_at_once_without_producing_the_empty_cells(ref: str) -> None:
    data = far_cell_xlsx(ref)
    assert len(data) < 5000
    outcome, elapsed, peak = measured(lambda: spreadsheets.read_xlsx(data, LIMITS))
    assert isinstance(outcome, UnreadableFile)
    # no key row among the first HEADER_ROWS rows: the reading stopped there, whatever the sheet declares
    assert outcome.code == "file.no_header" and outcome.params == {"sheet": "Báo cáo"}
    assert peak < 8 * MB, peak  # before the fix: 2.77 GB for XFD20000
    assert elapsed < 5, elapsed  # a guard against a hang; it takes milliseconds


@pytest.mark.parametrize("ref", ["XFD20000", "XFD1048576"])
def test_a_template_with_a_far_cell_is_read_down_to_it(ref: str) -> None:
    """The sheet is read to its last row (no data after a gap is dropped), one shared empty row at a time."""
    data = with_far_cell(TEMPLATE, ref)
    started = time.perf_counter()
    table = spreadsheets.read_xlsx(data, LIMITS)
    elapsed = time.perf_counter() - started
    assert [(number, cells["unit_code"]) for number, cells in table.rows] == [(8, "09313")]
    assert all(len(cells) <= LIMITS.max_columns for _, cells in table.rows)
    assert elapsed < 5, elapsed  # a guard: about 0.2 s for XFD1048576 (tracemalloc would make it 4 s)


def test_reading_down_to_a_far_cell_allocates_next_to_nothing() -> None:
    data = with_far_cell(TEMPLATE, "XFD20000")
    outcome, _, peak = measured(lambda: spreadsheets.read_xlsx(data, LIMITS))
    assert isinstance(outcome, Table), outcome
    assert peak < 8 * MB, peak  # before the fix: 2.77 GB (the child process's cap is checked in integration)


def test_a_far_cell_inside_the_columns_read_becomes_a_data_row_with_its_number() -> None:
    table = spreadsheets.read_xlsx(with_far_cell(TEMPLATE, "A1048576"), LIMITS)
    assert [number for number, _ in table.rows] == [8, 1_048_576]


def test_cells_right_of_the_columns_read_are_ignored() -> None:
    widest = max(len(columns(CATALOGUE, f)) for f in CATALOGUE.forms.values())
    assert LIMITS.max_columns == widest + SPARE_COLUMNS
    for column, rows in ((LIMITS.max_columns, [8, 9]), (LIMITS.max_columns + 1, [8])):
        table = spreadsheets.read_xlsx(with_far_cell(TEMPLATE, f"{get_column_letter(column)}9"), LIMITS)
        assert [number for number, _ in table.rows] == rows, column


def test_more_data_rows_than_allowed_stop_the_reading_at_the_first_extra_row() -> None:
    rows = "".join(f"{10000 + n},,1,2,1,2\r\n" for n in range(501))
    # a line the reader would refuse as malformed if it went on reading past the limit
    beyond = '"' + "x" * 200_000 + '"\r\n'
    data = (
        "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n" + rows + beyond
    ).encode()
    with pytest.raises(UnreadableFile) as refused:
        spreadsheets.read_csv(data, LIMITS)
    assert refused.value.code == "file.too_many_rows"
    assert refused.value.params == {"count": "hơn 500", "limit": 500}


def test_a_csv_with_more_lines_than_a_sheet_holds_is_refused() -> None:
    data = b"unit_code,c.numerator\r\n" + b"\r\n" * spreadsheets.MAX_SHEET_ROWS
    outcome, elapsed, peak = measured(lambda: spreadsheets.read_csv(data, LIMITS))
    assert isinstance(outcome, UnreadableFile) and outcome.code == "file.too_many_lines"
    assert outcome.params == {"limit": "1.048.576"}
    assert peak < 3 * len(data) + 8 * MB, peak  # the decoded text, not a list of a million rows
    assert elapsed < 10, elapsed


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.99])
def test_a_truncated_sheet_xml_is_refused_as_a_damaged_file(keep: float) -> None:
    """Issue 11: the parser's error escaped read_xlsx (a 500) when the sheet XML was cut short."""
    damaged = rewritten(TEMPLATE, SHEET_XML, lambda xml: xml[: int(len(xml) * keep)])
    with pytest.raises(UnreadableFile) as refused:
        spreadsheets.read_xlsx(damaged, LIMITS)
    assert refused.value.code == "file.not_xlsx"

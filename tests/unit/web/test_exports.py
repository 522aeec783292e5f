"""The web's .xlsx export: numbers as numbers, everything else as the text it was."""

from __future__ import annotations

import io

import openpyxl

from web.adapters.exports import xlsx


def _cells(rows: list[list[object]]) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx("Bảng", rows)))
    return [c.value for c in next(book.active.iter_rows(min_row=2))]


def test_figures_become_numbers() -> None:
    assert _cells([["a", "b", "c", "d"], ["12", "-3.5", "0", "0.25"]]) == [12, -3.5, 0, 0.25]


def test_codes_with_leading_zeros_and_words_that_parse_as_floats_stay_text() -> None:
    texts = ["09313", "nan", "inf", "-Infinity", "1e5", " 12 ", "١٢", "12.", "+5"]
    header = [f"c{i}" for i in range(len(texts))]
    assert _cells([header, texts]) == ["09313", "nan", "inf", "'-Infinity", "1e5", " 12 ", "١٢", "12.", "'+5"]


def test_a_float_that_is_not_finite_is_written_as_text_not_refused() -> None:
    assert _cells([["a", "b"], [float("nan"), float("inf")]]) == ["nan", "inf"]

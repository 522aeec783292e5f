"""Any bytes as an uploaded file: the readers and the import plan refuse clearly, never crash.

schemathesis cannot generate .xlsx or CSV bodies for the import endpoint, so this fuzzes the
parsing below it with hypothesis: arbitrary bytes, damaged templates, arbitrary CSV cells.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdhvs_shared.catalogue import load_catalogue
from intake.adapters import spreadsheets, template_writer
from intake.adapters.spreadsheets import ReadLimits, UnreadableFile
from intake.adapters.template_writer import TemplateRow
from intake.domain.imports import ImportPlan, Refusal, plan_import
from intake.domain.principal import Principal, Role
from intake.domain.tabular import columns, columns_read
from support.workbooks import rewritten

CATALOGUE = load_catalogue()
FORM = CATALOGUE.forms["youth_weekly"]
LAYOUT = columns(CATALOGUE, FORM)
TODAY = date(2026, 3, 10)
OPERATOR = Principal(uuid.uuid4(), Role.OPERATOR, None)
LIMITS = ReadLimits(500, columns_read(CATALOGUE))
TEMPLATE = template_writer.write_xlsx(
    "t",
    FORM.code,
    "2026-W10",
    datetime(2026, 3, 9),
    LAYOUT,
    [TemplateRow("09313", "x")],
)


def plan(table: spreadsheets.Table) -> ImportPlan | Refusal:
    return plan_import(
        CATALOGUE, OPERATOR, table.sheet, table.keys, table.rows, FORM.code, "2026-W10", 500, TODAY
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_are_refused_or_read(data: bytes) -> None:
    for reader in (spreadsheets.read_xlsx, spreadsheets.read_csv):
        try:
            table = reader(data, LIMITS)
        except UnreadableFile as exc:
            assert exc.code.startswith("file.")
        else:
            assert isinstance(plan(table), ImportPlan | Refusal)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(TEMPLATE) - 1), st.binary(min_size=1, max_size=64))
def test_a_damaged_template_is_refused_or_read(offset: int, junk: bytes) -> None:
    damaged = TEMPLATE[:offset] + junk + TEMPLATE[offset + len(junk) :]
    try:
        table = spreadsheets.read_xlsx(damaged, LIMITS)
    except UnreadableFile as exc:
        assert exc.code.startswith("file.")
    else:
        assert isinstance(plan(table), ImportPlan | Refusal)


cell = st.one_of(st.text(max_size=12), st.integers(-10, 10**7).map(str), st.just(""))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell, min_size=len(LAYOUT), max_size=len(LAYOUT)), min_size=1, max_size=5))
def test_any_csv_cells_give_a_plan_or_located_problems(rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.key for c in LAYOUT])
    writer.writerows(rows)
    result = plan(spreadsheets.read_csv(out.getvalue().encode("utf-8"), LIMITS))
    if isinstance(result, Refusal):
        assert result.problems and all(p.problem.message and p.problem.code for p in result.problems)


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"\0" * (spreadsheets.MAX_UNCOMPRESSED + 1))
    try:
        spreadsheets.read_xlsx(bomb.getvalue(), LIMITS)
    except UnreadableFile as exc:
        assert exc.code == "file.too_large"
    else:
        raise AssertionError("a zip bomb was opened")


MEMBERS = zipfile.ZipFile(io.BytesIO(TEMPLATE)).namelist()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MEMBERS), st.floats(min_value=0, max_value=1))
def test_a_template_with_a_part_cut_short_is_refused_or_read(member: str, keep: float) -> None:
    """A part of the package truncated (an interrupted save or upload): never an exception other than ours."""
    damaged = rewritten(TEMPLATE, member, lambda content: content[: int(len(content) * keep)])
    try:
        table = spreadsheets.read_xlsx(damaged, LIMITS)
    except UnreadableFile as exc:
        assert exc.code.startswith("file.")
    else:
        assert isinstance(plan(table), ImportPlan | Refusal)

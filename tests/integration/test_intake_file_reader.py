"""Imported files are read in a child process whose memory and time are capped (issue 11).

The caps are set low here so that what they stop is visible: a reading that would need gigabytes
or tens of seconds in-process is refused as `file.too_complex`, and the event loop keeps running
meanwhile. A capped child that reads a far-cell file successfully proves that reading it is flat.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest

from bdhvs_shared.catalogue import load_catalogue
from intake.adapters import template_writer
from intake.adapters.isolation import FileReader
from intake.adapters.spreadsheets import ReadLimits, UnreadableFile
from intake.adapters.template_writer import TemplateRow
from intake.domain.tabular import columns, columns_read
from support.workbooks import far_cell_xlsx, with_far_cell, with_sheet_rows

CATALOGUE = load_catalogue()
FORM = CATALOGUE.forms["monthly"]
LIMITS = ReadLimits(500, columns_read(CATALOGUE))
TEMPLATE = template_writer.write_xlsx(
    "t", FORM.code, "2026-03", datetime(2026, 3, 20), columns(CATALOGUE, FORM), [TemplateRow("09313", "x")]
)


async def test_a_template_with_a_cell_at_xfd1048576_is_read_by_a_child_capped_at_96_mb() -> None:
    """The child's whole address space is 96 MB (about 46 MB is Python and openpyxl): flat memory."""
    table = await FileReader(96, 10, 1).read("xlsx", with_far_cell(TEMPLATE, "XFD1048576"), LIMITS)
    assert [(number, cells["unit_code"]) for number, cells in table.rows] == [(8, "09313")]
    assert table.form == "monthly" and table.period == "2026-03"


@pytest.mark.parametrize("ref", ["XFD20000", "XFD1048576"])
async def test_a_lone_far_cell_is_refused_by_a_capped_child(ref: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as refused:
        await FileReader(96, 10, 1).read("xlsx", far_cell_xlsx(ref), LIMITS)
    assert refused.value.code == "file.no_header"
    assert time.perf_counter() - started < 5  # a guard against a hang; process start-up included


async def test_a_row_of_a_million_empty_cells_is_refused_when_it_outgrows_the_memory_cap() -> None:
    """openpyxl builds a row's cells before any can be dropped: about 600 MB here, in a 100 KB file."""
    data = with_sheet_rows(TEMPLATE, '<row r="9">' + '<c r="A9"/>' * 1_000_000 + "</row>")
    assert len(data) < 200_000
    with pytest.raises(UnreadableFile) as refused:
        await FileReader(128, 30, 1).read("xlsx", data, LIMITS)
    assert refused.value.code == "file.too_complex"
    assert refused.value.params == {"memory": 128, "seconds": "30"}


async def test_a_reading_past_its_time_is_killed_while_the_event_loop_keeps_running() -> None:
    """A million empty row elements take openpyxl seconds to parse; the child gets half a second."""
    data = with_sheet_rows(TEMPLATE, '<row r="9"/>' * 1_000_000)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    try:
        with pytest.raises(UnreadableFile) as refused:
            await FileReader(256, 0.5, 1).read("xlsx", data, LIMITS)
    finally:
        ticker.cancel()
    elapsed = time.perf_counter() - started
    assert refused.value.code == "file.too_complex"
    assert elapsed < 5, elapsed
    assert ticks >= elapsed / 0.05 / 4, (ticks, elapsed)  # the loop was never blocked for long


async def test_concurrent_readings_wait_for_a_slot() -> None:
    reader = FileReader(96, 10, 1)
    tables = await asyncio.gather(*(reader.read("xlsx", TEMPLATE, LIMITS) for _ in range(3)))
    assert [t.rows[0][1]["unit_code"] for t in tables] == ["09313"] * 3

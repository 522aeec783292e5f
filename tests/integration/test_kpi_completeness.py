"""Completeness and the consolidated report against real NATS and PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg
import httpx
import openpyxl
import pytest

from bdhvs_shared.catalogue import as_of_date, load_catalogue
from bdhvs_shared.catalogue.periods import Period
from bdhvs_shared.events import ConsolidatedReportProduced, ReportingUpdated
from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.settings import KpiSettings
from support.apps import eventually, running
from support.auth_server import auth_server
from support.bus import consumer_backlog, jetstream, stream_messages
from support.events import TZ, publish, report_accepted

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ON_TIME, LATE, WARD = "09313", "09292", "09187"  # two communes (xa) and a ward (phuong)


@pytest.fixture
async def kpi(database_url: str, clean_nats: str) -> AsyncIterator[httpx.AsyncClient]:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
    async with auth_server(database_url, clean_nats) as auth:
        settings = KpiSettings(
            nats_url=clean_nats,
            database_url=database_url,
            auth_url=auth.url,
            # After April's as-of day: kpi applies no report dated after tomorrow (an April report
            # shows what a month's report leaves out).
            BDHVS_CLOCK_START="2026-04-25T09:00:00+07:00",
        )
        async with running(create_app(settings)) as client:
            client.headers.update(auth.headers("operator"))
            yield client


async def applied(url: str, db: asyncpg.Connection, count: int) -> None:
    await eventually(lambda: consumer_backlog(url, "REPORTS", "kpi-reports"), lambda n: n == 0)
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.processed_events"), lambda n: n == count)


async def test_completeness_counts_each_report_once_with_its_first_verdict(
    kpi: httpx.AsyncClient, clean_nats: str, db: asyncpg.Connection
) -> None:
    first = report_accepted(ON_TIME, "2026-03", {"c": (5000, 10000)})
    correction = report_accepted(
        ON_TIME, "2026-03", {"c": (5100, 10000)}, revision=2, received=datetime(2026, 3, 23, tzinfo=TZ)
    )
    late = report_accepted(
        LATE, "2026-03", {"c": (4000, 10000)}, on_time=False, received=datetime(2026, 3, 22, tzinfo=TZ)
    )
    async with jetstream(clean_nats) as js:
        await publish(js, correction, f"bdhvs.report.accepted.{ON_TIME}")  # revisions out of order
        await publish(js, first, f"bdhvs.report.accepted.{ON_TIME}")
        await publish(js, late, f"bdhvs.report.accepted.{LATE}")
        await publish(js, late, f"bdhvs.report.accepted.{LATE}", msg_id="again")  # a redelivery
    await applied(clean_nats, db, 3)

    catalogue = load_catalogue()
    form = catalogue.forms["monthly"]
    expected = catalogue.expected_reporters(form, on=as_of_date(Period.parse("2026-03"), form.as_of_day))
    communes = [u for u in expected if u.kind.value == "xa"]
    reply = await kpi.get("/api/v1/completeness", params={"form": "monthly", "period": "2026-03"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["as_of"] == "2026-03-14" and body["deadline"].startswith("2026-03-20T00:00:00+07")
    groups = {g["group"]: g for g in body["groups"]}
    assert list(groups) == ["province", "xa", "phuong"]
    whole = groups["province"]
    assert (whole["expected"], whole["received"], whole["on_time"], whole["late"]) == (len(expected), 2, 1, 1)
    assert whole["missing"] == len(expected) - 2
    assert whole["reporting_rate"] == pytest.approx(2 / len(expected))
    assert whole["on_time_rate"] == pytest.approx(1 / len(expected))
    assert (groups["xa"]["expected"], groups["xa"]["received"]) == (len(communes), 2)
    assert groups["phuong"]["received"] == 0
    assert groups["phuong"]["expected"] == len(expected) - len(communes)
    missing = [u["unit_code"] for u in body["missing"]]
    assert len(missing) == len(expected) - 2 and ON_TIME not in missing and WARD in missing
    assert [(u["unit_code"], u["state"]) for u in body["late"]] == [(LATE, "late")]

    reply = await kpi.get(
        "/api/v1/completeness", params={"form": "monthly", "period": "2026-03", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    states = {r["unit_code"]: r for r in rows}
    assert len(rows) == len(expected)
    assert states[ON_TIME]["state"] == "on_time" and states[ON_TIME]["latest_revision"] == "2"
    assert states[ON_TIME]["first_received_at"].startswith("2026-03-15")
    assert states[LATE]["state"] == "late" and states[WARD]["state"] == "missing"

    # One event per new report; the correction and the redelivery publish nothing.
    messages = await eventually(
        lambda: stream_messages(clean_nats, "KPI", "bdhvs.kpi.reporting.monthly"), lambda m: len(m) == 2
    )
    events = [ReportingUpdated.model_validate_json(m.data) for m in messages]
    assert [e.sequence for e in events] == [1, 2]
    assert events[-1].groups[0].received == 2 and events[-1].groups[0].on_time == 1
    assert messages[-1].headers["ce-type"] == "vn.bacninh.bdhvs.kpi.reporting.v1"


async def test_an_agency_form_expects_the_province_alone(kpi: httpx.AsyncClient) -> None:
    body = (
        await kpi.get("/api/v1/completeness", params={"form": "police_monthly", "period": "2026-03"})
    ).json()
    assert [(g["group"], g["expected"], g["received"]) for g in body["groups"]] == [("province", 1, 0)]
    assert [u["unit_code"] for u in body["missing"]] == ["24"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"form": "nope", "period": "2026-03"}, "form.unknown"),
        ({"form": "monthly", "period": "2026-3"}, "period.invalid"),
        ({"form": "monthly", "period": "2026-Q1"}, "period.not_for_form"),
        ({"form": "police_baseline_2025", "period": "2026"}, "period.not_for_form"),
    ],
)
async def test_unknown_forms_and_periods_are_refused(
    kpi: httpx.AsyncClient, params: dict[str, str], code: str
) -> None:
    reply = await kpi.get("/api/v1/completeness", params=params)
    assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == code


async def test_the_consolidated_report_as_xlsx_and_html(
    kpi: httpx.AsyncClient, clean_nats: str, db: asyncpg.Connection
) -> None:
    events = [
        report_accepted(ON_TIME, "2026-02", {"c": (4300, 10000), "d": (3000, 10000)}),  # c: off track
        report_accepted(ON_TIME, "2026-03", {"c": (4700, 10000), "d": (3500, 10000)}),
        report_accepted(
            LATE, "2026-03", {"c": (6000, 20000)}, on_time=False, received=datetime(2026, 3, 22, tzinfo=TZ)
        ),
        report_accepted(ON_TIME, "2026-04", {"c": (9900, 10000)}),  # after the month: not in its report
    ]
    async with jetstream(clean_nats) as js:
        for event in events:
            await publish(js, event, f"bdhvs.report.accepted.{event.unit_code}")
    await applied(clean_nats, db, len(events))

    reply = await kpi.get("/api/v1/consolidated", params={"period": "2026-03"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith(XLSX)
    book = openpyxl.load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["Chỉ tiêu", "Tình hình báo cáo", "Trễ hạn, chưa báo cáo", "Biểu đồ"]
    sheet = book["Chỉ tiêu"]
    header = [c.value for c in sheet[4]]
    c_col = header.index("Chỉ tiêu c")  # attainment is the first column of each KPI's block
    rows = {r[0]: r for r in sheet.iter_rows(min_row=6, values_only=True) if r[0]}
    assert rows["24"][c_col] == pytest.approx((4700 + 6000) / 30000)  # the roll-up, April left out
    assert rows[ON_TIME][c_col] == pytest.approx(0.47) and rows[ON_TIME][c_col + 2] == "Chậm tiến độ"
    assert rows[ON_TIME][c_col + 1] == "≥ 100 %"
    assert rows[WARD][c_col] is None and rows[WARD][c_col + 2] == "Chưa có số liệu"
    counts = [r for r in book["Tình hình báo cáo"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert counts[0][:6] == ("Toàn tỉnh", rows_expected(), 2, 1, 1, rows_expected() - 2)
    late = list(book["Trễ hạn, chưa báo cáo"].iter_rows(min_row=5, values_only=True))
    assert len(late) == rows_expected() - 1 and (LATE, "Trễ hạn") in {(r[1], r[4]) for r in late}

    page = await kpi.get("/api/v1/consolidated", params={"period": "2026-03", "format": "html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "THÁNG 2026-03" in text and "Tình hình báo cáo" in text and "Chậm tiến độ" in text
    assert load_catalogue().units[WARD].name in text and "47,00 %" in text

    wrong = await kpi.get("/api/v1/consolidated", params={"period": "2026-Q1"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "period.not_for_form"


def rows_expected() -> int:
    catalogue = load_catalogue()
    form = catalogue.forms["monthly"]
    return len(catalogue.expected_reporters(form, on=as_of_date(Period.parse("2026-03"), form.as_of_day)))


async def test_the_report_made_on_the_24th_is_served_as_announced(
    kpi: httpx.AsyncClient, clean_nats: str
) -> None:
    # The service's clock says 25 April: its consolidation tick made April's report at start.
    [message] = await eventually(
        lambda: stream_messages(clean_nats, "KPI", "bdhvs.kpi.consolidated.2026-04"), lambda m: len(m) == 1
    )
    event = ConsolidatedReportProduced.model_validate_json(message.data)
    assert event.xlsx_url == "/api/v1/consolidated/archive/2026-04.xlsx"
    workbook = await kpi.get(event.xlsx_url)
    assert workbook.status_code == 200 and workbook.headers["content-type"] == XLSX
    assert hashlib.sha256(workbook.content).hexdigest() == event.xlsx_sha256
    page = await kpi.get(event.html_url)
    assert page.status_code == 200 and "<html" in page.text.lower()
    never = await kpi.get("/api/v1/consolidated/archive/2026-02.xlsx")
    assert never.status_code == 404 and never.json()["errors"][0]["code"] == "consolidated.not_made"

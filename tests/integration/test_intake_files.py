"""Excel and CSV against real PostgreSQL and NATS: templates, dry run, all-or-nothing commit, clear errors."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import asyncpg
import openpyxl
import pytest

from support.apps import eventually
from support.bus import stream_messages
from support.intake import auth, counts
from support.workbooks import SHEET_XML, far_cell_xlsx, rewritten, with_far_cell, with_sheet_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n"
CHI_LANG = HEADER + "09313,Xã Chi Lăng,1,2,1,2\r\n"


async def template(client: Any, token: str, form: str, period: str, **params: str) -> openpyxl.Workbook:
    reply = await client.get(
        f"/api/v1/templates/{form}", params={"period": period, **params}, headers=auth(token)
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(reply.content))


def columns(sheet: Any) -> dict[str, int]:
    """Column key → 1-based column index, from the template's key row."""
    key_row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "unit_code")
    return {sheet.cell(key_row, c).value: c for c in range(1, sheet.max_column + 1)}


def saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(client: Any, token: str, data: bytes, media: str = XLSX, **params: Any) -> Any:
    headers = {**auth(token), "Content-Type": media}
    return await client.post("/api/v1/imports", content=data, params=params, headers=headers)


async def test_a_commune_fills_its_template_checks_it_then_commits_it(
    intake: Any, db: asyncpg.Connection, clean_nats: str
) -> None:
    client, tokens = intake
    book = await template(client, tokens["commune"], "youth_weekly", "2026-W10")
    sheet = book["Báo cáo"]
    assert sheet["B2"].value == "youth_weekly" and sheet["B3"].value == "2026-W10"
    assert "Hướng dẫn" in book.sheetnames
    at = columns(sheet)
    row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "09313")
    assert sheet.cell(row, 2).value == "Xã Chi Lăng (09313)"
    validations = {str(v.sqref): v.type for v in sheet.data_validations.dataValidation}
    assert "whole" in validations.values() and "list" in validations.values()
    for key, value in {
        "chu_ky_so.numerator": 10000,
        "chu_ky_so.denominator": 18000,
        "chu_ky_so.parts.vneid": 9000,
        "chu_ky_so.parts.mysign": 2500,
        "chu_ky_so.parts.smartca": 1500,
        "lop_hoc_thon.numerator": 12,
        "lop_hoc_thon.denominator": 15,
        "doi_tnxk.numerator": "Có",
    }.items():
        sheet.cell(row, at[key], value)
    data = saved(book)

    dry = await upload(client, tokens["commune"], data)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["rows"][0]["report_id"] is None
    assert await counts(db) == (0, 0, 0)

    committed = await upload(client, tokens["commune"], data, dry_run="false")
    assert committed.status_code == 200, committed.text
    result = committed.json()
    assert result["form"] == "youth_weekly" and result["period"] == "2026-W10"
    assert [(r["unit_code"], r["revision"]) for r in result["rows"]] == [("09313", 1)]
    assert await counts(db) == (1, 1, 1)
    stored = await db.fetchval("SELECT values::text FROM intake.report_revisions")
    assert '"doi_tnxk": {"parts": {}, "numerator": 1, "denominator": 1' in stored
    await eventually(
        lambda: stream_messages(clean_nats, "REPORTS", "bdhvs.report.accepted.09313"), lambda m: len(m) == 1
    )


async def test_a_province_wide_sheet_is_all_or_nothing_with_every_error_located(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    book = await template(client, tokens["operator"], "monthly", "2026-03")
    sheet = book["Báo cáo"]
    at = columns(sheet)
    first = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "unit_code") + 1
    units = [sheet.cell(r, 1).value for r in range(first, sheet.max_row + 1)]
    assert len(units) == 99  # every commune and ward that files the monthly report
    for r in range(first, first + 99):
        for key, value in (("c.numerator", 100), ("c.denominator", 200), ("d.numerator", 50)):
            sheet.cell(r, at[key], value)
        sheet.cell(r, at["d.denominator"], 200)
    sheet.cell(first + 3, at["c.numerator"], 300)  # above its denominator
    sheet.cell(first + 7, at["d.numerator"], "năm mươi")  # not a number
    bad = await upload(client, tokens["operator"], saved(book), dry_run="false")
    assert bad.status_code == 422, bad.text
    errors = [(e["code"], e["sheet"], e["row"], e["column"]) for e in bad.json()["errors"]]
    c_col = openpyxl.utils.get_column_letter(at["c.numerator"])
    d_col = openpyxl.utils.get_column_letter(at["d.numerator"])
    assert errors == [
        ("value.numerator_above_denominator", "Báo cáo", first + 3, c_col),
        ("value.not_integer", "Báo cáo", first + 7, d_col),
    ]
    assert all(not e["message"].isascii() for e in bad.json()["errors"])
    assert await counts(db) == (0, 0, 0)  # nothing from the 97 good rows either

    sheet.cell(first + 3, at["c.numerator"], 150)
    sheet.cell(first + 7, at["d.numerator"], 50)
    good = await upload(client, tokens["operator"], saved(book), dry_run="false")
    assert good.status_code == 200, good.text
    assert len(good.json()["rows"]) == 99
    assert await counts(db) == (99, 99, 99)


async def test_a_commune_cannot_import_another_communes_row(intake: Any, db: asyncpg.Connection) -> None:
    client, tokens = intake
    csv_text = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n09292,,1,2,1,2\r\n"
    reply = await upload(
        client,
        tokens["commune"],
        csv_text.encode(),
        "text/csv",
        form="monthly",
        period="2026-03",
        dry_run="false",
    )
    assert reply.status_code == 403
    assert [(e["code"], e["row"], e["column"]) for e in reply.json()["errors"]] == [
        ("auth.forbidden_unit", 2, "A")
    ]
    assert await counts(db) == (0, 0, 0)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
async def test_csv_in_utf8_with_or_without_bom(intake: Any, db: asyncpg.Connection, bom: bytes) -> None:
    client, tokens = intake
    text = CHI_LANG
    reply = await upload(
        client,
        tokens["commune"],
        bom + text.encode(),
        "text/csv",
        form="monthly",
        period="2026-03",
        dry_run="false",
    )
    assert reply.status_code == 200, reply.text
    assert await counts(db) == (1, 1, 1)


async def test_a_csv_in_another_encoding_is_refused_with_how_to_save_it(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    western = CHI_LANG.replace("ă", "a").encode("cp1252")  # Excel's plain "CSV" on a Western Windows
    reply = await upload(client, tokens["commune"], western, "text/csv", form="monthly", period="2026-03")
    assert reply.status_code == 422
    error = reply.json()["errors"][0]
    assert error["code"] == "file.not_utf8" and "CSV UTF-8" in error["message"]
    assert await counts(db) == (0, 0, 0)


@pytest.mark.parametrize(
    ("data", "media", "status", "code"),
    [
        (b"PK\x03\x04 not really a zip", XLSX, 422, "file.not_xlsx"),
        (b"%PDF-1.7", "application/pdf", 415, "file.unsupported_type"),
        (b"x" * (5 * 1024 * 1024 + 1), "text/csv", 413, "file.too_large"),
        (b"a,b\r\n1,2\r\n", "text/csv", 422, "file.no_header"),
        (b"unit_code,c.numerator\r\n09313,1\r\n", "text/csv", 422, "file.column_missing"),
    ],
)
async def test_files_that_are_not_templates_are_refused_clearly(
    intake: Any, db: asyncpg.Connection, data: bytes, media: str, status: int, code: str
) -> None:
    client, tokens = intake
    reply = await upload(client, tokens["commune"], data, media, form="monthly", period="2026-03")
    assert reply.status_code == status, reply.text
    assert reply.json()["errors"][0]["code"] == code
    assert await counts(db) == (0, 0, 0)


async def test_a_committed_import_retried_with_its_key_creates_nothing_more(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    text = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n09313,,1,2,1,2\r\n"
    params = {"form": "monthly", "period": "2026-03", "dry_run": "false"}
    headers = {**auth(tokens["commune"]), "Content-Type": "text/csv", "Idempotency-Key": "file-1"}
    first = await client.post("/api/v1/imports", content=text.encode(), params=params, headers=headers)
    again = await client.post("/api/v1/imports", content=text.encode(), params=params, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["rows"] == again.json()["rows"]
    assert await counts(db) == (1, 1, 1)
    other = await client.post(
        "/api/v1/imports",
        content=text.replace(",1,2\r\n", ",2,2\r\n").encode(),
        params=params,
        headers=headers,
    )
    assert other.status_code == 409


async def test_an_import_with_a_falling_figure_is_stored_only_when_confirmed(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    february = HEADER + "09313,,10000,18000,9000,18000\r\n"
    march = HEADER + "09313,,10000,18000,8000,18000\r\n"  # d falls from 9000 to 8000
    params = {"form": "monthly", "dry_run": "false"}
    first = await upload(client, tokens["commune"], february.encode(), "text/csv", period="2026-02", **params)
    assert first.status_code == 200, first.text
    dry = await upload(
        client, tokens["commune"], march.encode(), "text/csv", form="monthly", period="2026-03"
    )
    assert [w["code"] for w in dry.json()["rows"][0]["warnings"]] == ["value.cumulative_drop"]
    refused = await upload(client, tokens["commune"], march.encode(), "text/csv", period="2026-03", **params)
    assert refused.status_code == 422, refused.text
    assert [e["code"] for e in refused.json()["errors"]] == ["report.confirmation_required"]
    d_column = "E"  # unit_code, unit_name, c.numerator, c.denominator, d.numerator
    assert [(w["code"], w["row"], w["column"]) for w in refused.json()["warnings"]] == [
        ("value.cumulative_drop", 2, d_column)
    ]
    assert await counts(db) == (1, 1, 1)
    confirmed = await upload(
        client, tokens["commune"], march.encode(), "text/csv", period="2026-03", confirm="true", **params
    )
    assert confirmed.status_code == 200, confirmed.text
    assert [w["code"] for w in confirmed.json()["rows"][0]["warnings"]] == ["value.cumulative_drop"]
    assert await counts(db) == (2, 2, 2)


async def test_a_template_for_a_period_the_form_is_not_filed_for_is_refused(intake: Any) -> None:
    client, tokens = intake
    for period, code in (("2026-3", "period.malformed"), ("2026-Q1", "period.wrong_type")):
        reply = await client.get(
            "/api/v1/templates/monthly", params={"period": period}, headers=auth(tokens["commune"])
        )
        assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == code
    one_off = await client.get(
        "/api/v1/templates/police_baseline_2025", params={"period": "2026"}, headers=auth(tokens["police"])
    )
    assert one_off.status_code == 422 and one_off.json()["errors"][0]["code"] == "period.not_for_form"


@pytest.mark.parametrize("ref", ["XFD20000", "XFD1048576"])
async def test_a_few_kilobytes_with_a_far_cell_get_a_clear_error_at_once(
    intake: Any, db: asyncpg.Connection, ref: str
) -> None:
    """Issue 11: this 1.5 KB file froze intake for 20 s and took 2.77 GB (XFD20000); XFD1048576: all RAM."""
    client, tokens = intake
    data = far_cell_xlsx(ref)
    started = time.perf_counter()
    reply, health = await asyncio.gather(
        upload(client, tokens["commune"], data, dry_run="true"), client.get("/health/live")
    )
    assert time.perf_counter() - started < 5  # a guard: it takes well under a second
    assert health.status_code == 200
    assert reply.status_code == 422, reply.text
    error = reply.json()["errors"][0]
    assert error["code"] == "file.no_header" and "unit_code" in error["message"]
    assert await counts(db) == (0, 0, 0)


async def test_a_filled_template_stretched_to_xfd1048576_still_imports(intake: Any) -> None:
    client, tokens = intake
    book = await template(client, tokens["commune"], "monthly", "2026-03")
    sheet = book["Báo cáo"]
    at = columns(sheet)
    for key, value in {"c.numerator": 1, "c.denominator": 2, "d.numerator": 1, "d.denominator": 2}.items():
        sheet.cell(8, at[key], value)
    reply = await upload(client, tokens["commune"], with_far_cell(saved(book), "XFD1048576"))
    assert reply.status_code == 200, reply.text
    assert [r["row"] for r in reply.json()["rows"]] == [8]


async def test_a_file_that_needs_too_much_memory_to_read_is_refused_with_413(intake: Any) -> None:
    client, tokens = intake
    book = await template(client, tokens["commune"], "monthly", "2026-03")
    data = with_sheet_rows(saved(book), '<row r="9">' + '<c r="A9"/>' * 1_000_000 + "</row>")
    reply = await upload(client, tokens["commune"], data)
    assert reply.status_code == 413, reply.text
    error = reply.json()["errors"][0]
    assert error["code"] == "file.too_complex" and "256 MB" in error["message"]


async def test_a_truncated_sheet_is_refused_as_a_damaged_file_not_a_500(intake: Any) -> None:
    """Issue 11: the XML parser's error escaped the reader when the sheet's XML was cut short."""
    client, tokens = intake
    book = await template(client, tokens["commune"], "monthly", "2026-03")
    damaged = rewritten(saved(book), SHEET_XML, lambda xml: xml[: len(xml) // 2])
    reply = await upload(client, tokens["commune"], damaged)
    assert reply.status_code == 422, reply.text
    assert reply.json()["errors"][0]["code"] == "file.not_xlsx"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (HEADER + "".join(f"{10000 + n},,1,2,1,2\r\n" for n in range(501)), "file.too_many_rows"),
        (HEADER + "\r\n" * 1_048_576, "file.too_many_lines"),
    ],
)
async def test_a_csv_past_the_row_limits_is_refused(intake: Any, body: str, code: str) -> None:
    client, tokens = intake
    reply = await upload(
        client, tokens["operator"], body.encode(), "text/csv", form="monthly", period="2026-03"
    )
    assert reply.status_code == 422, reply.text
    assert [e["code"] for e in reply.json()["errors"]] == [code]


async def test_the_import_use_case_counts_stored_rows_once_and_a_reused_key_gets_the_one_answer(
    intake: Any,
) -> None:
    # Issue 12 item 5: counting moved from the route into the use case (a replay is not counted
    # again), and KeyReused has one handler for reports and files alike.
    client, tokens = intake
    params = {"form": "monthly", "period": "2026-03", "dry_run": "false"}
    headers = {**auth(tokens["commune"]), "Content-Type": "text/csv", "Idempotency-Key": "file-2"}
    for _ in range(2):
        stored = await client.post(
            "/api/v1/imports", content=CHI_LANG.encode(), params=params, headers=headers
        )
        assert stored.status_code == 200, stored.text
    metrics = (await client.get("/metrics")).text
    assert 'bdhvs_reports_accepted_total{form="monthly"} 1.0' in metrics
    changed = CHI_LANG.replace(",1,2\r\n", ",2,2\r\n").encode()
    from_file = await client.post("/api/v1/imports", content=changed, params=params, headers=headers)
    report = {
        "unit_code": "09313",
        "form": "monthly",
        "period": "2026-03",
        "values": {"c": {"numerator": 1, "denominator": 2}, "d": {"numerator": 1, "denominator": 2}},
    }
    key = {**auth(tokens["commune"]), "Idempotency-Key": "report-2"}
    assert (await client.post("/api/v1/reports", json=report, headers=key)).status_code == 201
    report["values"]["c"]["numerator"] = 2  # type: ignore[index]
    from_report = await client.post("/api/v1/reports", json=report, headers=key)
    assert from_file.status_code == from_report.status_code == 409
    assert from_file.json() == from_report.json()
    assert from_file.json()["errors"][0]["code"] == "idempotency.key_reused"

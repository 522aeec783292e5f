"""Intake's bounds through the real app, PostgreSQL and NATS (issue 11: items 1, 3, 6 and 11).

A period ahead of its figures, a figure no consumer can store, a yes/no given as 0 or "yes", an
oversized body: each is refused with a code and a Vietnamese message, and nothing is stored or
published. Whatever intake accepts, kpi's own consumer code applies.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bdhvs_shared.catalogue import Period, as_of_date, load_catalogue
from bdhvs_shared.events import MAX_FIGURE, ReportAccepted
from kpi.service_layer.apply_batch import apply_batch
from kpi.service_layer.roll_up import refresh_rollups
from support.bus import stream_messages
from support.events import REPORT_BODY, report_accepted
from support.intake import auth, counts
from support.kpi_service import kpi_service

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = load_catalogue()
MONTHLY = CATALOGUE.forms["monthly"]
# Who files March 2026's monthly report (the units active on its as-of day).
REPORTERS = CATALOGUE.expected_reporters(MONTHLY, on=as_of_date(Period.parse("2026-03"), MONTHLY.as_of_day))
JSON_MAX_BYTES = 256 * 1024


def issue_body(period: str, c: dict[str, int], d: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "unit_code": "09292",
        "form": "monthly",
        "period": period,
        "confirm": True,
        "values": {"c": c, "d": d},
        **extra,
    }


async def nothing_stored_or_published(db: asyncpg.Connection, nats_url: str) -> None:
    assert await counts(db) == (0, 0, 0)
    assert await stream_messages(nats_url, "REPORTS", "bdhvs.report.>") == []


# --- 1. a far-future period ------------------------------------------------------------------------


async def test_the_issues_2099_report_is_refused_and_nothing_is_stored_or_published(
    intake: Any, db: asyncpg.Connection, clean_nats: str
) -> None:
    client, tokens = intake  # the clock: 14 March 2026, 09:00 in Hà Nội
    full = {"numerator": 18000, "denominator": 18000}
    reply = await client.post(
        "/api/v1/reports", json=issue_body("2099-12", full, full), headers=auth(tokens["other"])
    )
    assert reply.status_code == 422, reply.text
    [error] = reply.json()["errors"]
    assert (error["code"], error["field"]) == ("period.in_future", "period")
    assert "14/12/2099" in error["message"]  # the day it opens (REPORT_EARLY_DAYS is 0)
    # April opens on 14 April (its as-of day); March opened today, on its as-of day.
    april = await client.post(
        "/api/v1/reports", json={**REPORT_BODY, "period": "2026-04"}, headers=auth(tokens["commune"])
    )
    assert april.status_code == 422 and april.json()["errors"][0]["code"] == "period.in_future"
    await nothing_stored_or_published(db, clean_nats)
    march = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
    assert march.status_code == 201, march.text


async def test_an_import_for_a_future_period_is_refused_in_the_dry_run_and_the_commit(
    intake: Any, db: asyncpg.Connection, clean_nats: str
) -> None:
    client, tokens = intake
    csv = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n09313,,1,2,1,2\r\n"
    for dry_run in ("true", "false"):
        reply = await client.post(
            "/api/v1/imports",
            content=csv.encode(),
            params={"form": "monthly", "period": "2099-12", "dry_run": dry_run},
            headers={**auth(tokens["commune"]), "Content-Type": "text/csv"},
        )
        assert reply.status_code == 422, reply.text
        assert [(e["code"], e["row"]) for e in reply.json()["errors"]] == [("period.in_future", 0)]
    await nothing_stored_or_published(db, clean_nats)


# --- 3. figures every consumer can store ---------------------------------------------------------------


async def test_the_issues_2_to_the_63_is_refused_as_too_large(
    intake: Any, db: asyncpg.Connection, clean_nats: str
) -> None:
    client, tokens = intake
    body = (
        '{"unit_code":"09292","form":"monthly","period":"2026-03","confirm":true,"values":{"c":'
        '{"numerator":9223372036854775808,"denominator":9223372036854775809},'
        '"d":{"numerator":1,"denominator":18000}}}'
    )
    headers = {**auth(tokens["other"]), "Content-Type": "application/json"}
    reply = await client.post("/api/v1/reports", content=body, headers=headers)
    assert reply.status_code == 422, reply.text
    assert [(e["code"], e["field"]) for e in reply.json()["errors"]] == [
        ("value.too_large", "values.c.numerator"),
        ("value.too_large", "values.c.denominator"),
    ]
    above_population = issue_body(
        "2026-03", {"numerator": 1, "denominator": 269_641}, {"numerator": 1, "denominator": 18000}
    )
    reply = await client.post("/api/v1/reports", json=above_population, headers=auth(tokens["other"]))
    assert [(e["code"], e["field"]) for e in reply.json()["errors"]] == [
        ("value.above_population", "values.c.denominator")
    ]
    csv = (
        f"unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n09292,,1,{2**63},1,2\r\n"
    )
    reply = await client.post(
        "/api/v1/imports",
        content=csv.encode(),
        params={"form": "monthly", "period": "2026-03", "dry_run": "false"},
        headers={**auth(tokens["other"]), "Content-Type": "text/csv"},
    )
    assert reply.status_code == 422, reply.text
    assert [(e["code"], e["row"], e["column"]) for e in reply.json()["errors"]] == [
        ("value.too_large", 2, "D")
    ]
    await nothing_stored_or_published(db, clean_nats)


@pytest.mark.parametrize(
    "body",
    [
        b'{"unit_code":"09292","form":"monthly","period":"2026-03","values":{"c":{"numerator":'
        + b"9" * 5000
        + b',"denominator":18000}}}',  # past the JSON parser's 4 300 digits
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion limit
        b'{"unit_code":"\xff\xfe"}',  # not UTF-8
    ],
)
async def test_a_body_the_json_parser_gives_up_on_is_invalid_json_not_a_bare_400(
    intake: Any, db: asyncpg.Connection, body: bytes
) -> None:
    client, tokens = intake
    headers = {**auth(tokens["other"]), "Content-Type": "application/json"}
    reply = await client.post("/api/v1/reports", content=body, headers=headers)
    assert reply.status_code == 422, reply.text
    assert [e["code"] for e in reply.json()["errors"]] == ["body.invalid_json"]
    assert await counts(db) == (0, 0, 0)


@pytest.fixture
async def kpi(database_url: str) -> AsyncIterator[Any]:
    async with kpi_service(database_url, datetime(2026, 3, 20, 9, 0, tzinfo=TZ)) as service:
        yield service


async def test_whatever_intake_accepts_around_its_bounds_kpis_consumer_applies(
    intake: Any, kpi: Any, db: asyncpg.Connection
) -> None:
    """Figures at and past each bound through intake's API; the events of those it accepted through
    kpi's batch consumer code, on the same PostgreSQL: every one is applied, the province's sum too."""
    client, tokens = intake
    unknown = [u.code for u in REPORTERS if u.population is None]  # only the hard bound applies
    known = [u for u in REPORTERS if u.population is not None][:4]  # ten times the population
    tried = dict(zip(unknown, [MAX_FIGURE + 1, 2**63 - 1, 2**63, 10**30], strict=False))
    tried |= {code: MAX_FIGURE for code in unknown[len(tried) :]}
    tried |= {u.code: u.population * 10 + (i % 2) for i, u in enumerate(known)}
    accepted = {}
    for code, figure in tried.items():
        top = {"numerator": figure, "denominator": figure}
        body = {"unit_code": code, "form": "monthly", "period": "2026-03", "values": {"c": top, "d": top}}
        reply = await client.post("/api/v1/reports", json=body, headers=auth(tokens["operator"]))
        assert reply.status_code in (201, 422), reply.text
        if reply.status_code == 201:
            accepted[code] = figure
    assert set(accepted.values()) == {MAX_FIGURE, known[0].population * 10, known[2].population * 10}
    rows = await db.fetch("SELECT payload FROM intake.outbox ORDER BY created_at")
    events = [ReportAccepted.model_validate_json(r["payload"]) for r in rows]
    assert len(events) == len(accepted)

    assert all(await apply_batch(kpi, events))
    await refresh_rollups(kpi)
    stored = await db.fetch(
        "SELECT unit_code, numerator, denominator FROM kpi.observations WHERE indicator = 'c'"
    )
    assert {r["unit_code"]: (r["numerator"], r["denominator"]) for r in stored} == {
        code: (figure, figure) for code, figure in accepted.items()
    }
    province = await db.fetchrow(
        "SELECT numerator, denominator FROM kpi.attainment WHERE unit_code = $1 AND indicator = 'c'",
        CATALOGUE.province.code,
    )
    assert province is not None and province["numerator"] == sum(accepted.values())


async def test_kpi_applies_the_event_schemas_largest_figure_for_every_unit(
    kpi: Any, db: asyncpg.Connection
) -> None:
    """The event's bound is the contract: every unit at MAX_FIGURE, and the province's sum of them."""
    events = [
        report_accepted(u.code, "2026-03", {"c": (MAX_FIGURE, MAX_FIGURE), "d": (MAX_FIGURE, MAX_FIGURE)})
        for u in REPORTERS
    ]
    assert all(await apply_batch(kpi, events))
    await refresh_rollups(kpi)
    province = await db.fetchrow(
        "SELECT numerator, denominator, attainment FROM kpi.attainment"
        " WHERE unit_code = '24' AND indicator = 'd'"
    )
    assert province is not None
    assert province["numerator"] == province["denominator"] == len(REPORTERS) * MAX_FIGURE
    assert province["attainment"] == 1.0


# --- 11. a person's yes or no -------------------------------------------------------------------------


@pytest.mark.parametrize("confirm", [0, 1, "yes", "true"])
async def test_confirm_given_as_anything_but_a_json_boolean_is_refused(
    intake: Any, db: asyncpg.Connection, confirm: object
) -> None:
    client, tokens = intake
    reply = await client.post(
        "/api/v1/reports", json={**REPORT_BODY, "confirm": confirm}, headers=auth(tokens["commune"])
    )
    assert reply.status_code == 422, reply.text
    [error] = reply.json()["errors"]
    assert (error["code"], error["field"]) == ("field.not_boolean", "confirm")
    assert "true" in error["message"] and not error["message"].isascii()
    assert await counts(db) == (0, 0, 0)


async def test_an_import_commits_only_on_dry_run_false_not_on_0_or_no(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    csv = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n09313,,1,2,1,2\r\n"
    for flag in ("0", "no", "off"):
        reply = await client.post(
            "/api/v1/imports",
            content=csv.encode(),
            params={"form": "monthly", "period": "2026-03", "dry_run": flag},
            headers={**auth(tokens["commune"]), "Content-Type": "text/csv"},
        )
        assert reply.status_code == 422, reply.text
        assert [(e["code"], e["field"]) for e in reply.json()["errors"]] == [
            ("field.not_boolean", "query.dry_run")
        ]
    assert await counts(db) == (0, 0, 0)


# --- 6. bodies and answers of bounded size --------------------------------------------------------------


def oversized_report(size: int = 4 * 1024 * 1024) -> bytes:
    """A report whose one unknown indicator's code is `size` characters long."""
    body = json.dumps({**REPORT_BODY, "values": {**REPORT_BODY["values"], "pad": {"numerator": 1}}})
    return body.replace('"pad"', '"' + "x" * size + '"').encode()


async def test_an_oversized_body_with_content_length_is_refused_before_it_is_read(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    data = oversized_report()
    headers = {**auth(tokens["commune"]), "Content-Type": "application/json"}
    reply = await client.post("/api/v1/reports", content=data, headers=headers)
    assert reply.status_code == 413, reply.text
    [error] = reply.json()["errors"]
    assert error["code"] == "body.too_large" and "256 KB" in error["message"]
    assert await counts(db) == (0, 0, 0)


async def test_an_oversized_chunked_body_without_content_length_is_cut_off(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    data = oversized_report()
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for start in range(0, len(data), 16 * 1024):
            sent += 1
            yield data[start : start + 16 * 1024]

    headers = {**auth(tokens["commune"]), "Content-Type": "application/json"}
    reply = await client.post("/api/v1/reports", content=chunks(), headers=headers)
    assert reply.status_code == 413, reply.text
    assert reply.json()["errors"][0]["code"] == "body.too_large"
    assert sent <= JSON_MAX_BYTES // (16 * 1024) + 1  # of 257 chunks: the rest was never read
    assert await counts(db) == (0, 0, 0)


async def test_a_body_within_the_limit_and_a_larger_file_import_are_still_taken(intake: Any) -> None:
    client, tokens = intake
    chunked = json.dumps(REPORT_BODY).encode()

    async def one_chunk() -> AsyncIterator[bytes]:
        yield chunked

    headers = {**auth(tokens["commune"]), "Content-Type": "application/json"}
    reply = await client.post("/api/v1/reports", content=one_chunk(), headers=headers)
    assert reply.status_code == 201, reply.text
    # The import has its own limit (IMPORT_MAX_BYTES, 5 MB): a 300 KB CSV is read, not refused as a body.
    rows = "".join(f"09313,{'x' * 300},1,2,1,2\r\n" for _ in range(1000))
    csv = "unit_code,unit_name,c.numerator,c.denominator,d.numerator,d.denominator\r\n" + rows
    assert len(csv) > JSON_MAX_BYTES
    reply = await client.post(
        "/api/v1/imports",
        content=csv.encode(),
        params={"form": "monthly", "period": "2026-03"},
        headers={**auth(tokens["commune"]), "Content-Type": "text/csv"},
    )
    assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == "file.too_many_rows"


async def test_thousands_of_unknown_indicators_give_a_short_answer_with_the_count(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    values = {**REPORT_BODY["values"], **{f"x{i}": {"numerator": 1} for i in range(5000)}}
    reply = await client.post(
        "/api/v1/reports", json={**REPORT_BODY, "values": values}, headers=auth(tokens["commune"])
    )
    assert reply.status_code == 422
    errors = reply.json()["errors"]
    assert len(errors) == 101 and {e["code"] for e in errors[:100]} == {"indicator.unknown"}
    assert errors[-1]["code"] == "errors.truncated" and "4.900" in errors[-1]["message"]
    assert len(reply.content) < 100_000  # the issue's 250 000 indicators gave 57 MB
    assert await counts(db) == (0, 0, 0)

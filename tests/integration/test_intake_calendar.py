"""GET /api/v1/calendar: the year's deadlines as the system computes them; a province's day off,
added as catalogue data, moves the deadline the report is judged by."""

from __future__ import annotations

from typing import Any

from support.events import REPORT_BODY
from support.intake import auth


async def test_the_2026_calendar_shows_tet_and_the_moved_deadlines(intake: Any) -> None:
    client, tokens = intake
    reply = await client.get("/api/v1/calendar", params={"year": 2026}, headers=auth(tokens["commune"]))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["deadline_working_day"] is True
    assert {"date": "2026-02-17", "reason": "Tết Nguyên Đán"} in body["days_off"]
    assert {d["date"] for d in body["working_days"]} == {"2026-08-22"}
    monthly = next(f for f in body["forms"] if f["form"] == "monthly")["periods"]
    february = next(p for p in monthly if p["period"] == "2026-02")
    assert (february["as_of"], february["moved_from"], february["last_day"]) == (
        "2026-02-14",
        "2026-02-19",
        "2026-02-23",
    )
    assert february["deadline"] == "2026-02-24T00:00:00+07:00" and "Tết" in february["reason"]
    march = next(p for p in monthly if p["period"] == "2026-03")
    assert march["moved_from"] is None and march["reason"] is None
    weekly = next(f for f in body["forms"] if f["form"] == "youth_weekly")["periods"]
    assert len(weekly) == 53 and weekly[0]["period"] == "2026-W01"


async def test_a_year_out_of_range_is_refused_in_the_errors_shape(intake: Any) -> None:
    client, tokens = intake
    reply = await client.get("/api/v1/calendar", params={"year": 99999}, headers=auth(tokens["commune"]))
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["field"].endswith("year")
    assert (await client.get("/api/v1/calendar", params={"year": 2026})).status_code == 401


async def test_a_province_day_off_moves_the_deadline_a_report_is_judged_by(intake: Any) -> None:
    client, tokens = intake
    calendar = "days_off:\n  - date: 2026-03-19\n    reason: Nghỉ theo Quyết định của UBND tỉnh\n"
    reply = await client.put(
        "/api/v1/admin/catalogue/files/calendar.yaml",
        json={"content": calendar, "summary": "Ngày nghỉ của tỉnh"},
        headers=auth(tokens["admin"]),
    )
    assert reply.status_code == 200, reply.text
    body = (
        await client.get("/api/v1/calendar", params={"year": 2026}, headers=auth(tokens["commune"]))
    ).json()
    march = next(
        p for f in body["forms"] if f["form"] == "monthly" for p in f["periods"] if p["period"] == "2026-03"
    )
    assert march["last_day"] == "2026-03-20" and "Quyết định của UBND tỉnh" in march["reason"]
    report = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
    assert report.json()["deadline"] == "2026-03-21T00:00:00+07:00"

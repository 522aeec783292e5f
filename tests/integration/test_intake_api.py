"""Intake against real PostgreSQL and NATS: store, revise, publish through the outbox; reject cleanly."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from bdhvs_shared.events import ReportAccepted
from support.apps import eventually
from support.bus import stream_messages
from support.events import REPORT_BODY
from support.intake import auth, counts

REPORT = REPORT_BODY


async def test_a_report_is_stored_and_published_with_its_event_id(
    intake: Any, db: asyncpg.Connection, clean_nats: str
) -> None:
    client, tokens = intake
    reply = await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["commune"]))
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["revision"] == 1
    assert body["on_time"] is True  # 14 March is before the 20th
    assert body["deadline"] == "2026-03-20T00:00:00+07:00"
    assert body["received_at"] == "2026-03-14T09:00:00+07:00" or body["received_at"].startswith(
        "2026-03-14T09:00:0"
    )
    assert await counts(db) == (1, 1, 1)

    messages = await eventually(
        lambda: stream_messages(clean_nats, "REPORTS", "bdhvs.report.>"), lambda m: len(m) == 1
    )
    message = messages[0]
    assert message.subject == "bdhvs.report.accepted.09313"
    assert message.headers["Nats-Msg-Id"] == body["event_id"]
    assert message.headers["ce-id"] == body["event_id"]
    assert message.headers["ce-type"] == "vn.bacninh.bdhvs.report.accepted.v1"
    event = ReportAccepted.model_validate_json(message.data)
    assert event.values["c"].numerator == 15000 and event.revision == 1
    published = await eventually(
        lambda: db.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NOT NULL"),
        lambda n: n == 1,
    )
    assert published == 1


async def test_a_resubmission_is_the_next_revision_and_keeps_timeliness(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    first = (await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["commune"]))).json()
    changed = json.loads(json.dumps(REPORT))
    changed["values"]["c"]["numerator"] = 15500
    second = (await client.post("/api/v1/reports", json=changed, headers=auth(tokens["operator"]))).json()
    assert (first["revision"], second["revision"]) == (1, 2)
    assert second["report_id"] == first["report_id"]
    assert second["on_time"] == first["on_time"]
    report = (
        await client.get(f"/api/v1/reports/{first['report_id']}", headers=auth(tokens["commune"]))
    ).json()
    assert [r["revision"] for r in report["revisions"]] == [1, 2]
    assert report["revisions"][1]["values"]["c"]["numerator"] == 15500
    assert report["revisions"][1]["submitted_by"].startswith("operator:")
    assert await counts(db) == (1, 2, 2)


@pytest.mark.parametrize(
    ("mutate", "code", "field"),
    [
        (lambda r: r.update(unit_code="99999"), "unit.unknown", "unit_code"),
        (lambda r: r.update(form="weekly-nope"), "form.unknown", "form"),
        (lambda r: r.update(period="2026-13"), "period.malformed", "period"),
        (
            lambda r: r["values"].update(x={"numerator": 1, "denominator": 2}),
            "indicator.unknown",
            "values.x",
        ),
        (lambda r: r["values"]["c"].update(numerator=-1), "value.negative", "values.c.numerator"),
        (
            lambda r: r["values"]["c"].update(numerator=1.5),
            "value.not_integer",
            "values.c.numerator",
        ),
        (
            lambda r: r["values"]["c"].update(numerator=20000),
            "value.numerator_above_denominator",
            "values.c.numerator",
        ),
        (lambda r: r.pop("period"), "field.missing", "period"),
    ],
)
async def test_bad_input_is_422_with_code_field_and_vietnamese_and_stores_nothing(
    intake: Any, db: asyncpg.Connection, mutate: Any, code: str, field: str
) -> None:
    client, tokens = intake
    report = json.loads(json.dumps(REPORT))
    mutate(report)
    reply = await client.post("/api/v1/reports", json=report, headers=auth(tokens["commune"]))
    assert reply.status_code == 422, reply.text
    errors = reply.json()["errors"]
    assert (code, field) in [(e["code"], e["field"]) for e in errors], errors
    assert all(e["message"] and not e["message"].isascii() for e in errors)  # Vietnamese, with diacritics
    assert await counts(db) == (0, 0, 0)


async def test_invalid_json_is_422_not_500(intake: Any, db: asyncpg.Connection) -> None:
    client, tokens = intake
    reply = await client.post(
        "/api/v1/reports",
        content=b"{not json",
        headers={**auth(tokens["commune"]), "Content-Type": "application/json"},
    )
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["code"] == "body.invalid_json"
    assert await counts(db) == (0, 0, 0)


async def test_tokens_decide_who_may_submit(intake: Any, db: asyncpg.Connection) -> None:
    client, tokens = intake
    assert (await client.post("/api/v1/reports", json=REPORT)).status_code == 401
    assert (await client.post("/api/v1/reports", json=REPORT, headers=auth("bdhvs_nope"))).status_code == 401
    other = await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["other"]))
    assert other.status_code == 403
    assert other.json()["errors"][0]["code"] == "auth.forbidden_unit"
    assert (
        await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["admin"]))
    ).status_code == 403
    assert await counts(db) == (0, 0, 0)
    created = (await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["operator"]))).json()
    # A commune cannot read another commune's report, and cannot tell that it exists.
    hidden = await client.get(f"/api/v1/reports/{created['report_id']}", headers=auth(tokens["other"]))
    assert hidden.status_code == 404


async def test_health_and_metrics(intake: Any) -> None:
    client, tokens = intake
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "nats": "ok"}
    await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["commune"]))
    metrics = (await client.get("/metrics")).text
    assert 'bdhvs_reports_accepted_total{form="monthly"} 1.0' in metrics


async def test_an_omitted_denominator_is_estimated_and_the_reply_warns(intake: Any) -> None:
    client, tokens = intake
    report = json.loads(json.dumps(REPORT))
    del report["values"]["c"]["denominator"]
    reply = await client.post("/api/v1/reports", json=report, headers=auth(tokens["commune"]))
    assert reply.status_code == 201, reply.text
    warnings = reply.json()["warnings"]
    assert [(w["code"], w["field"], w["severity"]) for w in warnings] == [
        ("value.denominator_estimated", "values.c.denominator", "warning")
    ]


async def test_a_retry_with_the_same_key_returns_the_original_reply_and_creates_nothing(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    headers = {**auth(tokens["commune"]), "Idempotency-Key": "retry-1"}
    first = await client.post("/api/v1/reports", json=REPORT, headers=headers)
    again = await client.post("/api/v1/reports", json=REPORT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert {**again.json(), "replayed": False} == first.json()
    assert again.json()["replayed"] is True
    assert await counts(db) == (1, 1, 1)


async def test_the_same_key_with_another_body_is_409_and_changes_nothing(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    headers = {**auth(tokens["commune"]), "Idempotency-Key": "retry-2"}
    assert (await client.post("/api/v1/reports", json=REPORT, headers=headers)).status_code == 201
    changed = json.loads(json.dumps(REPORT))
    changed["values"]["c"]["numerator"] = 15001
    conflict = await client.post("/api/v1/reports", json=changed, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["code"] == "idempotency.key_reused"
    assert await counts(db) == (1, 1, 1)


async def test_concurrent_retries_create_one_revision(intake: Any, db: asyncpg.Connection) -> None:
    client, tokens = intake
    body = {**REPORT, "submission_id": "0b6f8e8e-2f5e-4a55-8a0c-3f1f0f6f1a01"}
    replies = await asyncio.gather(
        *(client.post("/api/v1/reports", json=body, headers=auth(tokens["commune"])) for _ in range(8))
    )
    assert {r.status_code for r in replies} == {201}
    assert len({r.json()["event_id"] for r in replies}) == 1
    assert sum(not r.json()["replayed"] for r in replies) == 1
    assert await counts(db) == (1, 1, 1)


async def test_keys_belong_to_their_token(intake: Any, db: asyncpg.Connection) -> None:
    client, tokens = intake
    for token in ("commune", "operator"):
        reply = await client.post(
            "/api/v1/reports", json=REPORT, headers={**auth(tokens[token]), "Idempotency-Key": "k"}
        )
        assert reply.status_code == 201 and reply.json()["replayed"] is False
    assert await counts(db) == (1, 2, 2)


async def test_the_list_filters_and_pages_and_a_commune_sees_only_its_own(intake: Any) -> None:
    client, tokens = intake
    for unit, period in (("09313", "2026-01"), ("09313", "2026-02"), ("09292", "2026-02")):
        body = {**REPORT, "unit_code": unit, "period": period}
        assert (
            await client.post("/api/v1/reports", json=body, headers=auth(tokens["operator"]))
        ).status_code == 201
    everything = (await client.get("/api/v1/reports", headers=auth(tokens["operator"]))).json()
    assert everything["total"] == 3
    february = await client.get(
        "/api/v1/reports", params={"period": "2026-02"}, headers=auth(tokens["operator"])
    )
    assert {r["unit_code"] for r in february.json()["items"]} == {"09313", "09292"}
    page = await client.get(
        "/api/v1/reports", params={"limit": 1, "offset": 1}, headers=auth(tokens["operator"])
    )
    assert page.json()["total"] == 3 and len(page.json()["items"]) == 1
    own = (await client.get("/api/v1/reports", headers=auth(tokens["commune"]))).json()
    assert {r["unit_code"] for r in own["items"]} == {"09313"} and own["total"] == 2
    other = await client.get("/api/v1/reports", params={"unit": "09292"}, headers=auth(tokens["commune"]))
    assert other.status_code == 403


async def test_a_revision_diff_says_what_changed(intake: Any) -> None:
    client, tokens = intake
    first = (await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["commune"]))).json()
    changed = json.loads(json.dumps(REPORT))
    changed["values"]["d"]["numerator"] = 9100
    await client.post("/api/v1/reports", json=changed, headers=auth(tokens["commune"]))
    url = f"/api/v1/reports/{first['report_id']}/revisions"
    diff = (await client.get(f"{url}/2/diff", headers=auth(tokens["commune"]))).json()
    assert diff["compared_with"] == 1
    assert diff["changes"] == [{"indicator": "d", "field": "numerator", "before": 9000, "after": 9100}]
    assert len((await client.get(f"{url}/1/diff", headers=auth(tokens["commune"]))).json()["changes"]) == 4
    missing = await client.get(f"{url}/3/diff", headers=auth(tokens["commune"]))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "revision.not_found"
    assert (await client.get(f"{url}/2/diff", headers=auth(tokens["other"]))).status_code == 404


POLICE_REPORT = {
    "unit_code": "24",
    "form": "police_monthly",
    "period": "2026-03",
    "values": {"vneid_l2": {"numerator": 1_900_000}, "d": {"numerator": 1_200_000}},
}


async def test_an_agency_reports_on_the_province_and_reads_only_its_forms(
    intake: Any, db: asyncpg.Connection, clean_nats: str
) -> None:
    client, tokens = intake
    reply = await client.post("/api/v1/reports", json=POLICE_REPORT, headers=auth(tokens["police"]))
    assert reply.status_code == 201, reply.text
    assert [w["code"] for w in reply.json()["warnings"]] == ["value.denominator_estimated"] * 2
    commune_report = await client.post("/api/v1/reports", json=REPORT, headers=auth(tokens["commune"]))
    assert commune_report.status_code == 201

    # The police may not file the commune's form, nor another agency's.
    for body in (
        REPORT,
        {**POLICE_REPORT, "form": "education_monthly", "values": {"b": {"numerator": 1, "denominator": 2}}},
    ):
        refused = await client.post("/api/v1/reports", json=body, headers=auth(tokens["police"]))
        assert refused.status_code == 403, refused.text
    # A commune may not file for the province.
    refused = await client.post("/api/v1/reports", json=POLICE_REPORT, headers=auth(tokens["commune"]))
    assert refused.status_code == 403, refused.text
    assert await counts(db) == (2, 2, 2)

    listed = (await client.get("/api/v1/reports", headers=auth(tokens["police"]))).json()
    assert [(r["unit_code"], r["form"]) for r in listed["items"]] == [("24", "police_monthly")]
    commune_id = commune_report.json()["report_id"]
    hidden = await client.get(f"/api/v1/reports/{commune_id}", headers=auth(tokens["police"]))
    assert hidden.status_code == 404

    messages = await eventually(
        lambda: stream_messages(clean_nats, "REPORTS", "bdhvs.report.>"), lambda m: len(m) == 2
    )
    event = next(ReportAccepted.model_validate_json(m.data) for m in messages if m.subject.endswith(".24"))
    assert event.submitted_by == "agency:cong_an"
    assert event.values["d"].denominator == 2_605_992 and event.values["d"].denominator_estimated


async def test_a_falling_cumulative_figure_is_stored_only_once_the_clerk_confirms(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    february = {**REPORT, "period": "2026-02"}
    assert (
        await client.post("/api/v1/reports", json=february, headers=auth(tokens["commune"]))
    ).status_code == 201
    march = json.loads(json.dumps(REPORT))
    march["values"]["d"]["numerator"] = 8000  # below February's 9000
    refused = await client.post("/api/v1/reports", json=march, headers=auth(tokens["commune"]))
    assert refused.status_code == 422, refused.text
    assert [e["code"] for e in refused.json()["errors"]] == ["report.confirmation_required"]
    assert [(w["code"], w["field"]) for w in refused.json()["warnings"]] == [
        ("value.cumulative_drop", "values.d.numerator")
    ]
    assert "2026-02" in refused.json()["warnings"][0]["message"]
    assert await counts(db) == (1, 1, 1)

    confirmed = await client.post(
        "/api/v1/reports", json={**march, "confirm": True}, headers=auth(tokens["commune"])
    )
    assert confirmed.status_code == 201, confirmed.text
    assert [w["code"] for w in confirmed.json()["warnings"]] == ["value.cumulative_drop"]
    assert await counts(db) == (2, 2, 2)


async def test_filters_with_control_characters_are_refused_not_a_500(intake: Any) -> None:
    client, tokens = intake
    for params in ({"period": "\x00"}, {"unit": "09 313"}, {"form": "monthly;drop"}):
        reply = await client.get("/api/v1/reports", params=params, headers=auth(tokens["operator"]))
        assert reply.status_code == 422, (params, reply.text)
        assert reply.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("form", "period", "values", "deadline", "as_of"),
    [
        ("quarterly", "2026-Q1", "commune_quarter", "2026-03-20T00:00:00+07:00", "2026-03-14"),
        # The fixture's clock is 14 March 2026: the latest half-year and year with figures are 2025's.
        ("six_monthly", "2025-H2", "commune_quarter", "2025-12-20T00:00:00+07:00", "2025-12-14"),
        ("annual", "2025", "commune_quarter", "2025-12-20T00:00:00+07:00", "2025-12-14"),
        ("enterprise", "2026-Q1", "enterprise", "2026-03-20T00:00:00+07:00", "2026-03-14"),
        # The week's last day is Sunday 8th: due by the end of Monday 9th (Civil Code art. 148(5)).
        ("youth_weekly", "2026-W10", "youth", "2026-03-10T00:00:00+07:00", "2026-03-08"),
    ],
)
async def test_every_period_type_is_accepted_with_its_own_deadline(
    intake: Any, form: str, period: str, values: str, deadline: str, as_of: str
) -> None:
    client, tokens = intake
    figures = {
        "commune_quarter": {
            "c": {"numerator": 15000, "denominator": 18000},
            "d": {"numerator": 9000, "denominator": 18000},
            "dinh_danh_16": {"numerator": 16000},
            "gia_dinh_so": {"numerator": 5000, "denominator": 6500},
            "dai_su_so": {"numerator": 40, "denominator": 45},
            "ho_tro_mot_cua": {"numerator": 1},
            "cong_ttdt": {"numerator": 0},
        },
        "enterprise": {"dd": {"numerator": 1200, "denominator": 1500}},
        "youth": {
            "chu_ky_so": {"numerator": 10000, "parts": {"vneid": 9000, "mysign": 2500, "smartca": 1500}},
            "lop_hoc_thon": {"numerator": 12, "denominator": 15},
            "doi_tnxk": {"numerator": 1},
        },
    }[values]
    body = {"unit_code": "09313", "form": form, "period": period, "values": figures}
    reply = await client.post("/api/v1/reports", json=body, headers=auth(tokens["commune"]))
    assert reply.status_code == 201, reply.text
    assert (reply.json()["deadline"], reply.json()["as_of"]) == (deadline, as_of)
    received = datetime.fromisoformat("2026-03-14T09:00:00+07:00")  # the fixture's clock
    assert reply.json()["on_time"] is (received < datetime.fromisoformat(deadline))  # week 10 is late

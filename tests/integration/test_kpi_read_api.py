"""The read API against real NATS and PostgreSQL: history, the province table, the ranking."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.settings import KpiSettings
from support.apps import eventually, running
from support.auth_server import NO_AUTH_URL, AuthServer
from support.bus import consumer_backlog, jetstream
from support.events import publish, report_accepted
from support.kpi_api import kpi_api

# c per unit and month. 09313 and 09292 both end at 60 %, 09313 faster; 09238 is 09292 again.
FIGURES = {
    "09313": {"2026-01": 4000, "2026-03": 6000},
    "09292": {"2026-01": 5800, "2026-03": 6000},
    "09238": {"2026-01": 5800, "2026-03": 6000},
    "09193": {"2026-03": 7000},
}


@pytest.fixture
async def kpi_and_auth(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> AsyncIterator[tuple[httpx.AsyncClient, AuthServer]]:
    """kpi with the figures applied; its client carries an operator's token."""
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
    async with kpi_api(database_url, clean_nats) as (client, auth):
        await _publish_figures(clean_nats, db)
        yield client, auth


@pytest.fixture
def kpi(kpi_and_auth: tuple[httpx.AsyncClient, AuthServer]) -> httpx.AsyncClient:
    return kpi_and_auth[0]


async def _publish_figures(clean_nats: str, db: asyncpg.Connection) -> None:
    async with jetstream(clean_nats) as js:
        for unit, months in FIGURES.items():
            for period, numerator in months.items():
                event = report_accepted(unit, period, {"c": (numerator, 10000), "d": (numerator, 10000)})
                await publish(js, event, f"bdhvs.report.accepted.{unit}")
        await eventually(lambda: consumer_backlog(clean_nats, "REPORTS", "kpi-reports"), lambda n: n == 0)
        await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)
        await eventually(
            lambda: db.fetchval(
                "SELECT units_reporting FROM kpi.attainment WHERE unit_code = '24' AND indicator = 'c'"
            ),
            lambda n: n == 4,
        )


async def test_history_of_a_unit_and_of_the_province(kpi: httpx.AsyncClient) -> None:
    reply = await kpi.get("/api/v1/history", params={"unit": "09313", "indicator": "c"})
    assert reply.status_code == 200
    points = reply.json()["points"]
    assert [(p["as_of"], p["numerator"], p["status"]) for p in points] == [
        ("2026-01-14", 4000, "insufficient_data"),
        ("2026-03-14", 6000, "on_track"),
    ]
    assert points[0]["pace_pp_per_30d"] is None and points[1]["pace_pp_per_30d"] > 0

    province = (await kpi.get("/api/v1/history", params={"unit": "24", "indicator": "c"})).json()["points"]
    assert [(p["as_of"], p["numerator"], p["denominator"], p["units_reporting"]) for p in province] == [
        ("2026-01-14", 15600, 30000, 3),
        ("2026-03-14", 25000, 40000, 4),
    ]

    unknown = await kpi.get("/api/v1/history", params={"unit": "09313", "indicator": "zz"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["code"] == "indicator.unknown"
    nowhere = await kpi.get("/api/v1/history", params={"unit": "99999", "indicator": "c"})
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["code"] == "unit.unknown"


async def test_the_province_table_sorts_by_any_column_in_json_and_csv(kpi: httpx.AsyncClient) -> None:
    catalogue = load_catalogue()
    body = (await kpi.get("/api/v1/table", params={"sort": "c_attainment", "order": "desc"})).json()
    rows = body["rows"]
    assert len(rows) == 1 + len(catalogue.units)
    assert rows[0]["unit_code"] == "24" and rows[0]["c_attainment"] == pytest.approx(25000 / 40000)
    assert [r["unit_code"] for r in rows[1:5]] == ["09193", "09238", "09292", "09313"]  # ties by code
    assert all(r["c_attainment"] is None for r in rows[5:])
    assert {"unit_name", "a_status", "dd_projected", "d_required_pace_pp_per_30d"} <= set(body["columns"])

    by_status = (await kpi.get("/api/v1/table", params={"sort": "c_status"})).json()["rows"]
    # Best first; insufficient_data (one observation, no pace) after every judged status.
    assert [(r["unit_code"], r["c_status"]) for r in by_status[1:5]] == [
        ("09313", "on_track"),
        ("09238", "off_track"),
        ("09292", "off_track"),
        ("09193", "insufficient_data"),
    ]

    for request in (
        {"params": {"format": "csv", "sort": "c_attainment", "order": "desc"}},
        {"params": {"sort": "c_attainment", "order": "desc"}, "headers": {"Accept": "text/csv"}},
    ):
        reply = await kpi.get("/api/v1/table", **request)  # type: ignore[arg-type]
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
        assert reply.content.startswith("\ufeff".encode())
        table = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
        assert len(table) == len(rows) and table[1]["unit_code"] == "09193"
        assert table[1]["unit_name"] == catalogue.units["09193"].name
        assert table[-1]["c_attainment"] == ""

    wrong = await kpi.get("/api/v1/table", params={"sort": "population"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "sort.unknown_column"


async def test_the_ranking_lists_units_with_data_and_breaks_ties_deterministically(
    kpi: httpx.AsyncClient,
) -> None:
    body = (await kpi.get("/api/v1/ranking", params={"indicator": "c"})).json()
    # 70 % first; at 60 % the faster 09313 (higher projection), then 09238 and 09292 by code.
    assert [(r["rank"], r["unit_code"]) for r in body["rows"]] == [
        (1, "09193"),
        (2, "09313"),
        (3, "09238"),
        (4, "09292"),
    ]
    kind = load_catalogue().units["09313"].kind.value
    only = (await kpi.get("/api/v1/ranking", params={"indicator": "c", "kind": kind})).json()["rows"]
    assert only and all(r["unit_kind"] == kind for r in only)
    assert [r["rank"] for r in only] == list(range(1, len(only) + 1))

    reply = await kpi.get("/api/v1/ranking", params={"indicator": "c", "format": "csv"})
    lines = reply.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("rank,unit_code,unit_name") and len(lines) == 5
    assert (await kpi.get("/api/v1/ranking", params={"indicator": "x"})).status_code == 422


async def test_a_commune_reads_its_own_unit_and_the_province_only(
    kpi_and_auth: tuple[httpx.AsyncClient, AuthServer],
) -> None:
    kpi, auth = kpi_and_auth
    commune = auth.headers("commune")  # 09313
    own = await kpi.get("/api/v1/attainment", params={"indicator": "c"}, headers=commune)
    assert own.status_code == 200
    assert sorted(row["unit_code"] for row in own.json()) == ["09313", "24"]
    history = await kpi.get("/api/v1/history", params={"unit": "24", "indicator": "c"}, headers=commune)
    assert history.status_code == 200

    for path, params in (
        ("/api/v1/attainment", {"unit": "09292"}),
        ("/api/v1/history", {"unit": "09292", "indicator": "c"}),
        ("/api/v1/table", {}),
        ("/api/v1/ranking", {"indicator": "c"}),
        ("/api/v1/completeness", {"form": "monthly", "period": "2026-03"}),
        ("/api/v1/consolidated", {"period": "2026-03"}),
    ):
        refused = await kpi.get(path, params=params, headers=commune)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["errors"][0]["code"].startswith("auth.forbidden")

    police = await kpi.get("/api/v1/table", headers=auth.headers("police"))
    assert police.status_code == 200  # a provincial body reads the province table


async def test_no_token_or_an_unknown_one_is_refused_with_401(kpi: httpx.AsyncClient) -> None:
    missing = await kpi.get("/api/v1/attainment", headers={"Authorization": ""})
    assert missing.status_code == 401 and missing.json()["errors"][0]["code"] == "auth.missing"
    unknown = await kpi.get("/api/v1/attainment", headers={"Authorization": "Bearer bdhvs_nope"})
    assert unknown.status_code == 401 and unknown.json()["errors"][0]["code"] == "auth.invalid"


async def test_the_communes_and_the_wards_roll_up_apart_and_add_up_to_the_province(
    kpi_and_auth: tuple[httpx.AsyncClient, AuthServer],
) -> None:
    kpi, auth = kpi_and_auth
    reply = await kpi.get("/api/v1/groups", params={"indicator": "c"})
    assert reply.status_code == 200
    rows = {row["group"]: row for row in reply.json()}
    assert set(rows) == {"province", "xa", "phuong"}
    catalogue = load_catalogue()
    for group in ("xa", "phuong"):
        members = [u for u in FIGURES if catalogue.unit(u).kind.value == group]  # type: ignore[union-attr]
        assert rows[group]["numerator"] == (sum(FIGURES[u]["2026-03"] for u in members) if members else None)
        assert rows[group]["units_reporting"] == len(members)
        assert rows[group]["units_expected"] == sum(
            1 for u in catalogue.units.values() if u.kind.value == group
        )
    parts = [rows[g]["numerator"] or 0 for g in ("xa", "phuong")]
    assert sum(parts) == rows["province"]["numerator"] == 25000  # sums, never averages
    assert rows["province"]["attainment"] == pytest.approx(25000 / 40000)
    refused = await kpi.get("/api/v1/groups", headers=auth.headers("commune"))
    assert refused.status_code == 403
    unknown = await kpi.get("/api/v1/groups", params={"indicator": "zz"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["code"] == "indicator.unknown"


async def test_metrics_carry_the_provinces_attainment_and_no_communes(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    """/metrics takes no token: no commune's figure there (a commune gets 403 for another's)."""
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
    settings = KpiSettings(
        nats_url=clean_nats,
        database_url=database_url,
        auth_url=NO_AUTH_URL,  # /metrics asks for no token
        BDHVS_CLOCK_START="2026-03-20T09:00:00+07:00",
    )
    app = create_app(settings)
    async with running(app) as client:
        await _publish_figures(clean_nats, db)
        await app.state.container.gauges.run_once()  # as its next poll would
        text = (await client.get("/metrics")).text
    series = [line for line in text.splitlines() if line.startswith("bdhvs_kpi_attainment_ratio{")]
    assert 'bdhvs_kpi_attainment_ratio{indicator="c",unit="24"} 0.625' in series
    assert all('unit="24"' in line for line in series), series
    assert 'bdhvs_kpi_units_by_status{indicator="c",status="off_track"} 2.0' in text  # totals stay


async def test_a_nul_or_a_malformed_code_in_a_parameter_is_refused_with_422(kpi: httpx.AsyncClient) -> None:
    """The issue's probe: /api/v1/attainment?unit=%00 gave a 500 (PostgreSQL text cannot hold NUL)."""
    for path, params in (
        ("/api/v1/attainment", {"unit": "\x00"}),
        ("/api/v1/attainment", {"indicator": "\x00"}),
        ("/api/v1/history", {"unit": "09313", "indicator": "c\x00"}),
        ("/api/v1/completeness", {"form": "monthly", "period": "2026-03\x00"}),
        ("/api/v1/table", {"sort": "\x00"}),
    ):
        reply = await kpi.get(path, params=params)
        assert reply.status_code == 422, (path, params, reply.text)
        [error] = reply.json()["errors"]
        assert error["code"] == "request.control_character" and error["field"] in params
    for params in ({"unit": "9313"}, {"unit": "09313a"}, {"indicator": "C"}):
        reply = await kpi.get("/api/v1/attainment", params=params)
        assert reply.status_code == 422
        assert reply.json()["errors"][0]["code"] == "request.string_pattern_mismatch"
    long_code = await kpi.get("/api/v1/attainment", params={"indicator": "ho_tro_mot_cua"})
    assert long_code.status_code == 200  # a catalogue code longer than 10 letters
    missing = await kpi.get("/api/v1/nowhere")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "http.not_found"

"""People's accounts through intake's HTTP API on real PostgreSQL: sign in and out, the two session
limits, the lockout and its audit, the initial password, the CSV import (dry run, all or nothing),
reset and deactivate; and kpi accepting a session through its token introspection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from bdhvs_shared.clock import OffsetClock
from intake.adapters.tokens import create_token
from intake.bootstrap import Container, create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from support.apps import running
from support.intake import auth
from support.kpi_api import kpi_api

REPORT = {
    "unit_code": "09313",
    "form": "monthly",
    "period": "2026-02",
    "values": {
        "c": {"numerator": 15000, "denominator": 18000},
        "d": {"numerator": 9000, "denominator": 18000},
    },
}
CHOSEN = "Mật khẩu của tôi 2026"


@dataclass
class Intake:
    client: httpx.AsyncClient
    container: Container
    admin: dict[str, str]  # an admin API token's header

    def move_clock(self, delta: timedelta) -> None:
        clock = self.container.clock
        assert isinstance(clock, OffsetClock)  # shared by every use case of the container
        clock.offset += delta

    async def create(self, **fields: Any) -> str:
        reply = await self.client.post("/api/v1/accounts", json=fields, headers=self.admin)
        assert reply.status_code == 201, reply.text
        return str(reply.json()["initial_password"])

    async def sign_in(self, username: str, password: str, **headers: str) -> httpx.Response:
        return await self.client.post(
            "/api/v1/sessions", json={"username": username, "password": password}, headers=headers
        )

    async def session(self, username: str, password: str) -> dict[str, str]:
        reply = await self.sign_in(username, password)
        assert reply.status_code == 201, reply.text
        return auth(reply.json()["token"])

    async def clerk(self, username: str = "cb09313", unit: str = "09313") -> dict[str, str]:
        """A clerk's session, its initial password already changed to CHOSEN."""
        initial = await self.create(
            username=username, display_name="Nguyễn Văn A", role="commune", unit_code=unit
        )
        first = await self.session(username, initial)
        changed = await self.client.post(
            "/api/v1/account/password",
            json={"current_password": initial, "new_password": CHOSEN},
            headers=first,
        )
        assert changed.status_code == 204, changed.text
        return first


@pytest.fixture
async def intake(database_url: str, clean_nats: str) -> AsyncIterator[Intake]:
    settings = IntakeSettings(
        nats_url=clean_nats, database_url=database_url, BDHVS_CLOCK_START="2026-03-14T09:00:00+07:00"
    )
    app = create_app(settings)
    async with running(app) as client:
        container: Container = app.state.container
        async with container.sessions() as session, session.begin():
            token = await create_token(session, Role.ADMIN, None, "test", container.clock.now())
        yield Intake(client, container, auth(token))


def first_error(reply: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = reply.json()["errors"][0]
    return error


async def test_sign_in_use_the_session_like_a_token_and_sign_out(intake: Intake) -> None:
    session = await intake.clerk()
    reply = await intake.sign_in(" CB09313 ", CHOSEN)
    assert reply.status_code == 201 and reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert body["account"] == {
        "username": "cb09313",
        "display_name": "Nguyễn Văn A",
        "role": "commune",
        "unit_code": "09313",
        "agency_code": None,
    }
    assert body["must_change_password"] is False and body["token"].startswith("bdhvss_")
    expires, idle = (datetime.fromisoformat(body[k]) for k in ("expires_at", "idle_expires_at"))
    assert expires - idle == timedelta(hours=11, minutes=30)  # 12 hours and 30 minutes from the sign-in
    session = auth(body["token"])

    who = await intake.client.get("/api/v1/auth/whoami", headers=session)
    assert who.status_code == 200
    assert {k: who.json()[k] for k in ("kind", "role", "unit_code", "username", "must_change_password")} == {
        "kind": "session",
        "role": "commune",
        "unit_code": "09313",
        "username": "cb09313",
        "must_change_password": False,
    }
    submitted = await intake.client.post("/api/v1/reports", json=REPORT, headers=session)
    assert submitted.status_code == 201, submitted.text
    assert (await intake.client.delete("/api/v1/sessions/current", headers=session)).status_code == 204
    gone = await intake.client.get("/api/v1/auth/whoami", headers=session)
    assert gone.status_code == 401 and first_error(gone)["code"] == "auth.invalid"
    api_token = await intake.client.delete("/api/v1/sessions/current", headers=intake.admin)
    assert api_token.status_code == 403 and first_error(api_token)["code"] == "auth.session_required"


async def test_an_idle_session_expires_and_a_used_one_ends_at_the_absolute_limit(intake: Intake) -> None:
    await intake.clerk()
    idle = await intake.session("cb09313", CHOSEN)
    used = await intake.session("cb09313", CHOSEN)
    for _ in range(3):  # 3 × 20 minutes of use keeps `used` alive; `idle` ends after 30 minutes
        intake.move_clock(timedelta(minutes=20))
        assert (await intake.client.get("/api/v1/auth/whoami", headers=used)).status_code == 200
    expired = await intake.client.get("/api/v1/auth/whoami", headers=idle)
    assert expired.status_code == 401 and first_error(expired)["code"] == "auth.session_expired"
    assert "30 phút" in first_error(expired)["message"]

    for _ in range(33):  # used every 20 minutes, up to 12 hours after the sign-in
        intake.move_clock(timedelta(minutes=20))
        reply = await intake.client.get("/api/v1/auth/whoami", headers=used)
        if reply.status_code != 200:
            break
    assert reply.status_code == 401 and "12 giờ" in first_error(reply)["message"]


async def test_five_wrong_passwords_lock_the_right_one_too_and_each_attempt_is_audited(
    intake: Intake, db: asyncpg.Connection
) -> None:
    await intake.clerk()
    unknown = await intake.sign_in("nobody", CHOSEN)
    wrong = await intake.sign_in("cb09313", "not my password", **{"X-Forwarded-For": "203.0.113.7"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() and first_error(wrong)["code"] == "auth.invalid_credentials"
    for _ in range(3):
        assert (await intake.sign_in("cb09313", "not my password")).status_code == 401
    locking = await intake.sign_in("cb09313", "not my password")
    assert locking.status_code == 423 and first_error(locking)["code"] == "auth.account_locked"
    assert "09:15 ngày 14/03/2026" in first_error(locking)["message"]  # 15 minutes, local time
    intake.move_clock(timedelta(minutes=10))
    still = await intake.sign_in("cb09313", CHOSEN)
    assert still.status_code == 423 and int(still.headers["Retry-After"]) == 300
    intake.move_clock(timedelta(minutes=5))
    assert (await intake.sign_in("cb09313", CHOSEN)).status_code == 201

    rows = await db.fetch(
        "SELECT username, action, outcome, remote_addr FROM intake.auth_audit "
        "WHERE action IN ('sign_in', 'lock', 'unlock') ORDER BY id"
    )
    trail = [(r["username"], r["action"], r["outcome"]) for r in rows]
    assert trail[-10:] == [
        ("nobody", "sign_in", "unknown_user"),
        *[("cb09313", "sign_in", "invalid_password")] * 5,
        ("cb09313", "lock", "ok"),
        ("cb09313", "sign_in", "locked"),
        ("cb09313", "unlock", "ok"),
        ("cb09313", "sign_in", "ok"),
    ]
    assert rows[-9]["remote_addr"] == "203.0.113.7"  # given by a trusted proxy (the web service)
    assert rows[-8]["remote_addr"] == "127.0.0.1"


async def test_the_initial_password_must_be_changed_before_anything_else(intake: Intake) -> None:
    initial = await intake.create(
        username="cb09313", display_name="Nguyễn Văn A", role="commune", unit_code="09313"
    )
    signed = await intake.sign_in("cb09313", initial)
    assert signed.status_code == 201 and signed.json()["must_change_password"] is True
    session = auth(signed.json()["token"])
    who = await intake.client.get("/api/v1/auth/whoami", headers=session)
    assert who.status_code == 200 and who.json()["must_change_password"] is True
    refused = await intake.client.post("/api/v1/reports", json=REPORT, headers=session)
    assert refused.status_code == 403 and first_error(refused)["code"] == "auth.password_change_required"

    weak = await intake.client.post(
        "/api/v1/account/password",
        json={"current_password": initial, "new_password": "cb09313"},
        headers=session,
    )
    assert weak.status_code == 422 and first_error(weak)["field"] == "new_password"
    wrong = await intake.client.post(
        "/api/v1/account/password",
        json={"current_password": "x" * 12, "new_password": CHOSEN},
        headers=session,
    )
    assert wrong.status_code == 422 and first_error(wrong)["code"] == "password.wrong_current"
    changed = await intake.client.post(
        "/api/v1/account/password",
        json={"current_password": initial, "new_password": CHOSEN},
        headers=session,
    )
    assert changed.status_code == 204
    assert (await intake.client.post("/api/v1/reports", json=REPORT, headers=session)).status_code == 201
    assert (await intake.sign_in("cb09313", initial)).status_code == 401


async def test_a_clerk_session_cannot_submit_for_another_commune(intake: Intake) -> None:
    session = await intake.clerk()
    other = await intake.client.post(
        "/api/v1/reports", json={**REPORT, "unit_code": "09292"}, headers=session
    )
    assert other.status_code == 403 and first_error(other)["code"] == "auth.forbidden_unit"
    mine = await intake.client.post("/api/v1/reports", json=REPORT, headers=session)
    assert mine.status_code == 201


CSV_HEADER = "username,display_name,role,unit_code,agency_code,email,phone\n"
GOOD_ROWS = (
    "cb09313,Cán bộ xã A,commune,09313,,a@example.gov.vn,0912345678\n"
    "cb09292,Cán bộ xã B,commune,09292,,,\n"
    "congan,Công an tỉnh,agency,,cong_an,,\n"
)


async def test_a_csv_with_one_bad_row_creates_nothing_and_names_its_row_and_column(
    intake: Intake, db: asyncpg.Connection
) -> None:
    bad = CSV_HEADER + GOOD_ROWS + "cb99999,Cán bộ xã lạ,commune,99999,,,\n"
    csv_headers = {**intake.admin, "Content-Type": "text/csv"}
    dry = await intake.client.post("/api/v1/accounts/import", content=bad.encode(), headers=csv_headers)
    assert dry.status_code == 200, dry.text
    assert [r["username"] for r in dry.json()["rows"]] == ["cb09313", "cb09292", "congan"]
    [error] = dry.json()["errors"]
    assert (error["code"], error["row"], error["column"], error["field"]) == (
        "account.unit_unknown",
        5,
        "D",
        "unit_code",
    )
    assert error["message"].startswith("Dòng 5, cột D (unit_code): ")

    commit = await intake.client.post(
        "/api/v1/accounts/import", params={"dry_run": "false"}, content=bad.encode(), headers=csv_headers
    )
    assert commit.status_code == 422 and first_error(commit)["row"] == 5
    assert await db.fetchval("SELECT count(*) FROM intake.accounts") == 0  # all or nothing

    good = (CSV_HEADER + GOOD_ROWS).replace(",", ";").encode("utf-8-sig")  # Excel, Vietnamese locale
    created = await intake.client.post(
        "/api/v1/accounts/import", params={"dry_run": "false"}, content=good, headers=csv_headers
    )
    assert created.status_code == 201, created.text
    passwords = {a["username"]: a["initial_password"] for a in created.json()["accounts"]}
    assert set(passwords) == {"cb09313", "cb09292", "congan"}
    signed = await intake.sign_in("congan", passwords["congan"])
    assert signed.status_code == 201 and signed.json()["account"]["agency_code"] == "cong_an"
    again = await intake.client.post("/api/v1/accounts/import", content=good, headers=csv_headers)
    assert {e["code"] for e in again.json()["errors"]} == {"account.username_taken"}
    audited = await db.fetchval(
        "SELECT count(*) FROM intake.auth_audit WHERE action = 'create' AND actor IS NOT NULL"
    )
    assert audited == 3


async def test_a_reset_password_replaces_the_old_one_and_deactivation_ends_the_sessions(
    intake: Intake, db: asyncpg.Connection
) -> None:
    session = await intake.clerk()
    reset = await intake.client.post("/api/v1/accounts/cb09313/reset-password", headers=intake.admin)
    assert reset.status_code == 200
    fresh = reset.json()["initial_password"]
    assert (await intake.client.get("/api/v1/auth/whoami", headers=session)).status_code == 401
    assert (await intake.sign_in("cb09313", CHOSEN)).status_code == 401
    signed = await intake.sign_in("cb09313", fresh)
    assert signed.status_code == 201 and signed.json()["must_change_password"] is True

    live = auth(signed.json()["token"])
    assert (
        await intake.client.post("/api/v1/accounts/cb09313/deactivate", headers=intake.admin)
    ).status_code == 204
    assert (await intake.client.get("/api/v1/auth/whoami", headers=live)).status_code == 401
    inactive = await intake.sign_in("cb09313", fresh)
    assert inactive.status_code == 403 and first_error(inactive)["code"] == "auth.account_inactive"
    listed = await intake.client.get("/api/v1/accounts", headers=intake.admin)
    assert [(a["username"], a["active"]) for a in listed.json()["accounts"]] == [("cb09313", False)]
    actions = [r["action"] for r in await db.fetch("SELECT action FROM intake.auth_audit ORDER BY id")]
    assert "password_reset" in actions and actions[-2:] == ["deactivate", "sign_in"]
    missing = await intake.client.post("/api/v1/accounts/nobody/reset-password", headers=intake.admin)
    assert missing.status_code == 404 and first_error(missing)["code"] == "account.unknown"


async def test_only_an_admin_manages_accounts(intake: Intake) -> None:
    session = await intake.clerk()
    for method, path in (("GET", "/api/v1/accounts"), ("POST", "/api/v1/accounts/cb09313/deactivate")):
        reply = await intake.client.request(method, path, headers=session)
        assert reply.status_code == 403 and first_error(reply)["code"] == "auth.admin_required"


async def test_passwords_are_kept_only_as_argon2id_hashes_and_never_logged(
    intake: Intake, db: asyncpg.Connection, capfd: pytest.CaptureFixture[str]
) -> None:
    await intake.clerk()
    reply = await intake.sign_in("cb09313", CHOSEN)
    token = reply.json()["token"]
    stored = await db.fetchval("SELECT password_hash FROM intake.accounts")
    assert stored.startswith("$argon2id$") and CHOSEN not in stored
    dump = str(await db.fetch("SELECT * FROM intake.account_sessions")) + str(
        await db.fetch("SELECT * FROM intake.auth_audit")
    )
    assert token not in dump and CHOSEN not in dump
    out, err = capfd.readouterr()
    assert CHOSEN not in out + err and token not in out + err


async def test_kpi_accepts_a_session_through_introspection(database_url: str, clean_nats: str) -> None:
    async with kpi_api(database_url, clean_nats) as (kpi, auth_server):
        async with httpx.AsyncClient(base_url=auth_server.url) as intake_http:
            created = await intake_http.post(
                "/api/v1/accounts",
                json={"username": "cb09313", "display_name": "A", "role": "commune", "unit_code": "09313"},
                headers=auth_server.headers("admin"),
            )
            initial = created.json()["initial_password"]
            first = await intake_http.post(
                "/api/v1/sessions", json={"username": "cb09313", "password": initial}
            )
            must_change = auth(first.json()["token"])
            refused = await kpi.get("/api/v1/attainment", params={"unit": "09313"}, headers=must_change)
            assert (
                refused.status_code == 403 and first_error(refused)["code"] == "auth.password_change_required"
            )

            changed = await intake_http.post(
                "/api/v1/account/password",
                json={"current_password": initial, "new_password": CHOSEN},
                headers=must_change,
            )
            assert changed.status_code == 204
            signed = await intake_http.post(
                "/api/v1/sessions", json={"username": "cb09313", "password": CHOSEN}
            )
            session = auth(signed.json()["token"])
        own = await kpi.get("/api/v1/attainment", params={"unit": "09313"}, headers=session)
        assert own.status_code == 200, own.text
        other = await kpi.get("/api/v1/attainment", params={"unit": "09292"}, headers=session)
        assert other.status_code == 403 and first_error(other)["code"] == "auth.forbidden_unit"

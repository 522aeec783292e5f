"""`intake accounts …` on a real database: the first admin (password from the environment or printed
once), and the communes' CSV template, which the import takes as it is."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import httpx
import pytest

from bdhvs_local.demo_accounts import demo_accounts
from bdhvs_local.stack import Endpoints
from bdhvs_shared.catalogue import load_catalogue
from support.intake import TEST_COMMUNE, add_test_commune, auth, intake_command

CHOSEN = "Quản trị tỉnh 2026!"


def accounts_cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return intake_command(database_url, "accounts", *args, **env)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/sessions", json={"username": username, "password": password})


@pytest.mark.timeout(300)  # four runs of the command, each a new Python process
async def test_the_first_admin_from_the_environment_or_with_a_password_printed_once(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str
) -> None:
    client, tokens = intake
    chosen = accounts_cli(database_url, "create-admin", "--username", "quantri", INTAKE_ADMIN_PASSWORD=CHOSEN)
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout == "" and CHOSEN not in chosen.stderr  # nothing secret printed
    signed = await sign_in(client, "quantri", CHOSEN)
    assert signed.status_code == 201 and signed.json()["must_change_password"] is False
    assert signed.json()["account"]["role"] == "admin"

    printed = accounts_cli(database_url, "create-admin", "--username", "quantri2")
    assert printed.returncode == 0, printed.stderr
    initial = printed.stdout.strip()
    signed = await sign_in(client, "quantri2", initial)
    assert signed.status_code == 201 and signed.json()["must_change_password"] is True

    again = accounts_cli(database_url, "create-admin", "--username", "quantri", "--if-missing")
    assert again.returncode == 0 and "exists" in again.stderr and again.stdout == ""
    weak = accounts_cli(database_url, "create-admin", "--username", "quantri3", INTAKE_ADMIN_PASSWORD="short")
    assert weak.returncode == 1 and "password.too_short" in weak.stderr
    listed = await client.get("/api/v1/accounts", headers=auth(tokens["admin"]))
    assert [a["username"] for a in listed.json()["accounts"]] == ["quantri", "quantri2"]  # not quantri3
    refused = await client.get("/api/v1/accounts", headers=auth(signed.json()["token"]))
    assert refused.status_code == 403  # quantri2 must change its password first


async def test_the_communes_template_lists_one_clerk_per_active_unit_and_imports_as_it_is(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str, tmp_path: Path
) -> None:
    client, tokens = intake
    made = accounts_cli(database_url, "template", "--output", str(tmp_path / "clerks.csv"))
    assert made.returncode == 0, made.stderr
    data = (tmp_path / "clerks.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    active = [u for u in load_catalogue().units.values() if u.active_to is None]
    assert len(rows) == len(active) == 99
    assert {"username": "cb09313", "role": "commune", "unit_code": "09313"}.items() <= next(
        r for r in rows if r["unit_code"] == "09313"
    ).items()

    headers = {**auth(tokens["admin"]), "Content-Type": "text/csv"}
    dry = await client.post("/api/v1/accounts/import", content=data, headers=headers)
    assert dry.status_code == 200 and dry.json()["errors"] == [] and len(dry.json()["rows"]) == 99
    same = await client.get("/api/v1/accounts/template", headers=auth(tokens["admin"]))
    assert same.status_code == 200 and same.content == data


@pytest.mark.timeout(300)
async def test_make_runs_demo_accounts_are_made_once_with_the_password_from_the_environment(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = intake
    endpoints = Endpoints(
        "", "", "", "nats://unused:4222", database_url, "127.0.0.1", 25, notifier_channels="email"
    )
    monkeypatch.setenv("BDHVS_DEMO_PASSWORD", CHOSEN)
    first = demo_accounts(endpoints, {})
    assert first == [
        ("quantri", "admin", "(from $BDHVS_DEMO_PASSWORD)"),
        ("vanhanh", "operator", "(from $BDHVS_DEMO_PASSWORD)"),
        ("cb09313", "commune", "(from $BDHVS_DEMO_PASSWORD)"),
    ]
    signed = await sign_in(client, "cb09313", CHOSEN)
    assert signed.status_code == 201 and signed.json()["account"]["unit_code"] == "09313"
    monkeypatch.delenv("BDHVS_DEMO_PASSWORD")
    assert [password for _, _, password in demo_accounts(endpoints, {})] == ["(exists)"] * 3


@pytest.mark.timeout(300)  # three runs of the command
async def test_the_commands_take_the_units_of_the_published_catalogue(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str, tmp_path: Path
) -> None:
    """As the service and `intake token …`: a commune an admin added through the catalogue API gets its
    clerk's account and its row in the template (the packaged catalogue does not have it)."""
    client, tokens = intake
    await add_test_commune(client, tokens["admin"])
    clerk = ("--role", "commune", "--display-name", "Cán bộ xã thử nghiệm", "--unit", TEST_COMMUNE)
    made = accounts_cli(database_url, "create", "--username", "cb09999", *clerk)
    assert made.returncode == 0, made.stderr
    signed = await sign_in(client, "cb09999", made.stdout.strip())
    assert signed.status_code == 201 and signed.json()["account"]["unit_code"] == TEST_COMMUNE
    listed = accounts_cli(database_url, "template", "--output", str(tmp_path / "clerks.csv"))
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "clerks.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 100 and TEST_COMMUNE in {r["unit_code"] for r in rows}
    unknown = accounts_cli(database_url, "create", "--username", "cb09998", *clerk[:-1], "09998")
    assert unknown.returncode == 1 and "account.unit_unknown" in unknown.stderr

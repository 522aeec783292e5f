"""Tokens from the command line: create (optionally expiring), list, revoke — and a revoked or expired
token is refused."""

from __future__ import annotations

import subprocess

import httpx

from support.intake import add_test_commune, auth, intake_command


def intake_cli(
    database_url: str, *args: str, now: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    clock = {} if now is None else {"BDHVS_CLOCK_START": now}  # the injectable clock, as the service's
    return intake_command(database_url, "token", *args, stdin=stdin, **clock)


async def test_a_revoked_token_is_refused_and_listed_as_revoked(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str
) -> None:
    client, _ = intake
    created = intake_cli(database_url, "create", "--role", "operator", "--label", "Sở KH&CN")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    who = await client.get("/api/v1/auth/whoami", headers=auth(token))
    assert who.status_code == 200 and who.json()["role"] == "operator"
    assert who.json()["name"] == "Sở KH&CN"  # kpi and the notifier name the token so (audit, acknowledge)
    token_id = who.json()["token_id"]

    listed = intake_cli(database_url, "list").stdout
    line = next(x for x in listed.splitlines() if x.startswith(token_id))
    assert "operator" in line and "Sở KH&CN" in line and line.endswith("active") and token not in listed

    assert intake_cli(database_url, "revoke", token_id).returncode == 0
    refused = await client.get("/api/v1/auth/whoami", headers=auth(token))
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "auth.invalid"
    assert "revoked" in next(
        x for x in intake_cli(database_url, "list").stdout.splitlines() if x.startswith(token_id)
    )
    again = intake_cli(database_url, "revoke", token_id)
    assert again.returncode == 1 and "no active token" in again.stdout
    assert intake_cli(database_url, "revoke", "not-a-uuid").returncode != 0


async def test_an_expired_token_is_refused_and_listed_with_its_expiry(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str
) -> None:
    client, _ = intake  # the service's clock: 2026-03-14 09:00 +07:00 (02:00 UTC)
    created_on = "2026-03-01T09:00:00+07:00"
    week = intake_cli(
        database_url,
        "create",
        "--role",
        "operator",
        "--label",
        "một tuần",
        "--expires-in",
        "7d",
        now=created_on,
    )
    month = intake_cli(
        database_url,
        "create",
        "--role",
        "operator",
        "--label",
        "một tháng",
        "--expires-in",
        "30d",
        now=created_on,
    )
    assert week.returncode == 0 and month.returncode == 0, week.stderr + month.stderr

    refused = await client.get("/api/v1/auth/whoami", headers=auth(week.stdout.strip()))
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "auth.invalid"
    assert "hết hạn" in refused.json()["errors"][0]["message"]
    still = await client.get("/api/v1/auth/whoami", headers=auth(month.stdout.strip()))
    assert still.status_code == 200, still.text

    listed = intake_cli(database_url, "list", now="2026-03-14T09:00:00+07:00").stdout.splitlines()
    week_line = next(x for x in listed if "một tuần" in x)
    month_line = next(x for x in listed if "một tháng" in x)
    assert "expires 2026-03-08 02:00" in week_line and week_line.endswith("expired"), week_line
    assert "expires 2026-03-31 02:00" in month_line and month_line.endswith("active"), month_line
    assert all(x.split("\t")[-2] == "expires never" for x in listed if x not in (week_line, month_line))


async def test_tokens_are_made_for_the_units_of_the_published_catalogue(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str
) -> None:
    """A commune an admin added through the catalogue API gets its token (not only the packaged units)."""
    client, tokens = intake
    await add_test_commune(client, tokens["admin"])

    many = intake_cli(database_url, "create-many", stdin="commune\t09999\tXã thử nghiệm\n")
    one = intake_cli(database_url, "create", "--role", "commune", "--unit", "09999", "--label", "một")
    assert many.returncode == 0 and one.returncode == 0, many.stderr + one.stderr
    for token in (many.stdout.strip().split("\t")[-1], one.stdout.strip()):
        who = await client.get("/api/v1/auth/whoami", headers=auth(token))
        assert who.status_code == 200 and who.json()["unit_code"] == "09999", who.text
    unknown = intake_cli(database_url, "create-many", stdin="commune\t09998\tkhông có\n")
    assert unknown.returncode != 0 and "unknown unit 09998" in unknown.stderr

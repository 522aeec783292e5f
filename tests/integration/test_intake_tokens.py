"""Tokens from the command line: create, list, revoke — and a revoked token is refused."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from support.intake import auth


def intake_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "NATS_URL": "nats://unused.invalid:4222"}
    return subprocess.run(
        [sys.executable, "-m", "intake", "token", *args], env=env, capture_output=True, text=True, check=False
    )


async def test_a_revoked_token_is_refused_and_listed_as_revoked(
    intake: tuple[httpx.AsyncClient, dict[str, str]], database_url: str
) -> None:
    client, _ = intake
    created = intake_cli(database_url, "create", "--role", "operator", "--label", "Sở KH&CN")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    who = await client.get("/api/v1/auth/whoami", headers=auth(token))
    assert who.status_code == 200 and who.json()["role"] == "operator"
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

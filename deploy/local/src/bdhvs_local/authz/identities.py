"""Credentials that must stop working: a revoked token, an expired token, a signed-out session and
an expired session (its limit moved into the past in the database, as if 12 hours had passed)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import httpx

from bdhvs_local.authz.checks import refused_everywhere
from bdhvs_local.authz.seed import Urls, cli

NEW_PASSWORD = "authz-sweep-password-2027"


def revoked_token(env: dict[str, str], unit: str) -> str:
    token = cli(
        "intake", ["token", "create", "--role", "commune", "--unit", unit, "--label", "authz revoked"], env
    )
    listed = cli("intake", ["token", "list"], env).splitlines()
    token_id = next(line.split("\t")[0] for line in listed if "authz revoked" in line and "active" in line)
    cli("intake", ["token", "revoke", token_id], env)
    return token.strip()


def expired_token(env: dict[str, str], unit: str) -> str:
    """Made by a command whose clock is two days behind the services': it expired a day ago."""
    start = env.get("BDHVS_CLOCK_START") or datetime.now().astimezone().isoformat()
    earlier = (datetime.fromisoformat(start) - timedelta(days=2)).isoformat()
    args = ["token", "create", "--role", "commune", "--unit", unit, "--expires-in", "24h"]
    return cli("intake", args, {**env, "BDHVS_CLOCK_START": earlier}).strip()


async def _session(client: httpx.AsyncClient, username: str, password: str) -> str:
    answer = await client.post("/api/v1/sessions", json={"username": username, "password": password})
    return str(answer.raise_for_status().json()["token"])


async def sessions(urls: Urls, admin: str, unit: str, username: str) -> tuple[str, str]:
    """(signed out, still signed in) session tokens of a new clerk account of the unit."""
    async with httpx.AsyncClient(base_url=urls.intake, timeout=60) as client:
        body = {"username": username, "display_name": "Authz", "role": "commune", "unit_code": unit}
        made = await client.post("/api/v1/accounts", json=body, headers={"Authorization": f"Bearer {admin}"})
        first = await _session(client, username, made.raise_for_status().json()["initial_password"])
        change = {"current_password": made.json()["initial_password"], "new_password": NEW_PASSWORD}
        (
            await client.post(
                "/api/v1/account/password", json=change, headers={"Authorization": f"Bearer {first}"}
            )
        ).raise_for_status()
        ended = await _session(client, username, NEW_PASSWORD)
        (
            await client.delete("/api/v1/sessions/current", headers={"Authorization": f"Bearer {ended}"})
        ).raise_for_status()
        return ended, await _session(client, username, NEW_PASSWORD)


async def expire_sessions(database_url: str, username: str) -> None:
    """Move the account's session limits into the past, as 12 hours of waiting would."""
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE intake.account_sessions SET expires_at = now() - interval '1 hour',"
            " idle_expires_at = now() - interval '1 hour' WHERE account_id ="
            " (SELECT id FROM intake.accounts WHERE username = $1)",
            username,
        )
    finally:
        await conn.close()


async def all_refused(urls: Urls, env: dict[str, str], admin: str, unit: str) -> tuple[int, list[str]]:
    """(credentials tried, problems): each is refused by intake, kpi and the notifier."""
    problems = await refused_everywhere(urls, revoked_token(env, unit), unit, "revoked")
    problems += await refused_everywhere(urls, expired_token(env, unit), unit, "expired")
    username = f"authz.session.{unit}"
    ended, live = await sessions(urls, admin, unit, username)
    problems += await refused_everywhere(urls, ended, unit, "signed-out session")
    await expire_sessions(env["DATABASE_URL"], username)
    problems += await refused_everywhere(urls, live, unit, "expired session")
    return 4, problems

"""`make demo` refuses a database with non-demo data, before writing anything."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg
import pytest

from bdhvs_local.demo import guard


def _token(database_url: str, label: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "NATS_URL": "nats://unused:4222"}
    args = ["token", "create", "--role", "operator", "--label", label]
    subprocess.run([sys.executable, "-m", "intake", *args], env=env, check=True, capture_output=True)


async def test_a_demo_database_passes_and_a_real_token_is_refused(
    database_url: str, db: asyncpg.Connection
) -> None:
    await guard.check(database_url)  # empty
    _token(database_url, "Sở KH&CN (demo)")
    await guard.check(database_url)  # only demo tokens
    _token(database_url, "Nguyễn Văn A")
    with pytest.raises(guard.NotADemoDatabase, match="Nguyễn Văn A"):
        await guard.check(database_url)
    assert await db.fetchval("SELECT count(*) FROM intake.api_tokens") == 2

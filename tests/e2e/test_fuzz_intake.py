"""No input makes intake answer 500: its OpenAPI document, fuzzed against the running service.

Schemathesis generates valid and invalid requests for every operation of the committed
document (docs/openapi/intake.json) and sends them, with a real token, to intake running as a
process on a real PostgreSQL and NATS.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url

from bdhvs_local.ports import free_port
from bdhvs_local.services import ServiceProcess

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_dict(
    json.loads((ROOT / "docs/openapi/intake.json").read_text(encoding="utf-8"))
)


@pytest.fixture(scope="module")
def intake_process(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    name = f"fuzz_{uuid.uuid4().hex[:8]}"
    admin = make_url(postgres_url).set(drivername="postgresql", database="postgres").render_as_string(False)

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    env = {
        "DATABASE_URL": make_url(postgres_url).set(database=name).render_as_string(False),
        "NATS_URL": nats_url,
    }
    token = subprocess.run(
        [sys.executable, "-m", "intake", "token", "create", "--role", "commune", "--unit", "09313"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    service = ServiceProcess(
        "intake", free_port(), env, tmp_path_factory.mktemp("fuzz") / "intake.log"
    ).start()
    try:
        service.wait_ready()
        yield service.url, token
    finally:
        service.stop()
        asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case: schemathesis.Case, intake_process: tuple[str, str]) -> None:
    url, token = intake_process
    response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code < 500, (case.method, case.path, case.body, response.text[:500])
    if response.status_code in (401, 403, 404, 409, 422):
        errors = response.json()["errors"]
        assert errors and all(e["code"] and e["message"] for e in errors), response.text

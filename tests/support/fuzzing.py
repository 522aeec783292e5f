"""Services as processes on a database of their own, with a real token: what the fuzz tests call.

Module-scoped (one start per fuzzed document): a fresh database copied from the migrated template
on the session's PostgreSQL, the session's NATS, and the named services (intake among them, so
kpi and the notifier can ask it who a token belongs to).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy.engine import make_url

from support.databases import dsn
from support.fuzz_tally import TALLY
from support.processes import RunningSystem, running_system


def _sql(postgres_url: str, statement: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(dsn(postgres_url, "postgres"))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@contextlib.contextmanager
def fuzzed_services(
    postgres_url: str,
    template_database: str,
    nats_url: str,
    log_dir: Path,
    names: tuple[str, ...],
    *token: str,
) -> Iterator[tuple[RunningSystem, str]]:
    """The running services and a token made by `intake token create <token…>`."""
    name = f"fuzz_{uuid.uuid4().hex[:8]}"
    _sql(postgres_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    env = {
        "DATABASE_URL": make_url(postgres_url).set(database=name).render_as_string(False),
        "NATS_URL": nats_url,
        "SMTP_HOST": "127.0.0.1",  # the notifier sends nothing here: no report, no alert
        "NOTIFIER_ACK_SECRET": "fuzz-test-ack-secret-3f9e0c",
    }
    try:
        with running_system(env, log_dir, names) as system:
            yield system, system.cli("intake", "token", "create", *token)
    finally:
        _sql(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_schema(path: Path) -> schemathesis.BaseSchema:
    """A committed OpenAPI document (docs/openapi/<service>.json), as schemathesis fuzzes it."""
    return schemathesis.openapi.from_dict(json.loads(path.read_text(encoding="utf-8")))


def serving_statuses(document: dict[str, Any], method: str, path: str) -> set[str]:
    """The statuses declared by the operation that serves `method path` (a concrete path): another
    route of the document may take it as a parameter (PATCH /admin/contacts/import is PATCH
    /admin/contacts/{contact_id} with contact_id "import"); when none does, the answer is 405."""
    for template, operations in document["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        operation = operations.get(method.lower())
        if operation and re.fullmatch(pattern, path):
            return set(operation["responses"])
    return {"405"}


def fuzz_call(case: schemathesis.Case, base_url: str, token: str, role: str) -> None:
    """Send one generated case; count it (`fuzz:` line); no 5xx, a declared status, and every
    JSON error with a code and a message."""
    response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    declared = set(case.operation.definition.raw["responses"])
    if case.method.lower() != case.operation.method.lower():  # schemathesis' unsupported-method case
        declared = serving_statuses(case.operation.schema.raw_schema, case.method, case.formatted_path)
    what = f"{case.method} {case.formatted_path} as {role}"
    assert TALLY.record(what, response.status_code, declared), (what, response.status_code, response.text)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
    json_body = response.headers.get("content-type", [""])[0].startswith("application/json")
    if response.status_code >= 400 and json_body:  # the acknowledge link's pages are HTML
        errors = response.json()["errors"]
        assert errors and all(e["code"] and e["message"] for e in errors), response.text

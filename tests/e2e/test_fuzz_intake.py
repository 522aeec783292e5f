"""No input makes intake answer 5xx or a status its OpenAPI document does not declare: fuzzed live.

Schemathesis generates valid and invalid requests for every operation of the committed
document (docs/openapi/intake.json) and sends them, with a real token, to intake running as a
process on a real PostgreSQL and NATS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from support.fuzzing import fuzzed_services, load_schema

ROOT = Path(__file__).resolve().parents[2]
schema = load_schema(ROOT / "docs/openapi/intake.json")


@pytest.fixture(scope="module")
def intake_process(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    logs = tmp_path_factory.mktemp("fuzz")
    token = ("--role", "commune", "--unit", "09313")
    with fuzzed_services(postgres_url, template_database, nats_url, logs, ("intake",), *token) as running:
        system, token_text = running
        yield system.url("intake"), token_text


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case: schemathesis.Case, intake_process: tuple[str, str]) -> None:
    url, token = intake_process
    response = case.call_and_validate(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance],
        timeout=10,
    )
    if response.status_code in (401, 403, 404, 409, 422):
        errors = response.json()["errors"]
        assert errors and all(e["code"] and e["message"] for e in errors), response.text

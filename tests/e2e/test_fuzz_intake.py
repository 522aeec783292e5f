"""No input makes intake answer 5xx or a status its OpenAPI document does not declare: fuzzed live.

Schemathesis generates valid and invalid requests for every operation of the committed
document (docs/openapi/intake.json) and sends them, with an operator's and a commune's real token,
to intake running as a process on a real PostgreSQL and NATS. `make fuzz` raises the examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from support.fuzz_tally import examples
from support.fuzzing import fuzz_call, fuzzed_services, load_schema

ROOT = Path(__file__).resolve().parents[2]
schema = load_schema(ROOT / "docs/openapi/intake.json")
ROLES = ("operator", "commune")


@pytest.fixture(scope="module")
def intake_process(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    logs = tmp_path_factory.mktemp("fuzz")
    token = ("--role", "commune", "--unit", "09313")
    with fuzzed_services(postgres_url, template_database, nats_url, logs, ("intake",), *token) as running:
        system, commune = running
        operator = system.cli("intake", "token", "create", "--role", "operator")
        yield system.url("intake"), {"commune": commune, "operator": operator}


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=examples(30), deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(
    case: schemathesis.Case, role: str, intake_process: tuple[str, dict[str, str]]
) -> None:
    url, tokens = intake_process
    fuzz_call(case, url, tokens[role], role)

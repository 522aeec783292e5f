"""No input makes kpi or the notifier answer 500 or a status its OpenAPI document does not declare.

Schemathesis generates valid and invalid requests for every operation of the committed documents
(docs/openapi/kpi.json, notifier.json) and sends them, with an admin's, an operator's and a
commune's token, to the services running as processes on a real PostgreSQL and NATS, with a real
intake answering the token checks. Few examples per operation keep it short; `make fuzz` raises them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from support.fuzz_tally import examples
from support.fuzzing import fuzz_call, fuzzed_services, load_schema
from support.processes import RunningSystem

ROOT = Path(__file__).resolve().parents[2]
kpi_schema = load_schema(ROOT / "docs/openapi/kpi.json")
notifier_schema = load_schema(ROOT / "docs/openapi/notifier.json")
EXAMPLES = settings(max_examples=examples(8), deadline=None, suppress_health_check=list(HealthCheck))
ROLES = ("admin", "operator", "commune")


@pytest.fixture(scope="module")
def services(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningSystem, dict[str, str]]]:
    logs, names = tmp_path_factory.mktemp("fuzz"), ("intake", "kpi", "notifier")
    with fuzzed_services(
        postgres_url, template_database, nats_url, logs, names, "--role", "admin"
    ) as running:
        system, admin = running
        operator = system.cli("intake", "token", "create", "--role", "operator")
        commune = system.cli("intake", "token", "create", "--role", "commune", "--unit", "09313")
        yield system, {"admin": admin, "operator": operator, "commune": commune}


@pytest.mark.parametrize("role", ROLES)
@kpi_schema.parametrize()
@EXAMPLES
def test_kpi_answers_every_input_with_a_declared_status(
    case: schemathesis.Case, role: str, services: tuple[RunningSystem, dict[str, str]]
) -> None:
    system, tokens = services
    fuzz_call(case, system.url("kpi"), tokens[role], role)


@pytest.mark.parametrize("role", ROLES)
@notifier_schema.parametrize()
@EXAMPLES
def test_the_notifier_answers_every_input_with_a_declared_status(
    case: schemathesis.Case, role: str, services: tuple[RunningSystem, dict[str, str]]
) -> None:
    system, tokens = services
    fuzz_call(case, system.url("notifier"), tokens[role], role)

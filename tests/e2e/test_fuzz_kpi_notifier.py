"""No input makes kpi or the notifier answer 500 or a status its OpenAPI document does not declare.

Schemathesis generates valid and invalid requests for every operation of the committed documents
(docs/openapi/kpi.json, notifier.json) and sends them, with an admin's token, to the services
running as processes on a real PostgreSQL and NATS, with a real intake answering the token checks.
Few examples per operation keep it short (about 1-2 minutes for both documents).
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
from support.processes import RunningSystem

ROOT = Path(__file__).resolve().parents[2]
kpi_schema = load_schema(ROOT / "docs/openapi/kpi.json")
notifier_schema = load_schema(ROOT / "docs/openapi/notifier.json")
EXAMPLES = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def services(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningSystem, str]]:
    logs, names = tmp_path_factory.mktemp("fuzz"), ("intake", "kpi", "notifier")
    with fuzzed_services(
        postgres_url, template_database, nats_url, logs, names, "--role", "admin"
    ) as running:
        yield running


def call(case: schemathesis.Case, services: tuple[RunningSystem, str], name: str) -> None:
    system, token = services
    response = case.call_and_validate(
        base_url=system.url(name),
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance],
        timeout=10,
    )
    json_body = response.headers.get("content-type", [""])[0].startswith("application/json")
    if response.status_code >= 400 and json_body:  # the acknowledge link's pages are HTML
        errors = response.json()["errors"]
        assert errors and all(e["code"] and e["message"] for e in errors), response.text


@kpi_schema.parametrize()
@EXAMPLES
def test_kpi_answers_every_input_with_a_declared_status(
    case: schemathesis.Case, services: tuple[RunningSystem, str]
) -> None:
    call(case, services, "kpi")


@notifier_schema.parametrize()
@EXAMPLES
def test_the_notifier_answers_every_input_with_a_declared_status(
    case: schemathesis.Case, services: tuple[RunningSystem, str]
) -> None:
    call(case, services, "notifier")

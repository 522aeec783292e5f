"""The authz sweep (issue 16, item 4) covers every endpoint: each operation of the committed OpenAPI
documents is swept for every pair, once per commune token, or listed with the reason it is neither;
and no app serves a route its document leaves out but /metrics (which needs no token)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bdhvs_local.authz.covered import (
    documents,
    operations,
    unaccounted,
    unswept_unit_operations,
    web_unaccounted,
)
from bdhvs_local.authz.probes import PROBES, WHOLE_PROVINCE, Target
from bdhvs_local.authz.sweep import Tally
from bdhvs_local.authz.web import WEB_PROBES, WEB_WHOLE_PROVINCE

ROOT = Path(__file__).resolve().parents[2]
UNDOCUMENTED = {"/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
TARGET = Target("07210", "00000000-0000-0000-0000-000000000001", 7, 8, "cb07210", b"unit_code\n07210\n")


def test_every_operation_of_the_documents_is_accounted_for() -> None:
    assert unaccounted(documents(ROOT)) == []


def test_every_operation_naming_a_unit_is_swept_for_every_pair() -> None:
    assert unswept_unit_operations(documents(ROOT)) == []


def test_a_new_endpoint_taking_a_unit_is_reported_until_it_is_swept() -> None:
    docs = copy.deepcopy(documents(ROOT))
    new = {"parameters": [{"name": "unit", "in": "query"}], "responses": {"200": {}}}
    docs["kpi"]["paths"]["/api/v1/new-view"] = {"get": new}
    assert unaccounted(docs) == [("kpi", "get", "/api/v1/new-view")]
    assert unswept_unit_operations(docs) == [("kpi", "get", "/api/v1/new-view")]


@pytest.mark.parametrize("probe", [*PROBES, *WHOLE_PROVINCE], ids=lambda p: f"{p.method} {p.route}")
def test_each_probe_requests_a_concrete_path_of_its_operation(probe: Any) -> None:
    request = probe.build(TARGET)
    assert "{" not in request.path and request.method == probe.method.upper()
    assert (probe.service, probe.method, probe.route) in operations(documents(ROOT))


def _app(service: str) -> Any:
    invalid = {"nats_url": "nats://docs.invalid:4222", "database_url": "postgresql+asyncpg://docs.invalid/x"}
    if service == "intake":
        from intake.bootstrap import create_app
        from intake.settings import IntakeSettings

        return create_app(IntakeSettings(**invalid))  # type: ignore[arg-type]
    if service == "kpi":
        from kpi.bootstrap import create_app as kpi_app
        from kpi.entrypoints.docs import _DOCS as KPI_DOCS
        from kpi.settings import KpiSettings

        return kpi_app(KpiSettings(**KPI_DOCS))  # type: ignore[arg-type]
    from notifier.bootstrap import create_app as notifier_app
    from notifier.entrypoints.docs import _DOCS as NOTIFIER_DOCS
    from notifier.settings import NotifierSettings

    return notifier_app(NotifierSettings(**NOTIFIER_DOCS))  # type: ignore[arg-type]


def _paths(routes: list[Any]) -> set[str]:
    """Every path served, through the routers FastAPI includes (their routes carry the prefix)."""
    found: set[str] = set()
    for route in routes:
        included = getattr(route, "original_router", None)
        found |= _paths(included.routes) if included is not None else {route.path}
    return found


@pytest.mark.parametrize("service", ["intake", "kpi", "notifier"])
def test_no_app_serves_an_undocumented_route_but_metrics(service: str) -> None:
    documented = {path for owner, _, path in operations(documents(ROOT)) if owner == service}
    served = _paths(_app(service).routes)
    assert served - documented <= UNDOCUMENTED
    assert "/metrics" in served


def test_only_401_403_and_404_count_as_refused() -> None:
    tally = Tally()
    for status in (401, 403, 404, 200, 303, 422, 503, 0):
        tally.count(f"answer {status}", status)
    assert tally.tried == 8
    assert tally.allowed == ["200 answer 200", "303 answer 303"]
    assert tally.unexpected == ["422 answer 422", "503 answer 503", "0 answer 0"]


def web_routes() -> set[tuple[str, str]]:
    """Every (method, path) the web app serves (its static files aside)."""
    from web.bootstrap import create_app
    from web.settings import WebSettings

    def walk(routes: list[Any]) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                found |= walk(included.routes)
            found |= {(m.lower(), route.path) for m in getattr(route, "methods", None) or () if m != "HEAD"}
        return found

    routes = walk(create_app(WebSettings(web_secret="unit-test-web-secret-0123")).routes)  # type: ignore[call-arg]
    assert ("post", "/quan-tri/danh-ba") in routes
    return routes


def test_every_web_route_is_swept_or_listed_with_its_reason() -> None:
    assert web_unaccounted(web_routes()) == []
    assert web_unaccounted(web_routes() | {("get", "/don-vi/{unit}/moi")}) == [("get", "/don-vi/{unit}/moi")]


@pytest.mark.parametrize("probe", [*WEB_PROBES, *WEB_WHOLE_PROVINCE], ids=lambda p: f"{p.method} {p.route}")
def test_each_web_probe_requests_a_concrete_path_of_its_route(probe: Any) -> None:
    request = probe.build(TARGET)
    assert "{" not in request.path and request.method == probe.method.upper()
    assert (probe.method, probe.route) in web_routes()

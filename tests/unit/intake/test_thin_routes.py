"""Intake's routes are thin (issue 12, item 5): the submit and import use cases count what they refuse,
and the submit use case's Forbidden and KeyReused have one handler each (tests/unit/test_thin_routes.py:
the container is read in deps.py only)."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from intake.adapters.spreadsheets import Table
from intake.bootstrap import create_app
from intake.domain import IndicatorValue, Problem, Severity, Submission
from intake.domain.imports import Refusal
from intake.domain.principal import Principal, Role
from intake.service_layer.import_file import import_table
from intake.service_layer.submit_report import Forbidden, IntakeService, KeyReused
from intake.settings import IntakeSettings

CATALOGUE = load_catalogue()
HTTP = Path(__file__).resolve().parents[3] / "services/intake/src/intake/entrypoints/http"


class Counted:
    def __init__(self) -> None:
        self.rejected_codes: list[str] = []
        self.accepted_forms: list[str] = []

    def accepted(self, form: str) -> None:
        self.accepted_forms.append(form)

    def rejected(self, problems: Sequence[Problem]) -> None:
        self.rejected_codes += [p.code for p in problems if p.severity is Severity.ERROR]


def service(tally: Counted) -> IntakeService:
    clock = FixedClock(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    return IntakeService(cast(Any, None), CATALOGUE, clock, ZoneInfo("Asia/Ho_Chi_Minh"), tally=tally)


def test_the_submit_use_case_counts_an_invalid_report_as_rejected() -> None:
    tally = Counted()
    ahead = Submission("09292", "monthly", "2099-12", {"c": IndicatorValue(1, 2), "d": IndicatorValue(1, 2)})
    problems = service(tally).validate(ahead)
    assert isinstance(problems, list)
    assert tally.rejected_codes == ["period.in_future"]
    assert tally.accepted_forms == []


def test_the_import_use_case_counts_a_refused_file() -> None:
    tally = Counted()
    table = Table("Báo cáo", None, None, ["unit_code"], [(3, {"unit_code": "09292"})])
    operator = Principal(None, Role.OPERATOR, None)  # type: ignore[arg-type]
    refused = asyncio.run(
        import_table(service(tally), operator, table, "monthly", "2099-12", 500, True, False, None, "")
    )
    assert isinstance(refused, Refusal)
    assert tally.rejected_codes == ["period.in_future"]


def _routes() -> list[Path]:
    return sorted(p for p in HTTP.glob("*.py") if p.name not in {"deps.py", "errors.py"})


def test_no_route_translates_forbidden_or_key_reused_itself() -> None:
    caught = {
        f"{path.name}:{node.lineno}"
        for path in _routes()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ExceptHandler)
        and node.type is not None
        and {"Forbidden", "KeyReused"} & {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
    }
    assert caught == set()


def test_forbidden_and_key_reused_each_have_one_handler() -> None:
    app = create_app(IntakeSettings(nats_url="nats://unused:4222", database_url="postgresql://u@unused/db"))

    async def refuse(error: type[Exception]) -> dict[str, Any]:
        async def route() -> None:
            raise error("09292")

        app.add_api_route(f"/test/{error.__name__}", route)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            reply = await client.get(f"/test/{error.__name__}")
        return {"status": reply.status_code, **reply.json()["errors"][0]}

    forbidden, reused = asyncio.run(refuse(Forbidden)), asyncio.run(refuse(KeyReused))
    assert (forbidden["status"], forbidden["code"], forbidden["field"]) == (
        403,
        "auth.forbidden_unit",
        "unit_code",
    )
    assert (reused["status"], reused["code"], reused["field"]) == (
        409,
        "idempotency.key_reused",
        "Idempotency-Key",
    )
    assert "Idempotency-Key" in reused["message"] and forbidden["message"]

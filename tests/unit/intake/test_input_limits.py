"""What intake takes in is bounded: no period ahead of its figures, no figure a consumer cannot store,
no yes/no guessed from 0 or "yes", and no answer listing thousands of errors (issue 11: 1, 3, 6, 11)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from bdhvs_shared.catalogue import Period, load_catalogue
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import MAX_FIGURE
from bdhvs_shared.events import IndicatorValue as EventValue
from intake.domain import IndicatorValue, Problem, Severity, Submission, ValidReport, validate_submission
from intake.domain.figures import POPULATION_MARGIN
from intake.domain.imports import Refusal, plan_import
from intake.domain.principal import Principal, Role
from intake.domain.problems import MAX_LISTED, listed, problem
from intake.domain.structural import problems_from_pydantic
from intake.domain.tabular import Located, columns, submission_from_row
from intake.domain.validation import check_not_ahead
from intake.entrypoints.http.body_limit import BodyLimit
from intake.entrypoints.http.schemas import IndicatorValueIn, QueryFlag, ReportIn
from intake.service_layer.submit_report import IntakeService

CATALOGUE = load_catalogue()
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTHLY = CATALOGUE.forms["monthly"]
PHU_LANG = "09292"  # population 26 964
NO_POPULATION = next(u.code for u in CATALOGUE.units.values() if u.population is None)
INT64_MAX = 2**63 - 1


def monthly(
    period: str, today: date, early_days: int = 0, unit: str = PHU_LANG, **values: IndicatorValue
) -> ValidReport | list[Problem]:
    figures = values or {"c": IndicatorValue(18000, 18000), "d": IndicatorValue(18000, 18000)}
    return validate_submission(CATALOGUE, Submission(unit, "monthly", period, figures), today, early_days)


def error_codes(result: ValidReport | list[Problem]) -> list[tuple[str, str]]:
    assert isinstance(result, list), result
    return [(p.code, p.field) for p in result if p.severity is Severity.ERROR]


# --- 1. a period is reported once its figures exist -------------------------------------------------


def test_the_issues_far_future_period_is_refused_with_the_day_it_opens() -> None:
    refused = monthly("2099-12", date(2026, 12, 3), early_days=5)
    assert error_codes(refused) == [("period.in_future", "period")]
    assert isinstance(refused, list)
    message = refused[0].message
    assert "14/12/2099" in message and "09/12/2099" in message and "03/12/2026" in message


@pytest.mark.parametrize(
    ("today", "early_days", "accepted"),
    [
        (date(2026, 12, 3), 0, False),  # the issue's day: December's figures are as of the 14th
        (date(2026, 12, 13), 0, False),
        (date(2026, 12, 14), 0, True),  # the as-of day itself
        (date(2026, 12, 8), 5, False),
        (date(2026, 12, 9), 5, True),  # five days' grace
        (date(2027, 1, 5), 0, True),
    ],
)
def test_a_period_opens_on_its_as_of_day_less_the_grace(today: date, early_days: int, accepted: bool) -> None:
    result = monthly("2026-12", today, early_days)
    assert isinstance(result, ValidReport) is accepted, result
    ahead = check_not_ahead(Period.parse("2026-12"), MONTHLY, today, early_days)
    assert (ahead is None) is accepted


def test_a_week_opens_on_its_sunday_and_a_year_on_its_december_as_of_day() -> None:
    youth, annual = CATALOGUE.forms["youth_weekly"], CATALOGUE.forms["annual"]
    week = Period.parse("2026-W49")  # Monday 30 November to Sunday 6 December 2026
    assert check_not_ahead(week, youth, date(2026, 12, 5)) is not None
    assert check_not_ahead(week, youth, date(2026, 12, 6)) is None
    assert check_not_ahead(Period.parse("2026"), annual, date(2026, 12, 3)) is not None
    assert check_not_ahead(Period.parse("2025"), annual, date(2026, 12, 3)) is None


def test_the_service_judges_the_day_by_its_clock_in_local_time() -> None:
    # 8 December 18:00 UTC is already 9 December in Hà Nội: December 2026 opens that day (grace 5).
    clock = FixedClock(datetime(2026, 12, 8, 16, 59, tzinfo=UTC))
    service = IntakeService(cast(Any, None), CATALOGUE, clock, TZ, early_days=5)
    submission = Submission(
        PHU_LANG, "monthly", "2026-12", {"c": IndicatorValue(1, 2), "d": IndicatorValue(1, 2)}
    )
    assert service.today() == date(2026, 12, 8)
    assert error_codes(service.validate(submission)) == [("period.in_future", "period")]
    clock.set(datetime(2026, 12, 8, 17, 0, tzinfo=UTC))
    assert service.today() == date(2026, 12, 9)
    assert isinstance(service.validate(submission), ValidReport)


def test_a_file_for_a_future_period_is_refused_once_not_on_every_row() -> None:
    operator = Principal(uuid.uuid4(), Role.OPERATOR, None)
    keys = [c.key for c in columns(CATALOGUE, MONTHLY)]
    rows = [
        (
            3 + i,
            {"unit_code": code, "c.numerator": 1, "c.denominator": 2, "d.numerator": 1, "d.denominator": 2},
        )
        for i, code in enumerate(sorted(CATALOGUE.units)[:20])
    ]
    plan = plan_import(
        CATALOGUE, operator, "Báo cáo", keys, rows, "monthly", "2099-12", 500, date(2026, 12, 3), 5
    )
    assert isinstance(plan, Refusal)
    assert [(p.problem.code, p.row) for p in plan.problems] == [("period.in_future", 0)]


# --- 3. every figure intake accepts can be stored by every consumer -----------------------------------


def test_a_figure_past_the_bound_is_refused_where_it_enters() -> None:
    huge = IndicatorValue(2**63, 2**63 + 1)
    refused = monthly("2026-08", date(2026, 12, 3), c=huge, d=IndicatorValue(1, 18000))
    assert error_codes(refused) == [
        ("value.too_large", "values.c.numerator"),
        ("value.too_large", "values.c.denominator"),
    ]
    assert isinstance(refused, list) and "1.000.000.000" in refused[0].message
    parts = {"vneid": MAX_FIGURE + 1, "mysign": 0, "smartca": 0}
    youth = validate_submission(
        CATALOGUE,
        Submission(NO_POPULATION, "youth_weekly", "2026-W10", {"chu_ky_so": IndicatorValue(1, 2, parts)}),
        date(2026, 12, 3),
    )
    assert ("value.too_large", "values.chu_ky_so.parts.vneid") in error_codes(youth)


def test_the_largest_figure_is_accepted_for_a_unit_the_catalogue_has_no_population_for() -> None:
    top = IndicatorValue(MAX_FIGURE, MAX_FIGURE)
    report = monthly("2026-08", date(2026, 12, 3), unit=NO_POPULATION, c=top, d=top)
    assert isinstance(report, ValidReport), report
    over = monthly(
        "2026-08", date(2026, 12, 3), unit=NO_POPULATION, c=IndicatorValue(1, MAX_FIGURE + 1), d=top
    )
    assert error_codes(over) == [("value.too_large", "values.c.denominator")]


def test_a_figure_above_ten_times_the_units_population_is_refused() -> None:
    population = CATALOGUE.units[PHU_LANG].population
    assert population == 26964
    ceiling = population * POPULATION_MARGIN
    at = monthly("2026-08", date(2026, 12, 3), c=IndicatorValue(ceiling, ceiling), d=IndicatorValue(1, 18000))
    assert isinstance(at, ValidReport), at  # with a warning: far from the reference denominator
    above = monthly(
        "2026-08", date(2026, 12, 3), c=IndicatorValue(1, ceiling + 1), d=IndicatorValue(1, 18000)
    )
    assert error_codes(above) == [("value.above_population", "values.c.denominator")]
    assert isinstance(above, list) and "26.964" in above[0].message and "Phù Lãng" in above[0].message


def report_in(numerator: object, denominator: object = 18000, **extra: object) -> dict[str, Any]:
    return {
        "unit_code": PHU_LANG,
        "form": "monthly",
        "period": "2026-08",
        "values": {"c": {"numerator": numerator, "denominator": denominator}},
        **extra,
    }


def refusal(model: type[BaseModel], payload: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(payload) if isinstance(payload, str) else model.model_validate(payload)
    return [(p.code, p.field) for p in problems_from_pydantic(caught.value.errors())]


def test_the_api_schema_refuses_the_issues_2_to_the_63_as_too_large() -> None:
    body = (
        '{"unit_code":"09292","form":"monthly","period":"2026-08","confirm":true,"values":{"c":'
        '{"numerator":9223372036854775808,"denominator":9223372036854775809},'
        '"d":{"numerator":1,"denominator":18000}}}'
    )
    assert refusal(ReportIn, body) == [
        ("value.too_large", "values.c.numerator"),
        ("value.too_large", "values.c.denominator"),
    ]


BOUNDARY = st.sampled_from([-1, 0, 1, MAX_FIGURE - 1, MAX_FIGURE, MAX_FIGURE + 1, INT64_MAX, 2**63, 2**64])


@given(st.one_of(BOUNDARY, st.integers(min_value=-(2**65), max_value=2**65)))
def test_any_figure_the_api_accepts_the_event_accepts_and_postgresql_stores(figure: int) -> None:
    try:
        IndicatorValueIn(numerator=figure, denominator=figure, parts={"vneid": figure})
        api_accepts = True
    except ValidationError:
        api_accepts = False
    try:
        EventValue(numerator=figure, denominator=figure, parts={"vneid": figure})
        event_accepts = True
    except ValidationError:
        event_accepts = False
    assert api_accepts == event_accepts == (0 <= figure <= MAX_FIGURE)
    if api_accepts:
        # kpi keeps figures and the province's sums in BIGINT; 1000 units' sum stays exact as a double.
        assert 1000 * figure <= min(INT64_MAX, 2**53)


# --- 11. a person's yes or no is a real boolean ---------------------------------------------------------


@pytest.mark.parametrize("given_value", [0, 1, "yes", "true", "1", None, 1.0])
def test_confirm_must_be_a_json_boolean(given_value: object) -> None:
    assert refusal(ReportIn, report_in(1, confirm=given_value)) == [("field.not_boolean", "confirm")]


def test_confirm_true_and_false_are_taken() -> None:
    assert ReportIn.model_validate(report_in(1, confirm=True)).confirm is True
    assert ReportIn.model_validate(report_in(1, confirm=False)).confirm is False


class _Query(BaseModel):
    dry_run: QueryFlag = True


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("false", False), ("False", False), ("TRUE", True)]
)
def test_a_query_flag_is_true_or_false(text: str, value: bool) -> None:
    assert _Query.model_validate({"dry_run": text}).dry_run is value


@pytest.mark.parametrize("text", ["0", "1", "no", "yes", "off", "on", "f", "", "n"])
def test_a_query_flag_refuses_what_only_lax_parsing_would_read(text: str) -> None:
    assert refusal(_Query, {"dry_run": text}) == [("field.not_boolean", "dry_run")]


def test_a_figure_written_as_text_in_json_is_not_a_number() -> None:
    assert refusal(ReportIn, report_in("15000")) == [("value.not_integer", "values.c.numerator")]


# --- 6. an answer lists a bounded number of problems -------------------------------------------------


def test_thousands_of_errors_are_listed_up_to_the_cap_then_counted() -> None:
    many = [
        problem("indicator.unknown", f"values.x{i}", value=f"x{i}", form="monthly", allowed="c, d")
        for i in range(250_000)
    ]
    shown = listed([*many, problem("value.denominator_estimated", "values.c.denominator")], Severity.ERROR)
    assert len(shown) == MAX_LISTED + 1
    assert shown[:MAX_LISTED] == many[:MAX_LISTED]
    assert shown[-1].code == "errors.truncated" and "249.900" in shown[-1].message
    assert listed(many[:MAX_LISTED], Severity.ERROR) == many[:MAX_LISTED]  # nothing left out: no entry


def test_a_cell_with_thousands_of_digits_is_too_large_not_a_crash() -> None:
    youth = CATALOGUE.forms["youth_weekly"]
    row = {
        "unit_code": "09313",
        "lop_hoc_thon.numerator": "9" * 5000,
        "lop_hoc_thon.denominator": "-" + "9" * 5000,
    }
    read = submission_from_row(youth, "2026-W10", columns(CATALOGUE, youth), row, "Báo cáo", 4)
    assert isinstance(read, list)
    found = [(p.problem.code, p.column) for p in read if isinstance(p, Located)]
    assert ("value.too_large", "lop_hoc_thon.numerator") in found
    assert ("value.negative", "lop_hoc_thon.denominator") in found


def run_asgi(app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes, int]:
    """Send a request in `chunks` through `app`: (status, body, messages the app read)."""
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    read, sent = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/reports", "headers": headers}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"), read


def echo_app() -> tuple[Any, list[bytes]]:
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append(body)
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app, seen


def test_the_body_limit_refuses_a_declared_length_without_reading_the_body() -> None:
    inner, seen = echo_app()
    limited = BodyLimit(inner, limit=1024)
    status, body, read = run_asgi(limited, [b"x" * 4096], [(b"content-length", b"4096")])
    assert (status, read, seen) == (413, 0, [])
    assert json.loads(body)["errors"][0]["code"] == "body.too_large"


def test_the_body_limit_stops_reading_a_chunked_body_past_the_limit() -> None:
    inner, seen = echo_app()
    limited = BodyLimit(inner, limit=1024)
    status, body, read = run_asgi(limited, [b"x" * 300] * 100, [])  # 30 000 bytes, no Content-Length
    assert (status, seen) == (413, [])
    assert read == 4  # 1 200 bytes: past the limit, the other 96 chunks are never read
    assert json.loads(body)["errors"][0]["code"] == "body.too_large"


def test_a_body_within_the_limit_reaches_the_app_whole() -> None:
    inner, seen = echo_app()
    limited = BodyLimit(inner, limit=1024)
    assert run_asgi(limited, [b"a" * 500, b"b" * 524], [])[0] == 201
    assert seen == [b"a" * 500 + b"b" * 524]
    exempt = BodyLimit(inner, limit=1024, exempt={"/api/v1/reports"})
    assert run_asgi(exempt, [b"x" * 4096], [(b"content-length", b"4096")])[0] == 201

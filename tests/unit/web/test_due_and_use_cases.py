"""Báo cáo của tôi and the clerk's and province's use cases, on fakes of the three APIs."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.catalogue import Period, load_catalogue
from support.web_fakes import FakeIntake, FakeKpi, FakeNotifier
from web.domain.due import DueState, Submitted, due_list, previous
from web.domain.problems import ApiRefused, Forbidden, Problem
from web.domain.session import Session, Viewer
from web.service_layer import clerk, province
from web.service_layer.clerk import FormPage

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=TZ)
CATALOGUE = load_catalogue()
CLERK = Session("tok", Viewer("canbo", "Cán bộ", Role.COMMUNE, "09313"))


def test_previous_periods_cross_the_year() -> None:
    assert str(previous(Period.parse("2026-01"))) == "2025-12"
    assert str(previous(Period.parse("2026-W01"))) == "2025-W52"
    assert str(previous(Period.parse("2026-Q1"))) == "2025-Q4"
    assert str(previous(Period.parse("2026-H1"))) == "2025-H2"


def test_my_reports_say_open_with_the_time_left_overdue_on_time_and_late() -> None:
    unit = CATALOGUE.units["09313"]
    submitted = {
        ("monthly", "2026-02"): Submitted("r2", True, 1),
        ("monthly", "2026-01"): Submitted("r1", False, 2),
    }
    due = {(d.form.code, str(d.period)): d for d in due_list(CATALOGUE, unit, submitted, NOW, TZ)}
    march = due[("monthly", "2026-03")]
    assert march.state is DueState.OPEN and march.left is not None and march.left.days == 3
    assert due[("monthly", "2026-02")].state is DueState.ON_TIME
    assert due[("monthly", "2026-01")].state is DueState.LATE
    assert due[("youth_weekly", "2026-W10")].state is DueState.OVERDUE  # due by the end of Monday 9 March
    assert due[("youth_weekly", "2026-W11")].state is DueState.OPEN  # Sunday 15 March is off: Monday 16
    assert ("monthly", "2026-04") not in due  # not reportable yet


async def test_my_reports_show_intakes_working_day_deadline_and_why_it_moved() -> None:
    """The deadline comes from intake's calendar (GET /api/v1/calendar), not recomputed: February's
    report, due before the 20th, falls in Tết 2026 and moves to the end of Monday 23/02."""
    moved = "Ngày cuối 19/02/2026 là ngày nghỉ (Tết); hạn chuyển sang 23/02/2026."
    period = {"period": "2026-02", "deadline": "2026-02-24T00:00:00+07:00", "last_day": "2026-02-23"}
    intake = FakeIntake(
        calendars={
            2026: {"year": 2026, "forms": [{"form": "monthly", "periods": [period | {"reason": moved}]}]}
        }
    )
    now = datetime(2026, 2, 21, 9, 0, tzinfo=TZ)
    due = await clerk.my_reports(intake, CATALOGUE, CLERK, CATALOGUE.units["09313"], now, clerk.Calendar(TZ))
    february = next(d for d in due if d.form.code == "monthly" and str(d.period) == "2026-02")
    assert february.state is DueState.OPEN and february.moved == moved
    assert february.deadline == datetime(2026, 2, 24, tzinfo=TZ) and str(february.last_day) == "2026-02-23"
    assert "calendar:2026" in intake.calls and "calendar:2025" in intake.calls  # 2025-12 is still shown


async def test_a_refused_report_comes_back_with_each_problem_at_its_field_and_what_was_typed() -> None:
    intake = FakeIntake(
        refuse_with=ApiRefused(
            422,
            [
                Problem(
                    "value.numerator_above_denominator",
                    "values.c.numerator",
                    "Số đạt 19.000 lớn hơn tổng số.",
                )
            ],
        )
    )
    posted = {
        "values.c.numerator": "19000",
        "values.c.denominator": "18000",
        "values.d.numerator": "1",
        "values.d.denominator": "",
        "key": "k-1",
    }
    unit = CATALOGUE.units["09313"]
    page = await clerk.submit_form(intake, CATALOGUE, CLERK, unit, "monthly", "2026-03", posted)
    assert isinstance(page, FormPage)
    assert [p.code for p in page.errors["values.c.numerator"]] == ["value.numerator_above_denominator"]
    assert page.raw["values.c.numerator"] == "19000" and page.general_errors == []
    assert page.key != "k-1"  # the next attempt is a new submission
    receipt = await clerk.submit_form(
        intake, CATALOGUE, CLERK, unit, "monthly", "2026-03", {**posted, "values.c.numerator": "15000"}
    )
    assert not isinstance(receipt, FormPage) and receipt["on_time"] is True
    assert intake.calls.count("submit:k-1") == 2


async def test_history_warnings_ask_for_a_confirmation() -> None:
    intake = FakeIntake(
        refuse_with=ApiRefused(
            422,
            [Problem("report.confirmation_required", "confirm", "Cần xác nhận.")],
            [
                Problem(
                    "history.cumulative_fell", "values.c.numerator", "Số đạt giảm so với kỳ trước.", "warning"
                )
            ],
        )
    )
    posted = {"values.c.numerator": "1", "values.d.numerator": "1"}
    page = await clerk.submit_form(
        intake, CATALOGUE, CLERK, CATALOGUE.units["09313"], "monthly", "2026-03", posted
    )
    assert isinstance(page, FormPage) and page.needs_confirm and page.errors == {}
    assert [w.code for w in page.warnings] == ["history.cumulative_fell"]


async def test_a_clerk_asking_for_another_units_page_is_refused_before_anything_is_asked() -> None:
    kpi, intake, notifier = FakeKpi(), FakeIntake(), FakeNotifier()
    with pytest.raises(Forbidden):
        await province.commune_page(kpi, intake, notifier, CLERK, CATALOGUE, CATALOGUE.units["09292"])
    assert kpi.calls == [] and intake.calls == [] and notifier.calls == []


async def test_a_clerks_own_commune_page_shows_its_alerts_and_the_provinces_page_does_not() -> None:
    kpi, intake, notifier = FakeKpi(), FakeIntake(), FakeNotifier()
    own = await province.commune_page(kpi, intake, notifier, CLERK, CATALOGUE, CATALOGUE.units["09313"])
    assert own.show_alerts and notifier.calls == ["violations"]
    notifier.calls.clear()
    total = await province.commune_page(kpi, intake, notifier, CLERK, CATALOGUE, CATALOGUE.province)
    assert not total.show_alerts and notifier.calls == []
    agency = Session("tok", Viewer("ca", "Công an", Role.AGENCY, agency_code="cong_an"))
    seen = await province.commune_page(kpi, intake, notifier, agency, CATALOGUE, CATALOGUE.units["09313"])
    assert not seen.show_alerts and notifier.calls == []


async def test_the_dashboard_asks_kpi_and_the_notifier_at_the_same_time() -> None:
    """The page waits for the slowest read, not for their sum: each read starts before any ends."""
    order: list[str] = []

    class Slow:
        def __init__(self, fake: Any, name: str) -> None:
            self.fake, self.name = fake, name

        def __getattr__(self, method: str) -> Any:
            async def call(*args: Any, **kwargs: Any) -> Any:
                order.append(f"start {self.name}.{method}")
                await asyncio.sleep(0.01)
                order.append(f"end {self.name}.{method}")
                return await getattr(self.fake, method)(*args, **kwargs)

            return call

    operator = Session("tok", Viewer("op", "Sở", Role.OPERATOR))
    kpi, notifier = Slow(FakeKpi(attainment_c=0.5), "kpi"), Slow(FakeNotifier(), "notifier")
    await province.dashboard(kpi, notifier, CATALOGUE, operator, NOW.date())  # type: ignore[arg-type]
    assert sorted(order[:3]) == ["start kpi.attainment", "start kpi.completeness", "start notifier.contacts"]


async def test_the_dashboards_version_changes_when_a_report_arrives() -> None:
    kpi, notifier = FakeKpi(attainment_c=0.5), FakeNotifier()
    operator = Session("tok", Viewer("op", "Sở", Role.OPERATOR))
    today = NOW.date()
    first = await province.dashboard(kpi, notifier, CATALOGUE, operator, today)
    assert first.period == "2026-03" and first.contacts["09313"][0]["phone"] == "84912345678"
    same = await province.dashboard(kpi, notifier, CATALOGUE, operator, today)
    kpi.received, kpi.attainment_c = 1, 0.51
    moved = await province.dashboard(kpi, notifier, CATALOGUE, operator, today)
    assert first.version == same.version != moved.version
    agency = Session("tok", Viewer("ca", "Công an", Role.AGENCY, agency_code="cong_an"))
    kpi.received = 0
    assert (
        await province.dashboard(kpi, FakeNotifier(contacts_forbidden=True), CATALOGUE, agency, today)
    ).contacts == {}


async def test_a_communes_page_leaves_out_the_kpis_only_the_departments_report_and_says_so() -> None:
    """a and b are reported by the departments for the province: a commune owes no figure for them."""
    kpi, intake, notifier = FakeKpi(attainment_c=0.5), FakeIntake(), FakeNotifier()
    own = await province.commune_page(kpi, intake, notifier, CLERK, CATALOGUE, CATALOGUE.units["09313"])
    assert [line.code for line in own.kpis] == ["c", "d", "dd"]
    assert own.province_only == ["a", "b"]
    operator = Session("tok", Viewer("op", "Sở", Role.OPERATOR))
    total = await province.commune_page(kpi, intake, notifier, operator, CATALOGUE, CATALOGUE.province)
    assert [line.code for line in total.kpis] == ["a", "b", "c", "d", "dd"] and total.province_only == []

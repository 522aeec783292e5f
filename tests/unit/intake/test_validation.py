"""Form rules: every problem at once, each with a stable code, the field and a Vietnamese message."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import Period, UnitKind, load_catalogue
from intake.domain import (
    MESSAGES,
    PROBLEM_TYPES,
    IndicatorValue,
    Problem,
    Severity,
    Submission,
    ValidatedValue,
    ValidReport,
    problem,
    timeliness,
    validate_submission,
)

CATALOGUE = load_catalogue()
TODAY = date(2026, 12, 3)  # the day reports are received: every period used here is reportable
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NO_POPULATION = next(u.code for u in CATALOGUE.units.values() if u.population is None)


def submit(**overrides: Any) -> ValidReport | list[Problem]:
    data: dict[str, Any] = {
        "unit_code": "09313",  # Chi Lăng: population 23 317, reference denominator 16 788
        "form": "monthly",
        "period": "2026-03",
        "values": {"c": IndicatorValue(15000, 18000), "d": IndicatorValue(9000, 18000)},
    }
    data.update(overrides)
    return validate_submission(CATALOGUE, Submission(**data), TODAY)


def errors(result: ValidReport | list[Problem]) -> list[Problem]:
    assert isinstance(result, list), result
    assert any(p.severity is Severity.ERROR for p in result)
    return [p for p in result if p.severity is Severity.ERROR]


def has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(ch) for ch in decomposed) or "đ" in text.lower()


# --- accepted ------------------------------------------------------------------------------------


def test_a_valid_report() -> None:
    report = submit()
    assert isinstance(report, ValidReport)
    assert report.unit == CATALOGUE.unit("09313") and report.form == CATALOGUE.forms["monthly"]
    assert report.period == Period.parse("2026-03") and report.as_of.isoformat() == "2026-03-14"
    assert dict(report.values) == {
        "c": ValidatedValue(15000, 18000, False),
        "d": ValidatedValue(9000, 18000, False),
    }
    assert list(report.values) == ["c", "d"] and report.warnings == ()


def test_a_ward_reports_too() -> None:
    ward = next(u for u in CATALOGUE.units.values() if u.kind is UnitKind.PHUONG and u.population)
    reference = CATALOGUE.reference_denominator(ward.code, "c")
    assert reference is not None
    values = {"c": IndicatorValue(1, reference), "d": IndicatorValue(0, reference)}
    assert isinstance(submit(unit_code=ward.code, values=values), ValidReport)


def test_numerator_equal_to_denominator_and_zero_numerator_are_fine() -> None:
    report = submit(values={"c": IndicatorValue(18000, 18000), "d": IndicatorValue(0, 18000)})
    assert isinstance(report, ValidReport)


def test_a_missing_denominator_uses_the_reference_and_says_so() -> None:
    report = submit(values={"c": IndicatorValue(100, None), "d": IndicatorValue(50, 18000)})
    assert isinstance(report, ValidReport)
    assert report.values["c"] == ValidatedValue(100, 16788, True)
    assert report.values["d"] == ValidatedValue(50, 18000, False)
    [warning] = report.warnings
    assert (warning.code, warning.field, warning.severity) == (
        "value.denominator_estimated",
        "values.c.denominator",
        Severity.WARNING,
    )
    assert "16.788" in warning.message and "18 tuổi" in warning.message


def test_a_denominator_far_from_the_reference_is_a_warning_not_an_error() -> None:
    report = submit(values={"c": IndicatorValue(100, 180000), "d": IndicatorValue(50, 18000)})
    assert isinstance(report, ValidReport)
    assert [(w.code, w.field, w.severity) for w in report.warnings] == [
        ("value.denominator_far_from_reference", "values.c.denominator", Severity.WARNING)
    ]
    assert "180.000" in report.warnings[0].message and "16.788" in report.warnings[0].message


# --- each rule, with its field --------------------------------------------------------------------

OK_D = IndicatorValue(9000, 18000)


def untyped(numerator: Any, denominator: Any) -> IndicatorValue:
    """Values as an untyped source (a spreadsheet import, say) may hand them over."""
    return IndicatorValue(numerator, denominator)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"unit_code": "99999"}, "unit.unknown", "unit_code"),
        ({"unit_code": "9313"}, "unit.unknown", "unit_code"),
        ({"unit_code": ""}, "field.missing", "unit_code"),
        ({"unit_code": 9313}, "field.invalid", "unit_code"),
        ({"period": None}, "field.missing", "period"),
        ({"unit_code": "24"}, "form.not_for_unit", "form"),  # the province does not file the commune form
        ({"form": "nope"}, "form.unknown", "form"),
        ({"form": "  "}, "field.missing", "form"),
        ({"period": "2026-13"}, "period.malformed", "period"),
        ({"period": "2026-3"}, "period.malformed", "period"),
        ({"period": "tháng 3"}, "period.malformed", "period"),
        ({"period": ""}, "field.missing", "period"),
        ({"period": "2026-Q1"}, "period.wrong_type", "period"),
        ({"period": "2026-W10"}, "period.wrong_type", "period"),
        ({"period": "2026"}, "period.wrong_type", "period"),
        ({"values": {"c": IndicatorValue(1, 2)}}, "indicator.missing", "values.d"),
        ({"values": {}}, "indicator.missing", "values.c"),
        (
            {"values": {"c": IndicatorValue(1, 2), "d": OK_D, "x": IndicatorValue(1, 2)}},
            "indicator.unknown",
            "values.x",
        ),
        (
            {"values": {"c": IndicatorValue(1, 2), "d": OK_D, "dd": IndicatorValue(1, 2)}},
            "indicator.unknown",  # a KPI, but not one of this form's
            "values.dd",
        ),
        ({"values": {"c": untyped(1.5, 18000), "d": OK_D}}, "value.not_integer", "values.c.numerator"),
        (
            {"values": {"c": untyped("15", 18000), "d": OK_D}},
            "value.not_integer",
            "values.c.numerator",
        ),
        (
            {"values": {"c": untyped(True, 18000), "d": OK_D}},
            "value.not_integer",
            "values.c.numerator",
        ),
        (
            {"values": {"c": untyped(1, 18000.0), "d": OK_D}},
            "value.not_integer",
            "values.c.denominator",
        ),
        ({"values": {"c": IndicatorValue(-1, 18000), "d": OK_D}}, "value.negative", "values.c.numerator"),
        ({"values": {"c": IndicatorValue(1, -2), "d": OK_D}}, "value.negative", "values.c.denominator"),
        ({"values": {"c": untyped(None, 18000), "d": OK_D}}, "field.missing", "values.c.numerator"),
        (
            {"values": {"c": IndicatorValue(18001, 18000), "d": OK_D}},
            "value.numerator_above_denominator",
            "values.c.numerator",
        ),
        (
            {"values": {"c": IndicatorValue(16789, None), "d": OK_D}},  # above the estimate 16 788
            "value.numerator_above_denominator",
            "values.c.numerator",
        ),
        (
            {"values": {"c": IndicatorValue(0, 0), "d": OK_D}},
            "value.denominator_zero",
            "values.c.denominator",
        ),
        (
            {"unit_code": NO_POPULATION, "values": {"c": IndicatorValue(1, None), "d": OK_D}},
            "value.denominator_missing",
            "values.c.denominator",
        ),
        ({"values": {"c": (1, 2), "d": OK_D}}, "field.invalid", "values.c"),
        ({"values": [IndicatorValue(1, 2)]}, "field.invalid", "values"),
    ],
)
def test_each_rule_with_its_field(overrides: dict[str, Any], code: str, field: str) -> None:
    found = errors(submit(**overrides))
    assert (code, field) in [(p.code, p.field) for p in found], found
    for p in found:
        assert p.message and has_diacritics(p.message), p
        assert "{" not in p.message and "…" not in p.message, p  # every placeholder filled


def test_messages_say_what_is_wrong_in_the_clerks_terms() -> None:
    [unknown] = errors(submit(unit_code="99999"))
    assert "99999" in unknown.message and "5 chữ số" in unknown.message
    [province] = errors(submit(unit_code="24"))
    assert "Tỉnh Bắc Ninh (24)" in province.message and "Báo cáo tháng" in province.message
    [wrong] = errors(submit(period="2026-Q1"))
    assert "tháng" in wrong.message and "2026-03" in wrong.message
    [missing] = errors(submit(values={"c": IndicatorValue(1, 2)}))
    assert "VNeID" in missing.message  # names the indicator, not only its letter
    [extra] = errors(submit(values={"c": IndicatorValue(1, 2), "d": OK_D, "dd": IndicatorValue(1, 2)}))
    assert "“đ”" in extra.message  # people write đ, the token is dd
    [above] = errors(submit(values={"c": IndicatorValue(20000, 18000), "d": OK_D}))
    assert "20.000" in above.message and "18.000" in above.message
    [estimated] = errors(submit(values={"c": IndicatorValue(16789, None), "d": OK_D}))
    assert "ước tính" in estimated.message and "16.788" in estimated.message
    [no_population] = errors(
        submit(unit_code=NO_POPULATION, values={"c": IndicatorValue(1, None), "d": OK_D})
    )
    assert NO_POPULATION in no_population.message


def test_long_or_odd_input_is_shortened_in_messages() -> None:
    [problem_] = errors(submit(unit_code="x" * 500 + "\n\x00"))
    assert len(problem_.message) < 300 and "\x00" not in problem_.message and "…" in problem_.message


# --- all problems at once -------------------------------------------------------------------------


def test_all_problems_come_back_together() -> None:
    result = submit(
        unit_code="99999",
        period="2026-13",
        values={"c": IndicatorValue(-3, 2), "x": IndicatorValue(1, 1)},
    )
    assert {(p.code, p.field) for p in errors(result)} == {
        ("unit.unknown", "unit_code"),
        ("period.malformed", "period"),
        ("value.negative", "values.c.numerator"),
        ("indicator.unknown", "values.x"),
        ("indicator.missing", "values.d"),
    }


def test_both_indicators_are_checked() -> None:
    result = submit(values={"c": IndicatorValue(3, 2), "d": IndicatorValue(1, 0)})
    assert {(p.code, p.field) for p in errors(result)} == {
        ("value.numerator_above_denominator", "values.c.numerator"),
        ("value.denominator_zero", "values.d.denominator"),
    }


def test_warnings_come_back_with_the_errors_when_a_report_is_refused() -> None:
    result = submit(period="2026-13", values={"c": IndicatorValue(1, None), "d": OK_D})
    assert isinstance(result, list)
    assert {(p.code, p.severity) for p in result} == {
        ("period.malformed", Severity.ERROR),
        ("value.denominator_estimated", Severity.WARNING),
    }


def test_consequences_of_one_mistake_are_not_reported_twice() -> None:
    # Unknown unit: no "no reference population" on top of it.
    result = submit(unit_code="99999", values={"c": IndicatorValue(1, None), "d": OK_D})
    assert [p.code for p in errors(result)] == ["unit.unknown"]
    # Unknown form: no "missing indicator", but the numbers are still checked.
    result = submit(form="nope", values={"c": IndicatorValue(-1, 2)})
    assert {p.code for p in errors(result)} == {"form.unknown", "value.negative"}
    # Wrong period type: one problem.
    assert [p.code for p in errors(submit(period="2026-H1"))] == ["period.wrong_type"]


# --- the problem catalogue ------------------------------------------------------------------------

SPEC_CODES = {
    "unit.unknown",
    "form.unknown",
    "form.not_for_unit",
    "period.malformed",
    "period.wrong_type",
    "indicator.unknown",
    "indicator.missing",
    "value.not_integer",
    "value.negative",
    "value.numerator_above_denominator",
    "value.denominator_zero",
    "value.denominator_missing",
    "field.missing",
    "field.invalid",
    "body.invalid_json",
    "body.too_large",
}


def test_every_code_is_defined_once_with_a_vietnamese_template() -> None:
    assert set(PROBLEM_TYPES) >= SPEC_CODES
    assert set(MESSAGES) == set(PROBLEM_TYPES)
    warnings = {c for c, t in PROBLEM_TYPES.items() if t.severity is Severity.WARNING}
    assert warnings == {
        "value.denominator_estimated",
        "value.denominator_far_from_reference",
        "value.cumulative_drop",
        "value.outlier",
        "warnings.truncated",
    }
    for code, kind in PROBLEM_TYPES.items():
        assert kind.code == code
        message = problem(code, "x", **dict.fromkeys(kind.params, "X")).message
        assert has_diacritics(message), code
        assert unicodedata.normalize("NFC", message) == message, code
        assert "vui lòng" in message.lower(), code  # polite, and says what to do
        assert "{" not in message and "…" not in message, code  # params list every placeholder
        assert message.endswith("."), code


def test_a_forgotten_placeholder_does_not_raise() -> None:
    assert "…" in problem("unit.unknown", "unit_code").message


# --- timeliness ----------------------------------------------------------------------------------


def test_timeliness_against_the_forms_cut_off() -> None:
    form, period = CATALOGUE.forms["monthly"], Period.parse("2026-03")
    cutoff = datetime(2026, 3, 20, tzinfo=TZ)
    assert timeliness(datetime(2026, 3, 19, 23, 59, 59, tzinfo=TZ), form, period, TZ) == (cutoff, True)
    assert timeliness(datetime(2026, 3, 20, tzinfo=TZ), form, period, TZ) == (cutoff, False)
    assert timeliness(datetime(2026, 3, 19, 17, 0, tzinfo=UTC), form, period, TZ) == (cutoff, False)
    inclusive = timeliness(datetime(2026, 3, 20, 12, 0, tzinfo=TZ), form, period, TZ, inclusive=True)
    assert inclusive == (datetime(2026, 3, 21, tzinfo=TZ), True)

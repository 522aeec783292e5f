"""Form rules for the whole catalogue: yes/no and count indicators, parts, agencies' forms, one-offs."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from bdhvs_shared.catalogue import load_catalogue
from intake.domain import IndicatorValue, Problem, Severity, Submission, ValidReport, validate_submission
from intake.domain.principal import Principal, Role

CATALOGUE = load_catalogue()
TODAY = date(2026, 12, 3)  # the day reports are received: every period used here is reportable
SIGNATURES = {"vneid": 9000, "mysign": 2500, "smartca": 1500}


def youth(**values: IndicatorValue) -> ValidReport | list[Problem]:
    figures: dict[str, IndicatorValue] = {
        "chu_ky_so": IndicatorValue(10000, 18000, SIGNATURES),
        "lop_hoc_thon": IndicatorValue(12, 15),
        "doi_tnxk": IndicatorValue(1, None),
    }
    figures.update(values)
    return validate_submission(CATALOGUE, Submission("09313", "youth_weekly", "2026-W10", figures), TODAY)


def codes(result: ValidReport | list[Problem]) -> list[tuple[str, str]]:
    assert isinstance(result, list), result
    return [(p.code, p.field) for p in result if p.severity is Severity.ERROR]


def test_a_weekly_youth_report_with_signatures_per_provider() -> None:
    report = youth()
    assert isinstance(report, ValidReport), report
    assert str(report.period) == "2026-W10" and str(report.as_of) == "2026-03-08"  # the week's Sunday
    signatures = report.values["chu_ky_so"]
    assert (signatures.numerator, signatures.denominator, dict(signatures.parts)) == (
        10000,
        18000,
        SIGNATURES,
    )
    team = report.values["doi_tnxk"]
    assert (team.numerator, team.denominator) == (1, 1)  # yes/no: one unit, yes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (IndicatorValue(2, None), ("value.yes_no_invalid", "values.doi_tnxk.numerator")),
        (IndicatorValue(1, 5), ("value.yes_no_invalid", "values.doi_tnxk.numerator")),
    ],
)
def test_a_yes_no_indicator_is_one_or_zero(value: IndicatorValue, expected: tuple[str, str]) -> None:
    assert codes(youth(doi_tnxk=value)) == [expected]


def test_a_no_is_accepted_as_zero_of_one() -> None:
    report = youth(doi_tnxk=IndicatorValue(0, 1))
    assert isinstance(report, ValidReport)
    assert (report.values["doi_tnxk"].numerator, report.values["doi_tnxk"].denominator) == (0, 1)


@pytest.mark.parametrize(
    ("parts", "numerator", "expected"),
    [
        (
            {"vneid": 19000, "mysign": 1, "smartca": 1},
            10000,
            [("value.part_above_denominator", "values.chu_ky_so.parts.vneid")],
        ),
        ({"vneid": 9000, "mysign": 2500}, 10000, [("value.parts_missing", "values.chu_ky_so.parts")]),
        (
            {**SIGNATURES, "bkav": 3},
            10000,
            [("value.part_unknown", "values.chu_ky_so.parts.bkav")],
        ),
        (SIGNATURES, 8000, [("value.parts_inconsistent", "values.chu_ky_so.numerator")]),  # below the largest
        (SIGNATURES, 14000, [("value.parts_inconsistent", "values.chu_ky_so.numerator")]),  # above the sum
        ({**SIGNATURES, "mysign": -1}, 10000, [("value.negative", "values.chu_ky_so.parts.mysign")]),
    ],
)
def test_signature_counts_per_provider(
    parts: dict[str, int], numerator: int, expected: list[tuple[str, str]]
) -> None:
    assert codes(youth(chu_ky_so=IndicatorValue(numerator, 18000, parts))) == expected


def test_per_provider_counts_are_checked_against_the_estimated_residents_14_plus() -> None:
    # Chi Lăng: 23 317 residents × 78.3 % = 18 257 residents aged 14+ (an estimate).
    report = youth(chu_ky_so=IndicatorValue(10000, None, SIGNATURES))
    assert isinstance(report, ValidReport)
    assert report.values["chu_ky_so"].denominator == 18257
    assert [w.code for w in report.warnings] == ["value.denominator_estimated"]
    too_many = youth(chu_ky_so=IndicatorValue(10000, None, {**SIGNATURES, "vneid": 18258}))
    assert codes(too_many) == [("value.part_above_denominator", "values.chu_ky_so.parts.vneid")]


def press(**overrides: Any) -> ValidReport | list[Problem]:
    data: dict[str, Any] = {
        "unit_code": CATALOGUE.province.code,
        "form": "press_weekly",
        "period": "2026-W10",
        "values": {"tin_bai": IndicatorValue(3, None)},
    }
    data.update(overrides)
    return validate_submission(CATALOGUE, Submission(**data), TODAY)


def test_a_count_has_no_denominator() -> None:
    report = press()
    assert isinstance(report, ValidReport)
    assert (report.values["tin_bai"].numerator, report.values["tin_bai"].denominator) == (3, 0)
    refused = press(values={"tin_bai": IndicatorValue(3, 10)})
    assert codes(refused) == [("value.count_has_denominator", "values.tin_bai.denominator")]


def test_agencies_forms_are_about_the_province_and_communes_forms_about_communes() -> None:
    assert codes(press(unit_code="09313")) == [("form.not_for_unit", "form")]
    province_monthly = validate_submission(
        CATALOGUE,
        Submission(CATALOGUE.province.code, "monthly", "2026-03", {"c": IndicatorValue(1, 2)}),
        TODAY,
    )
    assert ("form.not_for_unit", "form") in codes(province_monthly)


def test_a_one_off_report_is_filed_only_for_its_periods() -> None:
    values = {"vneid_l2": IndicatorValue(1_900_000, None), "d": IndicatorValue(1_200_000, None)}
    baseline = Submission(CATALOGUE.province.code, "police_baseline_2025", "2025", values)
    report = validate_submission(CATALOGUE, baseline, TODAY)
    assert isinstance(report, ValidReport), report
    assert report.values["d"].denominator == 2_605_992  # 3 619 433 × 72.0 %
    wrong = Submission(CATALOGUE.province.code, "police_baseline_2025", "2026", values)
    assert codes(validate_submission(CATALOGUE, wrong, TODAY)) == [("period.not_for_form", "period")]


def principal(role: Role, unit: str | None = None, agency: str | None = None) -> Principal:
    return Principal(uuid.uuid4(), role, unit, agency)


def test_who_may_submit_which_form() -> None:
    province, forms = CATALOGUE.province.code, CATALOGUE.forms
    police = principal(Role.AGENCY, agency="cong_an")
    assert police.may_submit(province, forms["police_monthly"])
    assert not police.may_submit(province, forms["education_monthly"])
    clerk = principal(Role.COMMUNE, unit="09313")
    assert clerk.may_submit("09313", forms["youth_weekly"])
    assert not clerk.may_submit("09292", forms["youth_weekly"])
    assert not clerk.may_submit(province, forms["police_monthly"])
    assert principal(Role.OPERATOR).may_submit(province, forms["police_monthly"])
    assert not principal(Role.ADMIN).may_submit("09313", forms["monthly"])


def test_an_agency_reads_only_the_forms_it_files() -> None:
    police = principal(Role.AGENCY, agency="cong_an")
    forms = list(CATALOGUE.forms.values())
    assert police.readable_forms(forms) == ["police_monthly", "police_baseline_2025"]
    assert police.may_read(CATALOGUE.province.code, CATALOGUE.forms["police_monthly"])
    assert not police.may_read(CATALOGUE.province.code, CATALOGUE.forms["education_monthly"])
    assert not police.may_read("09313", CATALOGUE.forms["monthly"])
    assert principal(Role.COMMUNE, unit="09313").readable_forms(forms) is None


def test_a_unit_reports_only_for_periods_it_existed_in() -> None:
    values = {"c": IndicatorValue(1, 2), "d": IndicatorValue(1, 2)}
    before = validate_submission(CATALOGUE, Submission("09313", "monthly", "2025-06", values), TODAY)
    assert codes(before) == [("unit.inactive", "period")]
    assert isinstance(before, list) and "01/07/2025" in before[-1].message
    assert isinstance(
        validate_submission(CATALOGUE, Submission("09313", "monthly", "2025-07", values), TODAY), ValidReport
    )

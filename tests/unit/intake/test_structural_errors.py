"""Structural errors (pydantic v2) become the same Problems, in Vietnamese, as the form rules give."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from intake.domain import Severity, problems_from_pydantic


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid")
    numerator: StrictInt = Field(ge=0)
    denominator: int | None = Field(default=None, ge=0)  # lax: "abc" and 1.5 give other error types


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_code: str
    period: str = Field(default="2026-03", max_length=10)
    values: dict[str, _Value] = {}
    revision: int = Field(default=1, ge=1)


def pydantic_errors(payload: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        if isinstance(payload, bytes):
            _Body.model_validate_json(payload)
        else:
            _Body.model_validate(payload)
    return [dict(e) for e in caught.value.errors()]


def has_diacritics(text: str) -> bool:
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text)) or "đ" in text


@pytest.mark.parametrize(
    ("payload", "pydantic_type", "code", "field"),
    [
        ({}, "missing", "field.missing", "unit_code"),
        ({"unit_code": "x", "values": {"c": {}}}, "missing", "field.missing", "values.c.numerator"),
        (
            {"unit_code": "x", "values": {"c": {"numerator": "7"}}},
            "int_type",
            "value.not_integer",
            "values.c.numerator",
        ),
        (
            {"unit_code": "x", "values": {"c": {"numerator": 1.5}}},
            "int_type",
            "value.not_integer",
            "values.c.numerator",
        ),
        (
            {"unit_code": "x", "values": {"c": {"numerator": 1, "denominator": "abc"}}},
            "int_parsing",
            "value.not_integer",
            "values.c.denominator",
        ),
        (
            {"unit_code": "x", "values": {"c": {"numerator": 1, "denominator": 1.5}}},
            "int_from_float",
            "value.not_integer",
            "values.c.denominator",
        ),
        (
            {"unit_code": "x", "values": {"c": {"numerator": -1}}},
            "greater_than_equal",
            "value.negative",
            "values.c.numerator",
        ),
        (b'{"unit_code": "x",', "json_invalid", "body.invalid_json", ""),
        ({"unit_code": 5}, "string_type", "field.invalid", "unit_code"),
        ({"unit_code": "x", "values": []}, "dict_type", "field.invalid", "values"),
        ({"unit_code": "x", "values": {"c": 3}}, "model_type", "field.invalid", "values.c"),
        ({"unit_code": "x", "extra": 1}, "extra_forbidden", "field.invalid", "extra"),
        ({"unit_code": "x", "period": "2026-03-01-extra"}, "string_too_long", "field.invalid", "period"),
        (
            {"unit_code": "x", "revision": 0},
            "greater_than_equal",
            "field.invalid",
            "revision",
        ),  # ge=1: not "negative"
    ],
)
def test_each_pydantic_error_type_maps_to_a_code_and_a_field(
    payload: Any, pydantic_type: str, code: str, field: str
) -> None:
    raw = pydantic_errors(payload)
    assert pydantic_type in {e["type"] for e in raw}  # the test builds the error it claims to
    problems = problems_from_pydantic(raw)
    assert (code, field) in {(p.code, p.field) for p in problems}, problems
    for p in problems:
        assert p.severity is Severity.ERROR
        assert p.message and has_diacritics(p.message) and "vui lòng" in p.message.lower(), p
        assert "{" not in p.message and "…" not in p.message, p


def test_a_leading_body_is_dropped_from_the_location() -> None:
    raw = pydantic_errors({"unit_code": "x", "values": {"c": {"numerator": -1}}})
    as_fastapi = [{**e, "loc": ("body", *e["loc"])} for e in raw]
    [negative] = problems_from_pydantic(as_fastapi)
    assert (negative.code, negative.field) == ("value.negative", "values.c.numerator")
    assert "Số đạt (tử số) của chỉ tiêu c" in negative.message


def test_fastapi_invalid_json_points_at_the_whole_body() -> None:
    fastapi_error = {"type": "json_invalid", "loc": ("body", 17), "msg": "JSON decode error", "input": {}}
    [p] = problems_from_pydantic([fastapi_error])
    assert (p.code, p.field) == ("body.invalid_json", "")
    assert "JSON" in p.message


def test_messages_name_the_field_in_words() -> None:
    [missing] = problems_from_pydantic(pydantic_errors({}))
    assert missing.message.startswith("Mã đơn vị")
    [extra] = problems_from_pydantic(pydantic_errors({"unit_code": "x", "extra": 1}))
    assert "“extra”" in extra.message and "xóa" in extra.message
    [long] = problems_from_pydantic(pydantic_errors({"unit_code": "x", "period": "2026-03-01-extra"}))
    assert "tối đa 10 ký tự" in long.message
    [bare] = problems_from_pydantic([{"type": "string_too_long", "loc": ("period",)}])  # no ctx
    assert "{" not in bare.message and bare.field == "period"
    [revision] = problems_from_pydantic(pydantic_errors({"unit_code": "x", "revision": 0}))
    assert "lớn hơn hoặc bằng 1" in revision.message
    [dd] = problems_from_pydantic(
        [{"type": "int_type", "loc": ("body", "values", "dd", "denominator"), "msg": "", "input": "1"}]
    )
    assert "Tổng số (mẫu số) của chỉ tiêu đ" in dd.message


def test_several_errors_come_back_together_and_repeats_once() -> None:
    raw = pydantic_errors(
        {"unit_code": 5, "values": {"c": {"numerator": -1}, "d": {"numerator": "x"}}, "z": 0}
    )
    problems = problems_from_pydantic(raw + raw)
    assert [(p.code, p.field) for p in problems] == [
        ("field.invalid", "unit_code"),
        ("value.negative", "values.c.numerator"),
        ("value.not_integer", "values.d.numerator"),
        ("field.invalid", "z"),
    ]


def test_the_real_report_schema() -> None:
    from intake.entrypoints.http.schemas import ReportIn

    with pytest.raises(ValidationError) as caught:
        ReportIn.model_validate(
            {"unit_code": "09313", "form": "monthly", "values": {"c": {"numerator": 1.5, "denominator": -1}}}
        )
    found = {(p.code, p.field) for p in problems_from_pydantic(caught.value.errors())}
    assert {
        ("field.missing", "period"),
        ("value.not_integer", "values.c.numerator"),
        ("value.negative", "values.c.denominator"),
    } <= found


@pytest.mark.parametrize(
    "errors",
    [
        [],
        [{}],
        [{"type": None, "loc": None}],
        [{"type": "missing", "loc": "unit_code"}],  # a bare string, not a tuple
        [{"type": "something_new", "loc": ("body", 0, "x"), "ctx": "odd"}],
        [{"type": "greater_than_equal", "loc": ("n",), "ctx": {"ge": 0}}],
        [{"type": "greater_than_equal", "loc": ("n",), "ctx": None}],
        ["not a mapping"],
        [None],
        None,
        42,
    ],
)
def test_odd_error_shapes_never_raise(errors: Any) -> None:
    problems = problems_from_pydantic(errors)
    assert all(p.code in {"field.invalid", "field.missing", "value.negative"} for p in problems)
    assert all(p.message and has_diacritics(p.message) for p in problems)


def test_odd_shapes_give_sensible_fields() -> None:
    assert [(p.code, p.field) for p in problems_from_pydantic([{"type": "missing", "loc": "unit_code"}])] == [
        ("field.missing", "unit_code")
    ]
    assert [(p.code, p.field) for p in problems_from_pydantic([{}])] == [("field.invalid", "")]
    assert problems_from_pydantic([]) == []
    [unknown] = problems_from_pydantic([{"type": "uuid_parsing", "loc": ("body", "report_id")}])
    assert (unknown.code, unknown.field) == ("field.invalid", "report_id")

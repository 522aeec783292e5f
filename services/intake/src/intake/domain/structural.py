"""Structural errors found at the edge (pydantic) in the same shape and language as domain ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intake.domain.labels import describe_field, number, shown
from intake.domain.problems import DEFAULT_INVALID_REASON, INVALID_REASONS, Problem, problem

# pydantic v2 error type → problem code; any other type is field.invalid.
CODES: Mapping[str, str] = {
    "missing": "field.missing",
    "int_type": "value.not_integer",
    "int_parsing": "value.not_integer",
    "int_from_float": "value.not_integer",
    "greater_than_equal": "value.negative",
    "less_than_equal": "value.too_large",
    "bool_type": "field.not_boolean",
    "bool_parsing": "field.not_boolean",
    "json_invalid": "body.invalid_json",
    "json_type": "body.invalid_json",
}


def field_path(loc: Any) -> str:
    """("body", "values", "c", "numerator") → "values.c.numerator"; a leading "body" is dropped."""
    if loc is None:
        return ""
    parts = [str(loc)] if isinstance(loc, str | bytes | int) else [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


def problems_from_pydantic(errors: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Translate pydantic v2 error dicts (ValidationError.errors()); never raises, whatever they hold.

    Repeats of the same code and field are reported once.
    """
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    try:
        items = list(errors)
    except Exception:
        items = [{}]
    for error in items:
        try:
            translated = _translate(error)
        except Exception:
            translated = problem(
                "field.invalid", "", subject=describe_field(""), reason=DEFAULT_INVALID_REASON
            )
        if (translated.code, translated.field) not in seen:
            seen.add((translated.code, translated.field))
            out.append(translated)
    return out


def _translate(error: Mapping[str, Any]) -> Problem:
    kind = str(error.get("type") or "")
    field = field_path(error.get("loc"))
    ctx = error.get("ctx")
    code = CODES.get(kind, "field.invalid")
    if kind == "greater_than_equal" and isinstance(ctx, Mapping) and ctx.get("ge", 0) != 0:
        code = "field.invalid"  # a lower bound other than 0 is not "negative"
    if kind == "less_than_equal" and not field.startswith("values."):
        code = "field.invalid"  # e.g. a page size: not a figure
    if code.startswith("body."):
        return problem(code, "")  # about the whole body; loc holds a character position at most
    if code == "value.too_large":
        limit = ctx.get("le") if isinstance(ctx, Mapping) else None
        return problem(code, field, subject=describe_field(field), limit=_number(limit))
    if code != "field.invalid":
        return problem(code, field, subject=describe_field(field))
    reason = INVALID_REASONS.get(kind, DEFAULT_INVALID_REASON)
    if "{limit}" in reason:
        limits = (
            [ctx.get(k) for k in ("ge", "le", "max_length", "min_length")] if isinstance(ctx, Mapping) else []
        )
        limit = next((v for v in limits if v is not None), None)
        reason = reason.replace("{limit}", shown(limit)) if limit is not None else DEFAULT_INVALID_REASON
    return problem("field.invalid", field, subject=describe_field(field), reason=reason)


def _number(value: object) -> str:
    return number(value) if isinstance(value, int) else shown(value)

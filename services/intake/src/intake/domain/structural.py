"""Structural errors found at the edge (pydantic) in the same shape and language as domain ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intake.domain.problems import Problem, problem

_CODES = {
    "missing": "field.missing",
    "int_type": "value.not_integer",
    "int_parsing": "value.not_integer",
    "int_from_float": "value.not_integer",
    "greater_than_equal": "value.negative",
    "json_invalid": "body.invalid_json",
    "json_type": "body.invalid_json",
}


def field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


def problems_from_pydantic(errors: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Translate pydantic v2 error dicts; never raises, whatever they contain."""
    out = []
    for error in errors:
        code = _CODES.get(str(error.get("type", "")), "field.invalid")
        field = field_path(error.get("loc", ()) or ())
        out.append(problem(code, field, value=field or "body"))
    return out

"""What the APIs answered when they refused, in the shared shape: {"errors": [{code, field, message}]}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str
    severity: str = "error"
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Problem:
        return cls(
            code=str(item.get("code", "")),
            field=str(item.get("field", "") or ""),
            message=str(item.get("message", "")),
            severity=str(item.get("severity", "error") or "error"),
            sheet=item.get("sheet"),
            row=item.get("row"),
            column=item.get("column"),
        )


@dataclass
class ApiRefused(Exception):
    """A 4xx answer with its problems: shown to the person, next to the fields they name."""

    status: int
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status}: " + "; ".join(f"{p.code} {p.message}" for p in self.errors)

    @classmethod
    def from_body(cls, status: int, body: Any) -> ApiRefused:
        body = body if isinstance(body, Mapping) else {}
        errors = [Problem.from_json(e) for e in body.get("errors") or [] if isinstance(e, Mapping)]
        warnings = [Problem.from_json(w) for w in body.get("warnings") or [] if isinstance(w, Mapping)]
        if not errors:
            errors = [Problem("http.error", "", f"Yêu cầu bị từ chối (mã {status}).")]
        return cls(status, errors, warnings)

    def codes(self) -> set[str]:
        return {p.code for p in self.errors}


class SignedOut(ApiRefused):
    """401: the session expired, was revoked or never was: sign in again."""


class Forbidden(ApiRefused):
    """403: this person may not see or do that."""


class PasswordChangeRequired(Forbidden):
    """403 auth.password_change_required: a first sign-in (or a reset) must change the password."""


class ApiUnavailable(Exception):
    """A service did not answer (down, slow, 5xx)."""

    def __init__(self, service: str, detail: str = "") -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service


def by_field(problems: Sequence[Problem]) -> dict[str, list[Problem]]:
    """Problems keyed by the field they name ("" for the whole request)."""
    out: dict[str, list[Problem]] = {}
    for p in problems:
        out.setdefault(p.field, []).append(p)
    return out

"""In-memory fakes of intake, kpi and the notifier as the web's use cases see them (service_layer/ports.py).

They answer like the real APIs for the calls the tests make, and record every call (so a test can
check that a refusal happened before anything was asked)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from web.adapters.api_client import FileReply
from web.domain.problems import ApiRefused, ApiUnavailable, Forbidden, Problem, SignedOut


@dataclass
class FakeIntake:
    accounts_by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    stored: list[dict[str, Any]] = field(default_factory=list)
    refuse_with: ApiRefused | None = None  # the next submit or import is refused with this
    calls: list[str] = field(default_factory=list)
    calendars: dict[int, dict[str, Any]] = field(default_factory=dict)  # GET /api/v1/calendar by year
    published_files: dict[str, str] | None = None  # GET /catalogue/files (None: intake is down)
    import_answer: dict[str, Any] | None = None  # POST /imports' answer (None: not expected)
    imported: list[tuple[Any, ...]] = field(default_factory=list)  # each import's arguments

    async def sign_in(self, username: str, password: str) -> dict[str, Any]:
        self.calls.append("sign_in")
        account = self.accounts_by_name.get(username)
        if account is None or account["password"] != password:
            raise SignedOut(
                401, [Problem("auth.invalid_credentials", "", "Tên đăng nhập hoặc mật khẩu không đúng.")]
            )
        return {
            "token": f"session-{username}",
            "must_change_password": account.get("must_change", False),
            "account": {
                k: account.get(k) for k in ("username", "display_name", "role", "unit_code", "agency_code")
            },
        }

    async def sign_out(self, token: str) -> None:
        self.calls.append("sign_out")

    async def change_password(self, token: str, current: str, new: str) -> None:
        self.calls.append("change_password")
        if len(new) < 10:
            raise ApiRefused(
                422, [Problem("password.too_short", "new_password", "Mật khẩu mới phải có ít nhất 10 ký tự.")]
            )

    async def reports(
        self,
        token: str,
        unit: str | None = None,
        form: str | None = None,
        period: str | None = None,
        limit: int = 500,
    ) -> dict[str, Any]:
        self.calls.append(f"reports:{unit}")
        items = [
            r
            for r in self.stored
            if (unit is None or r["unit_code"] == unit)
            and (form is None or r["form"] == form)
            and (period is None or r["period"] == period)
        ]
        return {"items": items[:limit], "total": len(items), "limit": limit, "offset": 0}

    async def report(self, token: str, report_id: str) -> dict[str, Any]:
        return next(r for r in self.stored if r["report_id"] == report_id)

    async def diff(self, token: str, report_id: str, revision: int) -> dict[str, Any]:
        return {
            "report_id": report_id,
            "revision": revision,
            "compared_with": None,
            "submitted_by": "x",
            "received_at": "2026-03-16T09:00:00+07:00",
            "changes": [],
        }

    async def submit(self, token: str, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        self.calls.append(f"submit:{key}")
        if self.refuse_with is not None:
            refused, self.refuse_with = self.refuse_with, None
            raise refused
        receipt = {
            "report_id": "00000000-0000-0000-0000-000000000001",
            "revision": 1,
            "unit_code": body["unit_code"],
            "form": body["form"],
            "period": body["period"],
            "as_of": "2026-03-14",
            "received_at": "2026-03-16T09:00:00+07:00",
            "deadline": "2026-03-20T00:00:00+07:00",
            "on_time": True,
            "warnings": [],
            "body": body,
        }
        self.stored.append(
            {
                **receipt,
                "first_received_at": receipt["received_at"],
                "latest_revision": 1,
                "revisions": [{"revision": 1, "values": body["values"]}],
            }
        )
        return receipt

    async def template(self, token: str, form: str, period: str, unit: str | None, fmt: str) -> FileReply:
        return FileReply(b"x", "text/csv", f"{form}.{fmt}")

    async def import_file(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls.append("import_file")
        self.imported.append(args)
        if self.refuse_with is not None:
            refused, self.refuse_with = self.refuse_with, None
            raise refused
        if self.import_answer is None:
            raise NotImplementedError
        return self.import_answer

    async def accounts(self, token: str) -> Any:
        return {"accounts": []}

    async def import_accounts(self, token: str, csv_text: bytes, dry_run: bool) -> dict[str, Any]:
        raise NotImplementedError

    async def reset_password(self, token: str, username: str) -> dict[str, Any]:
        raise NotImplementedError

    async def deactivate_account(self, token: str, username: str) -> None:
        raise NotImplementedError

    async def catalogue_versions(self, token: str) -> dict[str, Any]:
        return {"items": [], "total": 0}

    async def calendar(self, token: str, year: int) -> dict[str, Any]:
        self.calls.append(f"calendar:{year}")
        return self.calendars.get(year, {"year": year, "forms": []})

    async def catalogue_files(self, token: str) -> dict[str, str]:
        self.calls.append("catalogue_files")
        if self.published_files is None:
            raise ApiUnavailable("intake", "down")
        return self.published_files


@dataclass
class FakeKpi:
    received: int = 0
    attainment_c: float | None = None
    calls: list[str] = field(default_factory=list)

    async def attainment(
        self, token: str, unit: str | None = None, indicator: str | None = None
    ) -> list[Any]:
        self.calls.append(f"attainment:{unit}")
        if self.attainment_c is None:
            return []
        return [
            {
                "unit_code": unit or "24",
                "indicator": "c",
                "attainment": self.attainment_c,
                "status": "on_track",
                "target_value": 1.0,
                "target_comparator": ">=",
                "target_due": "2026-12-31",
                "projected": 0.9,
                "pace_pp_per_30d": 1.0,
                "required_pace_pp_per_30d": 2.0,
                "as_of": "2026-03-14",
                "units_reporting": 1,
                "units_expected": 99,
            }
        ]

    async def history(self, token: str, unit: str, indicator: str) -> dict[str, Any]:
        return {"unit_code": unit, "indicator": indicator, "points": []}

    async def consolidated(self, token: str, period: str, fmt: str) -> FileReply:
        self.calls.append(f"consolidated:{period}.{fmt}")
        types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        types |= {"html": "text/html", "pdf": "application/pdf"}
        return FileReply(f"{fmt} of {period}".encode(), types[fmt], f"bao-cao-tong-hop-{period}.{fmt}")

    async def ranking(self, token: str, indicator: str, kind: str | None = None) -> dict[str, Any]:
        return {"indicator": indicator, "columns": [], "rows": []}

    async def completeness(self, token: str, form: str, period: str) -> dict[str, Any]:
        self.calls.append(f"completeness:{period}")
        if form == "monthly" and not re.fullmatch(r"\d{4}-\d{2}", period):  # as kpi: 422, e.g. 2026-Q1
            raise ApiRefused(422, [Problem("period.invalid", "period", f"Kỳ {period} không hợp lệ.")])
        group = {
            "group": "province",
            "expected": 99,
            "received": self.received,
            "on_time": self.received,
            "late": 0,
            "missing": 99 - self.received,
            "reporting_rate": self.received / 99,
            "on_time_rate": None,
        }
        missing = (
            [
                {
                    "unit_code": "09313",
                    "unit_name": "Chi Lăng",
                    "unit_kind": "xa",
                    "state": "missing",
                    "first_received_at": None,
                    "latest_revision": None,
                }
            ]
            if self.received == 0
            else []
        )
        return {
            "form": form,
            "form_name": "Báo cáo tháng",
            "period": period,
            "as_of": "2026-03-14",
            "deadline": "2026-03-20T00:00:00+07:00",
            "groups": [group],
            "missing": missing,
            "late": [],
        }


@dataclass
class FakeNotifier:
    calls: list[str] = field(default_factory=list)
    contacts_forbidden: bool = False

    open_violations: int = 0  # how many the list has (ids 1…n, unit 09313)
    indicator: str = "c"  # theirs
    asked: list[dict[str, Any]] = field(default_factory=list)  # each list call's filters

    async def violations(self, token: str, **filters: Any) -> dict[str, Any]:
        self.calls.append("violations")
        self.asked.append(filters)
        offset, limit = int(filters.get("offset") or 0), int(filters.get("limit") or 100)
        ids = range(offset + 1, min(offset + limit, self.open_violations) + 1)
        items = [{**_violation(n), "indicator": self.indicator} for n in ids]
        return {"items": items, "total": self.open_violations, "limit": limit, "offset": offset}

    async def acknowledge(self, token: str, violation_id: int, reason: str) -> dict[str, Any]:
        self.calls.append(f"acknowledge:{violation_id}:{reason}")
        return {}

    async def acknowledge_by_link(self, violation_id: int, link_token: str, reason: str) -> dict[str, Any]:
        self.calls.append(f"link:{violation_id}:{reason}")
        return {"violation_id": violation_id, "result": "acknowledged"}

    async def notifications(self, token: str, **filters: Any) -> dict[str, Any]:
        return {"items": [], "total": 0, "limit": 50, "offset": 0}

    async def contacts(self, token: str, **filters: Any) -> Any:
        self.calls.append("contacts")
        if self.contacts_forbidden:
            raise Forbidden(403)
        return [{"unit_code": "09313", "name": "Chủ tịch xã", "phone": "84912345678", "active": True}]


def _violation(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "unit_code": "09313",
        "indicator": "c",
        "opened_at": "2026-03-01T01:00:00+00:00",
        "resolved_at": None,
        "duration_seconds": 86400.0,
        "worst_status": "off_track",
        "last_status": "off_track",
        "resolved_status": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "silenced": False,
        "alerted_at": None,
        "next_repeat_at": None,
        "repeats": 0,
        "inhibited_by": None,
        "inhibited_at": None,
    }

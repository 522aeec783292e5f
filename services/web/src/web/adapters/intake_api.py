"""intake's public API as the pages use it: sign-in and accounts, reports, files, the catalogue."""

from __future__ import annotations

from typing import Any

from web.adapters.api_client import ApiClient, FileReply

CSV = "text/csv"


class IntakeApi:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # sessions and accounts (docs/web.md, the contract with intake's accounts)
    async def sign_in(self, username: str, password: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "POST", "/api/v1/sessions", json={"username": username, "password": password}
        )
        return result

    async def sign_out(self, token: str) -> None:
        await self.api.call("DELETE", "/api/v1/sessions/current", token)

    async def change_password(self, token: str, current: str, new: str) -> None:
        await self.api.call(
            "POST", "/api/v1/account/password", token, json={"current_password": current, "new_password": new}
        )

    async def whoami(self, token: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/auth/whoami", token)
        return result

    async def accounts(self, token: str) -> Any:
        return await self.api.json("GET", "/api/v1/accounts", token)

    async def create_account(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("POST", "/api/v1/accounts", token, json=body)
        return result

    async def import_accounts(self, token: str, csv_text: bytes, dry_run: bool) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "POST",
            "/api/v1/accounts/import",
            token,
            params={"dry_run": "true" if dry_run else "false"},
            content=csv_text,
            headers={"Content-Type": CSV},
        )
        return result

    async def reset_password(self, token: str, username: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "POST", f"/api/v1/accounts/{username}/reset-password", token
        )
        return result

    async def deactivate_account(self, token: str, username: str) -> None:
        await self.api.call("POST", f"/api/v1/accounts/{username}/deactivate", token)

    # reports
    async def reports(
        self,
        token: str,
        unit: str | None = None,
        form: str | None = None,
        period: str | None = None,
        limit: int = 500,
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "GET",
            "/api/v1/reports",
            token,
            params={"unit": unit, "form": form, "period": period, "limit": limit},
        )
        return result

    async def report(self, token: str, report_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", f"/api/v1/reports/{report_id}", token)
        return result

    async def diff(self, token: str, report_id: str, revision: int) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "GET", f"/api/v1/reports/{report_id}/revisions/{revision}/diff", token
        )
        return result

    async def submit(self, token: str, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else None
        result: dict[str, Any] = await self.api.json(
            "POST", "/api/v1/reports", token, json=body, headers=headers
        )
        return result

    async def template(self, token: str, form: str, period: str, unit: str | None, fmt: str) -> FileReply:
        return await self.api.file(
            f"/api/v1/templates/{form}", token, params={"period": period, "unit": unit, "format": fmt}
        )

    async def import_file(
        self,
        token: str,
        data: bytes,
        content_type: str,
        dry_run: bool,
        confirm: bool,
        form: str | None = None,
        period: str | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Content-Type": content_type, **({"Idempotency-Key": key} if key else {})}
        params = {
            "dry_run": str(dry_run).lower(),
            "confirm": str(confirm).lower(),
            "form": form,
            "period": period,
        }
        result: dict[str, Any] = await self.api.json(
            "POST", "/api/v1/imports", token, params=params, content=data, headers=headers
        )
        return result

    # catalogue
    async def catalogue(self, token: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/catalogue", token)
        return result

    async def catalogue_files(self, token: str) -> dict[str, str]:
        """The data files of the catalogue in force (GET /api/v1/catalogue/files)."""
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/catalogue/files", token)
        return {str(k): str(v) for k, v in result["files"].items()}

    async def catalogue_versions(self, token: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/admin/catalogue/versions", token)
        return result

    async def calendar(self, token: str, year: int) -> dict[str, Any]:
        """Each form's periods of `year` with the deadline intake applies (working days included)."""
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/calendar", token, params={"year": year})
        return result

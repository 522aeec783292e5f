"""kpi's read API as the pages use it."""

from __future__ import annotations

from typing import Any

from web.adapters.api_client import ApiClient, FileReply


class KpiApi:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def attainment(
        self, token: str, unit: str | None = None, indicator: str | None = None
    ) -> list[Any]:
        result: list[Any] = await self.api.json(
            "GET", "/api/v1/attainment", token, params={"unit": unit, "indicator": indicator}
        )
        return result

    async def history(self, token: str, unit: str, indicator: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "GET", "/api/v1/history", token, params={"unit": unit, "indicator": indicator}
        )
        return result

    async def ranking(self, token: str, indicator: str, kind: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "GET", "/api/v1/ranking", token, params={"indicator": indicator, "kind": kind, "format": "json"}
        )
        return result

    async def completeness(self, token: str, form: str, period: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "GET", "/api/v1/completeness", token, params={"form": form, "period": period, "format": "json"}
        )
        return result

    async def csv(self, token: str, path: str, params: dict[str, Any]) -> FileReply:
        return await self.api.file(path, token, params={**params, "format": "csv"})

    async def consolidated(self, token: str, period: str, fmt: str) -> FileReply:
        return await self.api.file("/api/v1/consolidated", token, params={"period": period, "format": fmt})

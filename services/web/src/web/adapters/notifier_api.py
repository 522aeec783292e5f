"""The notifier's API as the pages use it: violations, the delivery log, the directory."""

from __future__ import annotations

from typing import Any

from web.adapters.api_client import ApiClient

CSV = "text/csv"


class NotifierApi:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def violations(self, token: str, **filters: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/violations", token, params=filters)
        return result

    async def violation(self, token: str, violation_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", f"/api/v1/violations/{violation_id}", token)
        return result

    async def acknowledge(self, token: str, violation_id: int, reason: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "POST", f"/api/v1/violations/{violation_id}/acknowledge", token, json={"reason": reason}
        )
        return result

    async def acknowledge_by_link(self, violation_id: int, link_token: str, reason: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json(
            "POST",
            f"/api/v1/violations/{violation_id}/acknowledge-link",
            data={"token": link_token, "reason": reason},
            headers={"Accept": "application/json"},
        )
        return result

    async def notifications(self, token: str, **filters: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.json("GET", "/api/v1/notifications", token, params=filters)
        return result

    async def contacts(self, token: str, **filters: Any) -> Any:
        return await self.api.json("GET", "/api/v1/admin/contacts", token, params=filters)

    async def create_contact(self, token: str, body: dict[str, Any]) -> Any:
        return await self.api.json("POST", "/api/v1/admin/contacts", token, json=body)

    async def update_contact(self, token: str, contact_id: int, body: dict[str, Any]) -> Any:
        return await self.api.json("PATCH", f"/api/v1/admin/contacts/{contact_id}", token, json=body)

    async def deactivate_contact(self, token: str, contact_id: int) -> Any:
        return await self.api.json("POST", f"/api/v1/admin/contacts/{contact_id}/deactivate", token)

    async def import_contacts(self, token: str, data: bytes, dry_run: bool) -> Any:
        return await self.api.json(
            "POST",
            "/api/v1/admin/contacts/import",
            token,
            params={"dry_run": str(dry_run).lower()},
            content=data,
            headers={"Content-Type": CSV},
        )

    async def routing_rules(self, token: str) -> Any:
        return await self.api.json("GET", "/api/v1/admin/routing-rules", token)

"""The demo gives a few chairmen a phone and SMS, as an admin would through the directory API, once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from bdhvs_local.demo.sms_contacts import CHANNELS, SMS_UNITS, give_phones, phone_for
from notifier.domain.contacts import normalise_phone


class Directory:
    def __init__(self, units: list[str]) -> None:
        self.contacts: dict[int, dict[str, Any]] = {
            i: {"id": i, "unit_code": u, "role": "chairman", "phone": None, "channels": "email"}
            for i, u in enumerate(units, 1)
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer admin-token"
        if request.method == "GET":
            return httpx.Response(200, json=list(self.contacts.values()))
        contact = self.contacts[int(request.url.path.rsplit("/", 1)[1])]
        contact.update(json.loads(request.content))
        return httpx.Response(200, json=contact)


async def _give(directory: Directory, units: list[str]) -> int:
    async with httpx.AsyncClient(transport=httpx.MockTransport(directory.handle)) as client:
        return await give_phones(client, "http://notifier", "admin-token", units)


def test_the_first_units_chairmen_get_a_phone_and_sms_once() -> None:
    units = [f"{9000 + i:05d}" for i in range(SMS_UNITS + 5)]
    directory = Directory(units)
    assert asyncio.run(_give(directory, units)) == SMS_UNITS
    with_sms = {c["unit_code"] for c in directory.contacts.values() if c["channels"] == CHANNELS}
    assert with_sms == set(units[:SMS_UNITS])
    for contact in directory.contacts.values():
        if contact["phone"]:
            assert normalise_phone(contact["phone"]) == contact["phone"] == phone_for(contact["unit_code"])
    assert asyncio.run(_give(directory, units)) == 0  # a rerun changes nothing

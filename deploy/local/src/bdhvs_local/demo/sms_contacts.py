"""Some chairmen want their alerts by SMS too: the demo gives the chairmen of its first `SMS_UNITS`
units a mobile number and the channels "email,sms", through the notifier's directory API as an admin
would, so the loopback SMS gateway (`.run/sms/`) and the delivery log show the SMS channel at work.

The numbers are made up (84 9 and the unit code): safe only because demo mode sends every SMS to the
loopback gateway (runner.LOCAL_ONLY). The directory `make run` loads stays email-only: no Vietnamese
mobile range is kept for fiction, and a real gateway set up later would text whoever has the number.
"""

from __future__ import annotations

import httpx

from bdhvs_local.demo.submit import retrying

SMS_UNITS = 10
CHANNELS = "email,sms"


def phone_for(unit_code: str) -> str:
    return f"849{int(unit_code):08d}"


async def give_phones(
    client: httpx.AsyncClient, notifier_url: str, admin_token: str, units: list[str]
) -> int:
    """Phones for the chairmen of the first `SMS_UNITS` of `units` (the plan's order); returns how many
    contacts changed (0 on a rerun)."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    url = f"{notifier_url}/api/v1/admin/contacts"
    reply = await retrying(lambda: client.get(url, params={"role": "chairman"}, headers=headers))
    reply.raise_for_status()
    chosen = set(units[:SMS_UNITS])
    changed = 0
    for contact in reply.json():
        wanted = {"phone": phone_for(contact["unit_code"]), "channels": CHANNELS}
        if contact["unit_code"] not in chosen or all(contact.get(k) == v for k, v in wanted.items()):
            continue
        patch = f"{url}/{contact['id']}"
        answer = await retrying(lambda: client.patch(patch, json=wanted, headers=headers))  # noqa: B023
        answer.raise_for_status()
        changed += 1
    return changed

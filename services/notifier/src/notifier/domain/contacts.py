"""Who gets a notification by which channel (pure).

A contact lists the channels it prefers, in order; only channels this notifier
has configured are used. A contact whose preferred channels are all off still
gets an email if it has an address, so nobody is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

CHANNELS = ("email", "sms", "webhook")
# Who a contact is in its unit: a closed list, so routing rules cannot name a role nobody holds.
# `system` is another system reached by webhook (e.g. the province's operations centre).
ROLES = ("chairman", "clerk", "youth_union_secretary", "department_operator", "leader", "system")

_PHONE = re.compile(r"84[35789]\d{8}")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None = None
    webhook_url: str | None = None
    channels: tuple[str, ...] = ("email",)
    role: str = ""
    unit_code: str = ""
    id: int | None = None
    active: bool = True

    def address(self, channel: str) -> str | None:
        return {"email": self.email, "sms": self.phone, "webhook": self.webhook_url}[channel]


def parse_channels(value: str) -> tuple[str, ...]:
    """ "sms, email" → ("sms", "email"); an unknown channel is an error, an empty list means email."""
    names = tuple(dict.fromkeys(part.strip().lower() for part in value.replace(";", ",").split(",")))
    names = tuple(n for n in names if n)
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown channel(s) {unknown}; use {', '.join(CHANNELS)}")
    return names or ("email",)


def normalise_phone(raw: str) -> str:
    """A Vietnamese mobile number in the international form gateways want: 0912… / +84912… → 84912…"""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not _PHONE.fullmatch(digits):
        raise ValueError(f"not a Vietnamese mobile number: {raw!r}")
    return digits


def channels_for(contact: Contact, allowed: Collection[str], enabled: Collection[str]) -> tuple[str, ...]:
    """The channels to reach `contact` on, given a routing rule's `allowed` channels (in its order) and
    the channels this notifier has configured (`enabled`).

    1. The contact's preferred channels that the rule allows, in the contact's order.
    2. None of them: the rule wins over the preference; the first allowed channel it has an address for.
    3. Still none (the rule's channels are off or unaddressable): email, so nobody is dropped silently.
    """
    usable = {c for c in allowed if c in enabled and contact.address(c)}
    preferred = tuple(c for c in contact.channels if c in usable)
    if preferred:
        return preferred
    fallback = tuple(c for c in allowed if c in usable)[:1]
    if fallback:
        return fallback
    return ("email",) if "email" in enabled and contact.email else ()


def deliveries(contact: Contact, enabled: Collection[str]) -> list[tuple[str, str]]:
    """(channel, address) pairs to notify this contact on when any channel is allowed."""
    return [(c, contact.address(c) or "") for c in channels_for(contact, CHANNELS, enabled)]

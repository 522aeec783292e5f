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

_PHONE = re.compile(r"84[35789]\d{8}")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None = None
    webhook_url: str | None = None
    channels: tuple[str, ...] = ("email",)

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


def deliveries(contact: Contact, enabled: Collection[str]) -> list[tuple[str, str]]:
    """(channel, address) pairs to notify this contact on."""
    chosen = [
        (channel, address)
        for channel in contact.channels
        if channel in enabled and (address := contact.address(channel))
    ]
    if not chosen and contact.email and "email" in enabled:
        chosen = [("email", contact.email)]
    return chosen

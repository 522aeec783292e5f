"""Checking a contact of the directory, from the admin API or a CSV line, one way (pure).

Each problem has a stable code, the field (the CSV column) and a Vietnamese message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bdhvs_shared.catalogue import Catalogue
from notifier.domain.contacts import CHANNELS, ROLES, Contact, normalise_phone, parse_channels

_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+")
FIELDS = ("unit_code", "role", "name", "email", "phone", "webhook_url", "channels")


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str


@dataclass(frozen=True)
class ContactFields:
    """A checked contact, normalised: phone 84…, channels in order, NFC text."""

    unit_code: str
    role: str
    name: str
    email: str | None
    phone: str | None
    webhook_url: str | None
    channels: str  # comma-separated, e.g. "sms,email"
    active: bool = True


def _text(value: object) -> str:
    return unicodedata.normalize("NFC", str(value if value is not None else "").strip())


def check_contact(
    raw: Mapping[str, object], known_units: Collection[str], active: bool = True
) -> tuple[ContactFields | None, list[Problem]]:
    """The normalised contact, or None and every problem found."""
    cell = {key: _text(raw.get(key)) for key in FIELDS}
    addresses, phone, address_problems = _addresses(cell)
    channels, channel_problems = _channels(cell["channels"], addresses)
    problems = [*_who(cell, known_units), *address_problems, *channel_problems]
    if problems:
        return None, problems
    email, webhook = addresses["email"], addresses["webhook"]
    return ContactFields(
        cell["unit_code"], cell["role"], cell["name"], email, phone, webhook, ",".join(channels), active
    ), []


def _who(cell: Mapping[str, str], known_units: Collection[str]) -> list[Problem]:
    """The unit, the role and the name."""
    problems: list[Problem] = []
    if cell["unit_code"] not in known_units:
        problems.append(
            Problem(
                "contact.unit_unknown",
                "unit_code",
                f"Mã đơn vị “{cell['unit_code'][:10]}” không có trong danh mục "
                "(mã xã/phường, hoặc mã của tỉnh).",
            )
        )
    if cell["role"] not in ROLES:
        problems.append(
            Problem(
                "contact.role_unknown",
                "role",
                f"Vai trò “{cell['role'][:40]}” không hợp lệ; dùng một trong: {', '.join(ROLES)}.",
            )
        )
    if not cell["name"] or len(cell["name"]) > 200:
        problems.append(
            Problem("contact.name_missing", "name", "Cần họ tên hoặc chức danh (tối đa 200 ký tự).")
        )
    return problems


def _addresses(cell: Mapping[str, str]) -> tuple[dict[str, str | None], str | None, list[Problem]]:
    """The address per channel as given (the phone as typed), the phone normalised, the problems."""
    problems: list[Problem] = []
    email = cell["email"] or None
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        problems.append(
            Problem("contact.email_invalid", "email", f"Địa chỉ email “{email[:60]}” không hợp lệ.")
        )
    phone: str | None = None
    if cell["phone"]:
        try:
            phone = normalise_phone(cell["phone"])
        except ValueError:
            problems.append(
                Problem(
                    "contact.phone_invalid",
                    "phone",
                    f"Số điện thoại “{cell['phone'][:20]}” không phải số di động Việt Nam "
                    "(ví dụ 0912 345 678).",
                )
            )
    webhook = cell["webhook_url"] or None
    if webhook and (len(webhook) > 500 or not webhook.startswith(("https://", "http://"))):
        problems.append(
            Problem(
                "contact.webhook_invalid",
                "webhook_url",
                "Địa chỉ webhook phải bắt đầu bằng https:// hoặc http://.",
            )
        )
    return {"email": email, "sms": cell["phone"] or None, "webhook": webhook}, phone, problems


def _channels(given: str, addresses: Mapping[str, str | None]) -> tuple[tuple[str, ...], list[Problem]]:
    """The channels chosen (none given: the first it has an address for), each with its address."""
    problems: list[Problem] = []
    channels: tuple[str, ...] = ()
    try:
        channels = parse_channels(given)
    except ValueError:
        problems.append(
            Problem(
                "contact.channel_unknown",
                "channels",
                f"Kênh phải là một hoặc nhiều trong: {', '.join(CHANNELS)}.",
            )
        )
    if not any(addresses.values()):
        problems.append(
            Problem("contact.no_address", "email", "Cần ít nhất một email, số điện thoại hoặc webhook.")
        )
        return channels, problems
    if not given:
        channels = tuple(c for c in CHANNELS if addresses[c])[:1] or channels
    lacking = [c for c in channels if not addresses[c]]
    if lacking:
        problems.append(
            Problem(
                "contact.channel_without_address",
                "channels",
                f"Kênh {', '.join(lacking)} được chọn nhưng thiếu địa chỉ tương ứng.",
            )
        )
    return channels, problems


@dataclass(frozen=True)
class StoredContact:
    """A contact of the directory: its id and its checked fields."""

    id: int
    fields: ContactFields

    def view(self) -> dict[str, Any]:
        """As the API and the audit log show it."""
        return {"id": self.id, **asdict(self.fields)}

    def as_contact(self) -> Contact:
        """What routing needs of it."""
        f = self.fields
        return Contact(
            name=f.name,
            email=f.email or None,
            phone=f.phone,
            webhook_url=f.webhook_url,
            channels=parse_channels(f.channels),
            role=f.role,
            unit_code=f.unit_code,
            id=self.id,
            active=f.active,
        )


def known_units_of(catalogue: Catalogue) -> set[str]:
    """Commune and ward codes of the catalogue, and the province (24) for its departments."""
    return {*catalogue.units, catalogue.province.code}

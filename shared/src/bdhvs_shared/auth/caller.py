"""A caller's role and what it may read across services (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    COMMUNE = "commune"  # a commune/ward clerk: its own unit only
    AGENCY = "agency"  # a provincial body (police, a department…): the forms it files, for the province
    OPERATOR = "operator"  # Department of Science & Technology: the whole province
    ADMIN = "admin"  # manages reference data; does not submit reports


@dataclass(frozen=True)
class Caller:
    """The holder of a token, as intake's whoami describes it."""

    token_id: str
    role: Role
    unit_code: str | None = None
    agency_code: str | None = None
    # A person's session still on its one-time initial password: refused until it is changed.
    must_change_password: bool = False
    username: str | None = None  # a person's session: the account, and the person's name
    display_name: str | None = None
    name: str | None = None  # an API token's name, given when it was made

    @classmethod
    def from_whoami(cls, body: dict[str, Any]) -> Caller:
        """Tolerant: fields whoami adds later are ignored (a session's expiry times…)."""
        session = body.get("kind") == "session"
        return cls(
            token_id=str(body["token_id"]),
            role=Role(body["role"]),
            unit_code=body.get("unit_code"),
            agency_code=body.get("agency_code"),
            must_change_password=body.get("must_change_password") is True,
            username=_text(body.get("username")) if session else None,
            display_name=_text(body.get("display_name")) if session else None,
            name=None if session else _text(body.get("name")),
        )

    @property
    def label(self) -> str:
        """Who did it, for the audit log and an acknowledged alert: a person by name and account (a
        session's id changes at each sign-in and says nothing to a colleague); an API token by its
        name, with its role and unit, agency or id (names need not be unique)."""
        if self.username:
            return f"{self.display_name} ({self.username})" if self.display_name else self.username
        subject = f"{self.role.value}:{self.unit_code or self.agency_code or self.token_id}"
        return f"{self.name} ({subject})" if self.name else subject

    @property
    def sees_province(self) -> bool:
        """Operators, admins and provincial bodies read every unit's figures."""
        return self.role in (Role.OPERATOR, Role.ADMIN, Role.AGENCY)

    def readable_units(self, province: str) -> Collection[str] | None:
        """The units whose figures this caller may read; None for all of them.

        A commune reads its own unit and the province's totals (its benchmark; `province` is the
        catalogue's province code), nobody else's.
        """
        if self.sees_province:
            return None
        return (self.unit_code, province) if self.unit_code else (province,)

    def may_read_unit(self, unit_code: str, province: str) -> bool:
        units = self.readable_units(province)
        return units is None or unit_code in units

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None

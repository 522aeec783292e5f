"""Who is calling, and what they may do (pure rules, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    COMMUNE = "commune"  # a commune/ward clerk: its own unit only
    OPERATOR = "operator"  # Department of Science & Technology: the whole province
    ADMIN = "admin"  # manages reference data; does not submit reports


@dataclass(frozen=True)
class Principal:
    token_id: UUID
    role: Role
    unit_code: str | None

    @property
    def label(self) -> str:
        return (
            f"{self.role.value}:{self.unit_code}" if self.unit_code else f"{self.role.value}:{self.token_id}"
        )

    def may_submit_for(self, unit_code: str) -> bool:
        if self.role is Role.OPERATOR:
            return True
        return self.role is Role.COMMUNE and self.unit_code == unit_code

    def may_read(self, unit_code: str) -> bool:
        return self.role in (Role.OPERATOR, Role.ADMIN) or self.unit_code == unit_code

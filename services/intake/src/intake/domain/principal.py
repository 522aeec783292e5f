"""Who is calling, and what they may do (pure rules, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.catalogue import Form

__all__ = ["Principal", "Role"]


@dataclass(frozen=True)
class Principal:
    token_id: UUID
    role: Role
    unit_code: str | None
    agency_code: str | None = None
    name: str | None = None  # an API token's, given when it was made (`intake token create`)

    @property
    def label(self) -> str:
        subject = self.unit_code or self.agency_code or self.token_id
        return f"{self.role.value}:{subject}"

    def may_submit(self, unit_code: str, form: Form | None) -> bool:
        """Operators for anyone; a commune its own unit's forms; an agency the forms it files.
        `form` None: whether some form may be (a file read before its form is known)."""
        if self.role is Role.OPERATOR:
            return True
        if self.role is Role.COMMUNE:
            return self.unit_code == unit_code and (form is None or not form.for_province)
        return self.role is Role.AGENCY and (form is None or self.agency_code in form.agencies)

    def may_read(self, unit_code: str, form: Form | None) -> bool:
        if self.role in (Role.OPERATOR, Role.ADMIN):
            return True
        if self.role is Role.AGENCY:
            return form is not None and self.agency_code in form.agencies
        return self.unit_code == unit_code

    def readable_forms(self, forms: list[Form]) -> list[str] | None:
        """The form codes this principal may list, or None for no restriction by form."""
        if self.role is Role.AGENCY:
            return [f.code for f in forms if self.agency_code in f.agencies]
        return None

"""The directory admin API's bodies and answers (the OpenAPI schemas of entrypoints/http/directory.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from notifier.domain.contacts import CHANNELS, ROLES
from notifier.domain.routing import KINDS

Text = Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")]


class ContactOut(BaseModel):
    id: int
    unit_code: str = Field(description="Commune or ward code, or 24 for the province and its departments")
    role: str = Field(description=f"One of {', '.join(ROLES)}")
    name: str
    email: str | None
    phone: str | None = Field(description="84… (normalised)")
    webhook_url: str | None
    channels: str = Field(description=f"Preferred channels in order, comma-separated ({', '.join(CHANNELS)})")
    active: bool


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # JSON types as written: no "1" for 1
    unit_code: Text
    role: Text
    name: Text
    email: Text | None = None
    phone: Text | None = Field(default=None, description="0912 345 678, +84912345678 or 84912345678")
    webhook_url: Text | None = None
    channels: Text = Field(default="", description="e.g. sms,email; empty: the first it has an address for")
    active: bool = True


class ContactPatch(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid", strict=True)  # JSON types as written: no "1" for 1
    unit_code: Text | None = None
    role: Text | None = None
    name: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    webhook_url: Text | None = None
    channels: Text | None = None
    active: bool | None = None


class RuleBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # JSON types as written: no "1" for 1
    kind: str = Field(max_length=40, description=f"One of {', '.join(KINDS)}")
    role: str = Field(max_length=30, description=f"One of {', '.join(ROLES)}")
    channels: list[Literal["email", "sms", "webhook"]] = Field(
        min_length=1, max_length=3, description="Allowed channels, in order"
    )
    tier: int = Field(
        default=1, ge=1, le=9, description="1 first; a higher tier only when no lower one reaches anyone"
    )


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # JSON types as written: no "1" for 1
    rules: list[RuleBody] = Field(max_length=500)


class RulesOut(BaseModel):
    rules: list[RuleBody]


class ImportOut(BaseModel):
    dry_run: bool
    rows: int = Field(description="Contacts in the file")
    replaced: int = Field(
        description="Contacts in the directory before; a committed import replaces them all"
    )


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str = Field(
        description="contact.create, contact.update, contact.deactivate, contacts.import, "
        "routing.replace, routing.seed, violation.acknowledge"
    )
    entity: str
    entity_id: str | None
    before: Any
    after: Any


class AuditPageOut(BaseModel):
    items: list[AuditOut]
    total: int
    limit: int
    offset: int

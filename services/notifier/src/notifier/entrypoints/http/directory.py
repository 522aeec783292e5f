"""Admin API of the contact directory and the routing rules; every change is audited."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from bdhvs_shared.api import UNIT_CODE
from bdhvs_shared.auth.routes import operator_or_admin
from notifier.adapters.audit import list_audit
from notifier.adapters.directory import list_contacts, rules_of
from notifier.domain.contacts import ROLES
from notifier.domain.directory_csv import LineProblem
from notifier.domain.routing import Rule
from notifier.entrypoints.http.actor import Actor
from notifier.entrypoints.http.deps import DirectoryDep, SessionsDep
from notifier.entrypoints.http.directory_models import (
    AuditOut,
    AuditPageOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    ImportOut,
    RuleBody,
    RulesIn,
    RulesOut,
)
from notifier.entrypoints.http.errors import ERRORS
from notifier.service_layer.directory_admin import DirectoryRejected

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["directory"],
    responses=ERRORS,
    dependencies=[Depends(operator_or_admin)],
)
ContactId = Annotated[int, Path(ge=1, le=2_147_483_647)]
CSV_MAX_BYTES = 1_000_000


def _rules_out(rules: list[Rule]) -> RulesOut:
    return RulesOut(rules=[RuleBody.model_validate({**vars(r), "channels": list(r.channels)}) for r in rules])


@router.get("/contacts", response_model=list[ContactOut])
async def contacts(
    sessions: SessionsDep,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE)] = None,
    role: Annotated[str | None, Query(pattern=f"^({'|'.join(ROLES)})$")] = None,
    active: bool | None = None,
) -> list[ContactOut]:
    """The directory, by unit and role."""
    async with sessions() as session:
        rows = await list_contacts(session, {"unit_code": unit, "role": role, "active": active})
    return [ContactOut(**c.view()) for c in rows]


@router.post("/contacts", response_model=ContactOut, status_code=201)
async def create_contact(body: ContactIn, actor: Actor, admin: DirectoryDep) -> ContactOut:
    """Add a contact: unit and role from the closed lists, phone normalised to 84…"""
    return ContactOut(**await admin.create(actor, body.model_dump()))


@router.patch("/contacts/{contact_id}", response_model=ContactOut)
async def update_contact(
    contact_id: ContactId, body: ContactPatch, actor: Actor, admin: DirectoryDep
) -> ContactOut:
    """Change some fields of a contact; `active: true` reactivates it."""
    changes = body.model_dump(exclude_unset=True)
    return ContactOut(**await admin.update(actor, contact_id, changes))


@router.post("/contacts/{contact_id}/deactivate", response_model=ContactOut)
async def deactivate_contact(contact_id: ContactId, actor: Actor, admin: DirectoryDep) -> ContactOut:
    """Stop notifying a contact; it stays listed (and in the audit log)."""
    return ContactOut(**await admin.deactivate(actor, contact_id))


@router.post(
    "/contacts/import",
    response_model=ImportOut,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_contacts(
    request: Request,
    actor: Actor,
    admin: DirectoryDep,
    dry_run: Annotated[
        bool, Query(description="Check only (the default); false replaces the directory")
    ] = True,
) -> ImportOut:
    """The whole directory from a CSV file (UTF-8): unit_code, role, name, email[, phone, webhook_url,
    channels, active]. Checked whole first; stored all or nothing; every problem with its line."""
    body = await request.body()
    problem = None
    if len(body) > CSV_MAX_BYTES:
        problem = LineProblem(0, "", "csv.too_large", f"Tệp quá lớn (tối đa {CSV_MAX_BYTES // 1000} KB).")
    else:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = LineProblem(
                0, "", "csv.not_utf8", "Tệp phải là CSV UTF-8 (trong Excel: Lưu thành “CSV UTF-8”)."
            )
    if problem is not None:
        raise DirectoryRejected([problem])
    result = await admin.import_csv(actor, text, dry_run)
    return ImportOut(dry_run=result.dry_run, rows=result.rows, replaced=result.replaced)


@router.get("/routing-rules", response_model=RulesOut)
async def routing_rules(sessions: SessionsDep) -> RulesOut:
    """Which notification kinds go to which roles, by which channels, in tiers."""
    async with sessions() as session:
        return _rules_out(await rules_of(session))


@router.put("/routing-rules", response_model=RulesOut)
async def replace_routing_rules(
    body: Annotated[RulesIn, Body()], actor: Actor, admin: DirectoryDep
) -> RulesOut:
    """Replace every rule at once (the set is checked whole: known kinds and roles, no duplicates)."""
    rules = [Rule(r.kind, r.role, tuple(r.channels), r.tier) for r in body.rules]
    return _rules_out(await admin.replace_rules(actor, rules))


@router.get("/audit", response_model=AuditPageOut)
async def audit(
    sessions: SessionsDep,
    entity: Annotated[Literal["contact", "routing", "violation"] | None, Query()] = None,
    entity_id: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,19}$", description="A contact's or violation's id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPageOut:
    """Every change of the directory and the rules, and every acknowledgement of a violation (with its
    reason), newest first: who, when, before and after."""
    async with sessions() as session:
        rows, total = await list_audit(session, {"entity": entity, "entity_id": entity_id}, limit, offset)
    return AuditPageOut(items=[AuditOut(**r) for r in rows], total=total, limit=limit, offset=offset)

"""An admin's accounts API: list, create, import a CSV (dry run, then all or nothing), the communes'
template, reset a password, deactivate (docs/accounts.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from bdhvs_shared.auth.caller import Role
from intake.adapters.account_csv import read_accounts, write_template
from intake.domain.account_problems import refused
from intake.domain.problems import MAX_LISTED, Severity, truncation
from intake.entrypoints.http.account_schemas import (
    AccountCreatedOut,
    AccountIn,
    AccountOut,
    AccountsDryRunOut,
    AccountsImportedOut,
    AccountsOut,
    ImportRowOut,
    InitialPasswordOut,
)
from intake.entrypoints.http.auth import CurrentIdentity, CurrentPrincipal
from intake.entrypoints.http.deps import AccountAdminDep, ClockDep, ServiceDep, SettingsDep
from intake.entrypoints.http.schemas import ProblemOut, ProblemsOut, QueryFlag
from intake.entrypoints.http.sessions import NO_STORE, client_address
from intake.service_layer.account_admin import Actor, ImportPlan, RowProblem, column_letter

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])

CSV_TYPE = "text/csv"
_CSV_TYPES = {CSV_TYPE, "text/plain", "application/octet-stream", "application/vnd.ms-excel"}
Username = Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Za-z._-]+$")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut},
    403: {"model": ProblemsOut, "description": "Not an admin (auth.admin_required)"},
}


async def current_admin(
    principal: CurrentPrincipal, identity: CurrentIdentity, request: Request, settings: SettingsDep
) -> Actor:
    """An admin's token or session (403 auth.admin_required otherwise): who acts, for the audit."""
    if principal.role is not Role.ADMIN:
        raise refused("auth.admin_required", "Authorization")
    session = identity.session
    label = session.account.username if session else principal.label
    remote = client_address(request, settings.trusted_proxies)
    return Actor(label, remote, session.account.id if session else None)


AdminDep = Annotated[Actor, Depends(current_admin)]


@router.get("", response_model=AccountsOut, responses=_REFUSED)
async def list_accounts(_: AdminDep, admin: AccountAdminDep, clock: ClockDep) -> AccountsOut:
    """Every account, by username (never a password or its hash)."""
    now = clock.now()
    return AccountsOut(accounts=[AccountOut.of(a, now) for a in await admin.listed()])


@router.post(
    "",
    status_code=201,
    response_model=AccountCreatedOut,
    responses={**_REFUSED, 409: {"model": ProblemsOut}, 422: {"model": ProblemsOut}},
)
async def create_account(
    body: Annotated[AccountIn, Body()],
    actor: AdminDep,
    admin: AccountAdminDep,
    clock: ClockDep,
    response: Response,
) -> AccountCreatedOut:
    """A new account with a one-time initial password, shown once here; its holder must change it at
    the first sign-in. 422 lists every problem of the fields; 409 account.username_taken."""
    account, password = await admin.create(actor, body.model_dump())
    response.headers.update(NO_STORE)
    return AccountCreatedOut(account=AccountOut.of(account, clock.now()), initial_password=password)


@router.get(
    "/template",
    response_class=Response,
    responses={200: {"content": {CSV_TYPE: {}}, "description": "The CSV to fill in and import."}, **_REFUSED},
)
async def template(_: AdminDep, service: ServiceDep, clock: ClockDep) -> Response:
    """One clerk account per active commune and ward of the catalogue, in the import's columns
    (also `intake accounts template`)."""
    today = clock.now().astimezone(service.tz).date()
    units = sorted((u for u in service.catalogue.units.values() if u.active_on(today)), key=lambda u: u.code)
    return Response(
        write_template(units),
        media_type=f"{CSV_TYPE}; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tai_khoan_can_bo_xa.csv"'},
    )


@router.post(
    "/import",
    response_model=AccountsDryRunOut,
    responses={
        201: {
            "model": AccountsImportedOut,
            "description": "Committed: each account's initial password, once",
        },
        **_REFUSED,
        409: {"model": ProblemsOut, "description": "A username was taken meanwhile: nothing was created"},
        415: {"model": ProblemsOut},
        422: {"model": ProblemsOut, "description": "The file has errors: nothing was created"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "CSV (UTF-8, with or without BOM; comma or semicolon), first line: username, "
            "display_name, role, unit_code, agency_code, email, phone.",
            "content": {CSV_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def import_accounts(
    request: Request,
    actor: AdminDep,
    admin: AccountAdminDep,
    settings: SettingsDep,
    dry_run: Annotated[
        QueryFlag,
        Query(description="true: check only (default); false: create every account. Only true/false."),
    ] = True,
) -> Any:
    """Many accounts from a CSV, all or nothing. With `dry_run=true` (the default): the accounts the
    file would create and every problem at its row and column. With `dry_run=false`: every account in
    one transaction, each with its initial password (shown once), or none while one row is wrong."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in _CSV_TYPES:
        raise refused("accounts_file.unsupported_type", "Content-Type")
    keys, rows = read_accounts(await request.body(), settings.import_max_rows)
    plan = admin.plan_import(keys, rows)
    if not plan.errors:
        plan = await admin.check_taken(keys, plan)
    if dry_run:
        return AccountsDryRunOut(rows=_rows(plan), errors=_errors(plan.errors, keys))
    if plan.errors:
        body = {"errors": [e.model_dump() for e in _errors(plan.errors, keys)], "warnings": []}
        return JSONResponse(body, status_code=422, headers=NO_STORE)
    created = await admin.commit_import(actor, plan)
    out = AccountsImportedOut(
        accounts=[InitialPasswordOut(username=a.username, initial_password=p) for a, p in created]
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers=NO_STORE)


def _rows(plan: ImportPlan) -> list[ImportRowOut]:
    return [
        ImportRowOut(
            row=row,
            username=a.username,
            display_name=a.display_name,
            role=a.role.value,
            unit_code=a.unit_code,
            agency_code=a.agency_code,
            email=a.email,
            phone=a.phone,
        )
        for row, a in plan.rows
    ]


def _errors(errors: list[RowProblem], keys: list[str]) -> list[ProblemOut]:
    out = [
        ProblemOut(
            code=e.problem.code,
            field=e.problem.field,
            message=e.problem.message,
            sheet="CSV",
            row=e.row,
            column=column_letter(keys, e.column) or None,
        )
        for e in errors[:MAX_LISTED]
    ]
    more = truncation(Severity.ERROR, len(errors))
    if more is not None:
        out.append(ProblemOut(code=more.code, field="", message=more.message, sheet="CSV", row=0))
    return out


@router.post(
    "/{username}/reset-password",
    response_model=InitialPasswordOut,
    responses={**_REFUSED, 404: {"model": ProblemsOut}},
)
async def reset_password(
    username: Username, actor: AdminDep, admin: AccountAdminDep, response: Response
) -> InitialPasswordOut:
    """A new one-time initial password (shown once); the person must change it at the next sign-in.
    The account's sessions end and a lock is lifted."""
    password = await admin.reset_password(actor, username)
    response.headers.update(NO_STORE)
    return InitialPasswordOut(username=username.strip().lower(), initial_password=password)


@router.post(
    "/{username}/deactivate",
    status_code=204,
    response_class=Response,
    responses={**_REFUSED, 404: {"model": ProblemsOut}, 422: {"model": ProblemsOut}},
)
async def deactivate(username: Username, actor: AdminDep, admin: AccountAdminDep) -> Response:
    """The account can no longer sign in; its sessions end at once (kpi and the notifier within
    AUTH_CACHE_SECONDS). An admin cannot deactivate their own account."""
    await admin.deactivate(actor, username)
    return Response(status_code=204)

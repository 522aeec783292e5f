"""Admin pages: accounts (CSV create with one-time passwords, reset, deactivate), the contact directory
(list, add, edit, deactivate, CSV import with dry run, export), routing rules and catalogue versions."""

from __future__ import annotations

import base64
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from web.adapters import exports
from web.domain.problems import ApiRefused, Forbidden, Problem
from web.domain.session import Session
from web.entrypoints.http.csv_upload import import_csv
from web.entrypoints.http.deps import ContainerDep, PagesDep, SessionDep
from web.entrypoints.http.security import checked_form

router = APIRouter(prefix="/quan-tri")
Username = Annotated[str, Path(pattern=r"^[a-z0-9._-]{3,40}$")]
ContactId = Annotated[int, Path(ge=1, le=2_147_483_647)]
CONTACT_COLUMNS = ["unit_code", "role", "name", "email", "phone", "webhook_url", "channels", "active"]
CONTACT_ROLES = ("chairman", "clerk", "youth_union_secretary", "department_operator", "leader", "system")


def _admin(session: Session) -> None:
    if not session.viewer.is_admin:
        raise Forbidden(403)


def _directory_reader(session: Session) -> None:
    if not session.viewer.handles_alerts:
        raise Forbidden(403)


# accounts (intake) --------------------------------------------------------------------------------


async def _accounts_page(
    pages: PagesDep, session: Session, container: ContainerDep, status: int = 200, **context: Any
) -> Response:
    listed = await container.intake.accounts(session.token)
    defaults: dict[str, Any] = {"dry_run": None, "created": None, "errors": [], "data": "", "notice": ""}
    return pages(
        "admin_accounts.html",
        session,
        status=status,
        title="Tài khoản",
        accounts=listed["accounts"],
        **(defaults | context),
    )


@router.get("/tai-khoan")
async def accounts(session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    _admin(session)
    return await _accounts_page(pages, session, container)


@router.post("/tai-khoan/nhap")
async def import_accounts(
    request: Request, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    """A CSV of accounts: checked first (dry run, nothing created), then created all or nothing; the
    one-time passwords are shown once, on the answer to the commit."""
    _admin(session)
    done = await import_csv(request, session, partial(container.intake.import_accounts, session.token))
    answer = done.answer
    if answer is None or done.data is None:
        return await _accounts_page(pages, session, container, done.status, errors=done.errors)
    if done.commit:
        return await _accounts_page(pages, session, container, 201, created=answer["accounts"])
    errors = [Problem.from_json(e) for e in answer.get("errors", [])]
    encoded = base64.b64encode(done.data).decode() if not errors else ""
    return await _accounts_page(
        pages,
        session,
        container,
        200 if not errors else 422,
        dry_run=answer["rows"],
        errors=errors,
        data=encoded,
    )


@router.post("/tai-khoan/{username}/cap-lai-mat-khau")
async def reset_password(
    request: Request, username: Username, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    _admin(session)
    await checked_form(request, session)
    answer = await container.intake.reset_password(session.token, username)
    created = [{"username": username, "initial_password": answer["initial_password"]}]
    return await _accounts_page(pages, session, container, created=created)


@router.post("/tai-khoan/{username}/khoa")
async def deactivate_account(
    request: Request, username: Username, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    _admin(session)
    await checked_form(request, session)
    await container.intake.deactivate_account(session.token, username)
    return await _accounts_page(pages, session, container, notice=f"Đã khóa tài khoản {username}.")


# the contact directory (notifier) ----------------------------------------------------------------


async def _directory_page(
    pages: PagesDep, session: Session, container: ContainerDep, status: int = 200, **context: Any
) -> Response:
    contacts = await container.notifier.contacts(session.token)
    defaults: dict[str, Any] = {
        "errors": [],
        "dry_run": None,
        "data": "",
        "notice": "",
        "editing": None,
        "typed": {},
    }
    return pages(
        "admin_directory.html",
        session,
        status=status,
        title="Danh bạ",
        contacts=contacts,
        roles=CONTACT_ROLES,
        **(defaults | context),
    )


@router.get("/danh-ba")
async def directory(
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
    edit: Annotated[int | None, Query(alias="sua", ge=1, le=2_147_483_647)] = None,
) -> Response:
    _directory_reader(session)
    return await _directory_page(pages, session, container, editing=edit)


def _contact_body(fields: dict[str, str], partial: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key in ("unit_code", "role", "name", "email", "phone", "webhook_url", "channels"):
        value = fields.get(key, "").strip()
        if value or not partial:
            body[key] = value or (None if key in ("email", "phone", "webhook_url") else "")
    return body


@router.post("/danh-ba")
async def add_contact(
    request: Request, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    _directory_reader(session)
    form = await checked_form(request, session)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        await container.notifier.create_contact(session.token, _contact_body(fields, partial=False))
    except ApiRefused as refused:
        if refused.status in (401, 403):
            raise
        return await _directory_page(
            pages, session, container, refused.status, errors=refused.errors, typed=fields
        )
    return RedirectResponse("/quan-tri/danh-ba", status_code=303)


@router.post("/danh-ba/{contact_id}")
async def edit_contact(
    request: Request, contact_id: ContactId, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    _directory_reader(session)
    form = await checked_form(request, session)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if fields.get("action") == "deactivate":
            await container.notifier.deactivate_contact(session.token, contact_id)
        else:
            await container.notifier.update_contact(
                session.token, contact_id, _contact_body(fields, partial=True)
            )
    except ApiRefused as refused:
        if refused.status in (401, 403):
            raise
        return await _directory_page(
            pages, session, container, refused.status, errors=refused.errors, editing=contact_id, typed=fields
        )
    return RedirectResponse("/quan-tri/danh-ba", status_code=303)


@router.post("/danh-ba-nhap")
async def import_contacts(
    request: Request, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    _directory_reader(session)
    done = await import_csv(request, session, partial(container.notifier.import_contacts, session.token))
    answer = done.answer
    if answer is None or done.data is None:
        return await _directory_page(pages, session, container, done.status, errors=done.errors)
    if done.commit:
        return await _directory_page(
            pages, session, container, notice=f"Đã thay danh bạ bằng {answer['rows']} liên hệ."
        )
    encoded = base64.b64encode(done.data).decode()
    return await _directory_page(pages, session, container, dry_run=answer, data=encoded)


@router.get("/danh-ba.{ext}")
async def export_contacts(
    ext: Literal["csv", "xlsx"], session: SessionDep, container: ContainerDep
) -> Response:
    _directory_reader(session)
    contacts = await container.notifier.contacts(session.token)
    rows: list[list[Any]] = [CONTACT_COLUMNS] + [
        [c.get(k) if k != "active" else ("true" if c["active"] else "false") for k in CONTACT_COLUMNS]
        for c in contacts
    ]
    if ext == "xlsx":
        body, media = exports.xlsx("danh-ba", rows), exports.XLSX
    else:
        body, media = exports.csv_bytes(rows), "text/csv; charset=utf-8"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="danh-ba.{ext}"'}
    )


@router.get("/quy-tac")
async def routing_rules(session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    _admin(session)
    rules = await container.notifier.routing_rules(session.token)
    return pages("admin_rules.html", session, title="Quy tắc gửi", rules=rules["rules"])


@router.get("/danh-muc")
async def catalogue_versions(session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    _admin(session)
    versions = await container.intake.catalogue_versions(session.token)
    return pages(
        "admin_catalogue.html",
        session,
        title="Danh mục",
        versions=versions["items"],
        catalogue=container.catalogue,
    )

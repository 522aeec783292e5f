"""The catalogue: read by anyone with a token; changed by admins, one data file at a time, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from bdhvs_shared.catalogue import DATA_FILES
from intake.adapters import catalogue_store
from intake.domain.principal import Principal, Role
from intake.domain.unit_history import HistoryError, NewUnit, merge, split
from intake.entrypoints.http.auth import CurrentPrincipal
from intake.entrypoints.http.catalogue_schemas import (
    CatalogueFilesOut,
    CatalogueOut,
    FileIn,
    MergeIn,
    NewUnitIn,
    SplitIn,
    VersionOut,
    VersionPageOut,
    describe,
)
from intake.entrypoints.http.deps import CatalogueAdminDep, ServiceDep, SessionsDep
from intake.entrypoints.http.errors import ApiError
from intake.entrypoints.http.reports import ERRORS, TOO_LARGE
from intake.entrypoints.http.schemas import ProblemsOut
from intake.service_layer.catalogue_admin import CatalogueAdmin, CatalogueRejected

router = APIRouter(prefix="/api/v1", tags=["catalogue"])
FileName = Annotated[str, Path(max_length=40, description=f"One of {', '.join(DATA_FILES)}")]


@router.get("/catalogue", response_model=CatalogueOut, responses=ERRORS)
async def catalogue(principal: CurrentPrincipal, service: ServiceDep) -> CatalogueOut:
    """The catalogue in force: its version, indicators with targets, forms and agencies."""
    return describe(service.catalogue)


@router.get("/catalogue/files", response_model=CatalogueFilesOut, responses=ERRORS)
async def catalogue_files(principal: CurrentPrincipal, admin: CatalogueAdminDep) -> CatalogueFilesOut:
    """The data files of the catalogue in force (read-only): the web lays out its forms from them, so a
    newly published form reaches it without a release."""
    return CatalogueFilesOut(files=await admin.files())


def _admin_only(role: Role) -> None:
    if role is not Role.ADMIN:
        raise ApiError(403, "auth.admin_only", "", "Chỉ quản trị viên được xem và thay đổi danh mục.")


@router.get("/admin/catalogue/versions", response_model=VersionPageOut, responses=ERRORS)
async def versions(
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> VersionPageOut:
    """Every published version, newest first: who changed which files, when and why (the audit log)."""
    _admin_only(principal.role)
    async with sessions() as session:
        total, rows = await catalogue_store.history(session, limit, offset)
    return VersionPageOut(items=[VersionOut(**r) for r in rows], total=total)


@router.get("/admin/catalogue/files/{name}", responses={**ERRORS, 404: {"model": ProblemsOut}})
async def read_file(
    name: FileName, principal: CurrentPrincipal, service: ServiceDep, admin: CatalogueAdminDep
) -> dict[str, str]:
    """One data file of the catalogue in force, as text (edit it and PUT it back)."""
    _admin_only(principal.role)
    files = await admin.files()
    if name not in files:
        raise ApiError(404, "catalogue.file_unknown", "name", f"Danh mục không có tệp “{name[:40]}”.")
    return {"name": name, "version": service.catalogue.version, "content": files[name]}


@router.put("/admin/catalogue/files/{name}", response_model=CatalogueOut, responses=ERRORS | TOO_LARGE)
async def replace_file(
    name: FileName, body: Annotated[FileIn, Body()], principal: CurrentPrincipal, admin: CatalogueAdminDep
) -> CatalogueOut:
    """Replace one data file: the whole catalogue is checked, then published as a new version."""
    return await _publish(admin, principal, name, lambda _: body.content, body.summary, "content")


async def _publish(
    admin: CatalogueAdmin,
    principal: Principal,
    name: str,
    change: Callable[[str], str],
    summary: str,
    field: str = "",
) -> CatalogueOut:
    """Rewrite one data file with `change` and publish the new version (the use case wakes the
    outbox relay); 422 when it does not fit."""
    _admin_only(principal.role)
    try:
        catalogue = await admin.change_file(principal, name, change, summary)
    except HistoryError as exc:
        raise ApiError(422, "unit.history_invalid", field, str(exc)) from None
    except CatalogueRejected as exc:
        raise ApiError(
            422, exc.code, field, f"Danh mục mới không hợp lệ nên chưa được áp dụng: {exc.detail}"
        ) from None
    return describe(catalogue)


def _new(unit: NewUnitIn) -> NewUnit:
    return NewUnit(unit.code, unit.name, unit.kind, unit.population, unit.area_km2)


@router.post("/admin/units/merge", response_model=CatalogueOut, responses=ERRORS | TOO_LARGE)
async def merge_units(body: MergeIn, principal: CurrentPrincipal, admin: CatalogueAdminDep) -> CatalogueOut:
    """Merge units in one operation: they end the day before `effective`; the result starts that day."""
    if (body.into_code is None) == (body.new_unit is None):
        raise ApiError(
            422,
            "unit.history_invalid",
            "into_code",
            "Vui lòng chọn một trong hai: đơn vị nhận sáp nhập (into_code) hoặc đơn vị mới (new_unit).",
        )
    into: NewUnit | str
    if body.into_code is not None:
        into = body.into_code
    else:
        assert body.new_unit is not None  # exactly one of the two, checked above
        into = _new(body.new_unit)
    return await _publish(
        admin,
        principal,
        "units.csv",
        lambda text: merge(text, body.sources, into, body.effective),
        body.summary,
    )


@router.post("/admin/units/split", response_model=CatalogueOut, responses=ERRORS | TOO_LARGE)
async def split_unit(body: SplitIn, principal: CurrentPrincipal, admin: CatalogueAdminDep) -> CatalogueOut:
    """Split a unit in one operation: it ends the day before `effective`; the new units start that day."""
    into = [_new(u) for u in body.into]
    return await _publish(
        admin,
        principal,
        "units.csv",
        lambda text: split(text, body.source, into, body.effective),
        body.summary,
    )

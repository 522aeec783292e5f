"""Bearer tokens → Principal; 401 in Vietnamese when absent or unknown."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from intake.adapters.tokens import principal_for
from intake.domain.principal import Principal
from intake.entrypoints.http.deps import ClockDep, SessionsDep
from intake.entrypoints.http.errors import ApiError
from intake.entrypoints.http.schemas import ProblemsOut

_bearer = HTTPBearer(auto_error=False, description="Token created with `intake token create`.")


async def current_principal(
    sessions: SessionsDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise ApiError(
            401, "auth.missing", "Authorization", "Thiếu mã truy cập (Authorization: Bearer <mã>)."
        )
    async with sessions() as session:
        principal = await principal_for(session, credentials.credentials, clock.now())
    if principal is None:
        raise ApiError(
            401, "auth.invalid", "Authorization", "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class WhoAmI(BaseModel):
    token_id: str
    role: str = Field(description="commune, agency, operator or admin")
    unit_code: str | None = Field(description="The commune of a commune token")
    agency_code: str | None = Field(description="The provincial body of an agency token")
    label: str


router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.get(
    "/whoami",
    response_model=WhoAmI,
    responses={
        401: {"model": ProblemsOut, "description": "No token, or an unknown, expired or revoked one."}
    },
)
async def whoami(principal: CurrentPrincipal) -> WhoAmI:
    """The holder of the bearer token. kpi and notifier ask this to authorise their readers."""
    return WhoAmI(
        token_id=str(principal.token_id),
        role=principal.role.value,
        unit_code=principal.unit_code,
        agency_code=principal.agency_code,
        label=principal.label,
    )

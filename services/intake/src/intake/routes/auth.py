"""Bearer tokens → Principal; 401 in Vietnamese when absent or unknown."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from intake.adapters.tokens import principal_for
from intake.domain.principal import Principal
from intake.routes.errors import ApiError

_bearer = HTTPBearer(auto_error=False, description="Token created with `intake token create`.")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise ApiError(
            401, "auth.missing", "Authorization", "Thiếu mã truy cập (Authorization: Bearer <mã>)."
        )
    async with request.app.state.container.sessions() as session:
        principal = await principal_for(session, credentials.credentials)
    if principal is None:
        raise ApiError(401, "auth.invalid", "Authorization", "Mã truy cập không hợp lệ hoặc đã bị thu hồi.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

"""FastAPI dependencies that put a Caller on a request; refusals in the shared error shape."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bdhvs_shared.auth.caller import Caller, Role
from bdhvs_shared.auth.introspection import AuthUnavailable, TokenIntrospector
from bdhvs_shared.http import UNAVAILABLE_RETRY_AFTER_SECONDS

_bearer = HTTPBearer(auto_error=False, description="A token created with `intake token create`.")


class AuthError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


def install_auth_errors(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def on_auth_error(_: Request, exc: AuthError) -> JSONResponse:
        body = {"errors": [{"code": exc.code, "field": "Authorization", "message": exc.message}]}
        # 503: intake cannot be asked right now (and no recent answer about the token is kept).
        headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)} if exc.status == 503 else None
        return JSONResponse(body, status_code=exc.status, headers=headers)


def _introspector(request: Request) -> TokenIntrospector:
    introspector: TokenIntrospector = request.app.state.container.introspector
    return introspector


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or not credentials.credentials:
        raise AuthError(401, "auth.missing", "Thiếu mã truy cập (Authorization: Bearer <mã>).")
    try:
        caller = await _introspector(request).caller(credentials.credentials)
    except AuthUnavailable as exc:
        raise AuthError(
            503, "auth.unavailable", "Chưa kiểm tra được mã truy cập, vui lòng thử lại sau ít phút."
        ) from exc
    if caller is None:
        raise AuthError(401, "auth.invalid", "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
    if caller.must_change_password:  # as intake answers it (its domain/account_problems.py)
        raise AuthError(
            403,
            "auth.password_change_required",
            "Vui lòng đổi mật khẩu được cấp ban đầu trước khi sử dụng hệ thống.",
        )
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require_roles(*roles: Role) -> Callable[[Caller], Coroutine[Any, Any, Caller]]:
    """A dependency admitting only these roles (403 in Vietnamese otherwise)."""

    async def check(caller: CurrentCaller) -> Caller:
        if caller.role not in roles:
            raise AuthError(
                403, "auth.forbidden", "Tài khoản này không có quyền xem hoặc thực hiện thao tác này."
            )
        return caller

    return check


def refuse_unit(caller: Caller, unit_code: str, province: str) -> None:
    """403 unless the caller may read this unit's figures (`province`: the catalogue's province code)."""
    if not caller.may_read_unit(unit_code, province):
        raise AuthError(
            403, "auth.forbidden_unit", f"Tài khoản này không được xem số liệu của đơn vị {unit_code}."
        )


# Operators, admins and provincial bodies: the province-wide views (table, ranking, completeness…).
province_reader = require_roles(Role.OPERATOR, Role.ADMIN, Role.AGENCY)
# The province's operators and admins: delivery logs, the deadline ledger, the directory.
operator_or_admin = require_roles(Role.OPERATOR, Role.ADMIN)

"""One answer per failure: signed out → the sign-in page; forbidden → the 403 page (nothing else shown);
a service down → 503 page; an unknown page → 404; a form not from our page → 403."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.domain.problems import ApiUnavailable, Forbidden, PasswordChangeRequired, SignedOut
from web.entrypoints.http.deps import MustChangePassword, NotSignedIn, Pages, sign_in_path
from web.entrypoints.http.security import CsrfRejected, clear_session, session_of
from web.service_layer.clerk import NotFound

log = structlog.get_logger("bdhvs.web")


def _page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    session = session_of(request)
    return Pages(request)("error.html", session, status=status, title=title, message=message)


async def not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    return RedirectResponse(sign_in_path(exc.next_path), status_code=303)


async def signed_out(request: Request, exc: Exception) -> Response:
    response = RedirectResponse(sign_in_path(request.url.path, "het-phien"), status_code=303)
    clear_session(response)
    return response


async def must_change(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/doi-mat-khau", status_code=303)


async def forbidden(request: Request, exc: Exception) -> Response:
    return _page(request, 403, "Không có quyền truy cập", "Tài khoản của đồng chí không được xem trang này.")


async def csrf(request: Request, exc: Exception) -> Response:
    return _page(
        request,
        403,
        "Biểu mẫu đã cũ",
        "Biểu mẫu này đã hết hiệu lực hoặc không được gửi từ trang của hệ thống. "
        "Vui lòng mở lại trang và gửi lại.",
    )


async def not_found(request: Request, exc: Exception) -> Response:
    return _page(request, 404, "Không tìm thấy", str(exc))


async def unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiUnavailable)
    log.warning("api unavailable", service=exc.service, error=str(exc)[:300])
    response = _page(
        request,
        503,
        "Hệ thống tạm thời gián đoạn",
        "Chưa lấy được số liệu từ máy chủ. Vui lòng thử lại sau ít phút.",
    )
    response.headers["Retry-After"] = "5"
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return _page(request, 404, "Không tìm thấy", "Không có trang này.")
    if exc.status_code == 405:
        return _page(request, 405, "Không thực hiện được", "Trang này không nhận yêu cầu theo cách đó.")
    return _page(request, exc.status_code, "Lỗi", "Yêu cầu không thực hiện được.")


HANDLERS = (
    (NotSignedIn, not_signed_in),
    (SignedOut, signed_out),
    (MustChangePassword, must_change),
    (PasswordChangeRequired, must_change),
    (Forbidden, forbidden),
    (CsrfRejected, csrf),
    (NotFound, not_found),
    (ApiUnavailable, unavailable),
    (StarletteHTTPException, http_error),
)


def install(app: FastAPI) -> None:
    for exception, handler in HANDLERS:
        app.add_exception_handler(exception, handler)

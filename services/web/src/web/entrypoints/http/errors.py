"""One answer per failure: signed out → the sign-in page; forbidden → the 403 page (nothing else shown);
a service down → 503 page; any other refusal of an API → 404/429/422 page; an unknown page or a
malformed address → 404; a query parameter out of its values → 422 page; a form not from our page →
403; a form too large → 413, unreadable → 400. Every error is a page (docs/web.md "Answers"), never
FastAPI's JSON."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.domain.problems import ApiRefused, ApiUnavailable, Forbidden, PasswordChangeRequired, SignedOut
from web.entrypoints.http.deps import MustChangePassword, NotSignedIn, Pages, sign_in_path
from web.entrypoints.http.security import CsrfRejected, FormUnreadable, clear_session, session_of
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


async def invalid_request(request: Request, exc: Exception) -> Response:
    """A malformed address is no page of ours (404); a query parameter outside its values, 422."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("loc", ("",))[0] == "path" for error in errors):
        return _page(request, 404, "Không tìm thấy", "Không có trang này.")
    names = sorted(
        {str(e["loc"][1]) for e in errors if e.get("loc", ("",))[0] == "query" and len(e["loc"]) > 1}
    )
    which = f": {', '.join(names)}" if names else ""
    return _page(request, 422, "Địa chỉ không hợp lệ", f"Địa chỉ trang có tham số không hợp lệ{which}.")


async def unreadable_form(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FormUnreadable)
    if exc.too_large:
        return _page(request, 413, "Biểu mẫu quá lớn", "Nội dung gửi lên vượt quá giới hạn cho phép.")
    return _page(request, 400, "Biểu mẫu không đọc được", "Nội dung gửi lên không phải một biểu mẫu hợp lệ.")


async def not_found(request: Request, exc: Exception) -> Response:
    return _page(request, 404, "Không tìm thấy", str(exc))


async def refused(request: Request, exc: Exception) -> Response:
    """An API's refusal no page handles itself (e.g. kpi refusing a quarter for a monthly form, found
    by the web fuzz as a 500): no such thing → 404, too many → 429, else 422 with the API's messages."""
    assert isinstance(exc, ApiRefused)
    if exc.status == 404:
        return _page(request, 404, "Không tìm thấy", "Không có dữ liệu này.")
    if exc.status == 429:
        return _page(request, 429, "Quá nhiều yêu cầu", "Vui lòng thử lại sau ít phút.")
    message = " ".join(p.message for p in exc.errors)
    return _page(request, 422, "Yêu cầu không hợp lệ", message)


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
    (FormUnreadable, unreadable_form),
    (RequestValidationError, invalid_request),
    (NotFound, not_found),
    (ApiRefused, refused),  # its subclasses (SignedOut, Forbidden…) keep their own: starlette picks by MRO
    (ApiUnavailable, unavailable),
    (StarletteHTTPException, http_error),
)


def install(app: FastAPI) -> None:
    for exception, handler in HANDLERS:
        app.add_exception_handler(exception, handler)

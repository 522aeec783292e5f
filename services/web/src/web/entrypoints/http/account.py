"""Sign in, sign out, change the password; `/` sends each person to their own start page."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.domain.problems import ApiRefused, Problem, SignedOut, by_field
from web.entrypoints.http.deps import AnySessionDep, IntakeDep, PagesDep, sign_in_path
from web.entrypoints.http.security import checked_form, clear_session, session_of, set_session
from web.service_layer import signing_in

router = APIRouter()

REASONS = {
    "het-phien": "Phiên làm việc đã hết hạn hoặc đã bị thu hồi. Vui lòng đăng nhập lại.",
    "da-dang-xuat": "Đồng chí đã đăng xuất.",
}


def _local(path: str | None) -> str | None:
    """Only a path of this site (no //host, no scheme): a sign-in never sends anyone elsewhere."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


@router.get("/")
async def home(request: Request) -> Response:
    session = session_of(request)
    return RedirectResponse(session.viewer.home if session else "/dang-nhap", status_code=303)


@router.get("/dang-nhap")
async def sign_in_page(request: Request, pages: PagesDep) -> Response:
    session = session_of(request)
    if session is not None and not session.viewer.must_change_password:
        return RedirectResponse(session.viewer.home, status_code=303)
    notice = REASONS.get(request.query_params.get("ly-do", ""), "")
    next_path = _local(request.query_params.get("next")) or ""
    return pages(
        "sign_in.html", None, title="Đăng nhập", notice=notice, next_path=next_path, username="", errors=[]
    )


@router.post("/dang-nhap")
async def sign_in(request: Request, pages: PagesDep, intake: IntakeDep) -> Response:
    form = await checked_form(request, None)
    username = str(form.get("username") or "")[:100]
    next_path = _local(str(form.get("next") or "")) or ""
    try:
        session = await signing_in.sign_in(intake, username, str(form.get("password") or ""))
    except ApiRefused as refused:
        return pages(
            "sign_in.html",
            None,
            status=refused.status,
            title="Đăng nhập",
            notice="",
            next_path=next_path,
            username=username,
            errors=refused.errors,
        )
    target = "/doi-mat-khau" if session.viewer.must_change_password else (next_path or session.viewer.home)
    response = RedirectResponse(target, status_code=303)
    set_session(response, request, session)
    return response


@router.post("/dang-xuat")
async def sign_out(request: Request, session: AnySessionDep, intake: IntakeDep) -> Response:
    await checked_form(request, session)
    with contextlib.suppress(SignedOut):  # expired or revoked already: signed out all the same
        await signing_in.sign_out(intake, session)
    response = RedirectResponse(sign_in_path("", "da-dang-xuat"), status_code=303)
    clear_session(response)
    return response


@router.get("/doi-mat-khau")
async def password_page(session: AnySessionDep, pages: PagesDep) -> Response:
    return pages("change_password.html", session, title="Đổi mật khẩu", errors={}, done=False)


@router.post("/doi-mat-khau")
async def change_password(
    request: Request, session: AnySessionDep, pages: PagesDep, intake: IntakeDep
) -> Response:
    form = await checked_form(request, session)
    current, new = str(form.get("current_password") or ""), str(form.get("new_password") or "")
    if new != str(form.get("new_password_again") or ""):
        problem = Problem(
            "password.mismatch", "new_password_again", "Hai lần nhập mật khẩu mới không giống nhau."
        )
        return pages(
            "change_password.html",
            session,
            status=422,
            title="Đổi mật khẩu",
            errors=by_field([problem]),
            done=False,
        )
    try:
        changed = await signing_in.change_password(intake, session, current, new)
    except ApiRefused as refused:
        if isinstance(refused, SignedOut) and any(p.field == "Authorization" for p in refused.errors):
            raise  # the session itself is gone (a wrong current password is a field problem)
        return pages(
            "change_password.html",
            session,
            status=refused.status,
            title="Đổi mật khẩu",
            errors=by_field(refused.errors),
            done=False,
        )
    response = pages("change_password.html", changed, title="Đổi mật khẩu", errors={}, done=True)
    set_session(response, request, changed)
    return response

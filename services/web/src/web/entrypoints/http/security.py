"""Headers on every answer (CSP without inline scripts or styles, no framing, no referrer), the session
and visitor cookies, the CSRF check of every POST, and the page-time metric."""

from __future__ import annotations

import secrets
import time
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from web.domain.session import Session, csrf_ok, csrf_token, seal, unseal
from web.entrypoints.http.metrics import WebMetrics

SESSION_COOKIE = "bdhvs_session"
VISITOR_COOKIE = "bdhvs_visitor"  # binds the CSRF token of forms shown before sign-in
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MAX_FORM_BYTES = 3_000_000  # an uploaded template (intake refuses larger ones with its own message)


class CsrfRejected(Exception):
    """A POST without this person's CSRF token: another site's form, or a page kept too long."""


class FormUnreadable(Exception):
    """A POSTed body that is no form (a broken multipart body), or a field above MAX_FORM_BYTES."""

    def __init__(self, too_large: bool) -> None:
        self.too_large = too_large


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: Any, metrics: WebMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "other")
        if not request.url.path.startswith(("/static/", "/health/", "/metrics")):
            self.metrics.page_seconds.labels(template, request.method, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        return response


def install(app: FastAPI, metrics: WebMetrics) -> None:
    app.add_middleware(SecurityHeaders, metrics=metrics)


def secret_of(request: Request) -> bytes:
    secret: bytes = request.app.state.container.secret
    return secret


def session_of(request: Request) -> Session | None:
    return unseal(secret_of(request), request.cookies.get(SESSION_COOKIE))


def _secure(request: Request) -> bool:
    return bool(request.app.state.container.settings.secure_cookies)


def set_session(response: Response, request: Request, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        seal(secret_of(request), session),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def binding(request: Request, session: Session | None) -> str:
    """What a form's CSRF token is bound to: the session token, or before sign-in the visitor cookie."""
    if session is not None:
        return session.token
    visitor = request.cookies.get(VISITOR_COOKIE)
    return f"visitor:{visitor}" if visitor else ""


def visitor_token(request: Request) -> tuple[str, str | None]:
    """The CSRF token of a form shown before sign-in, and the visitor cookie to set (None: it is set)."""
    visitor = request.cookies.get(VISITOR_COOKIE)
    new = None if visitor else secrets.token_urlsafe(24)
    return csrf_token(secret_of(request), f"visitor:{visitor or new}"), new


def set_visitor(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        VISITOR_COOKIE, value, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )


def form_token(request: Request, session: Session) -> str:
    return csrf_token(secret_of(request), binding(request, session))


async def checked_form(request: Request, session: Session | None) -> FormData:
    """The POSTed form, once its CSRF token proved it came from our own page."""
    try:
        form = await request.form(max_part_size=MAX_FORM_BYTES)
    except StarletteHTTPException as exc:  # starlette's 400 for a part too large or a broken body
        raise FormUnreadable(too_large="maximum size" in str(exc.detail)) from None
    given = form.get("csrf")
    if not csrf_ok(secret_of(request), binding(request, session), given if isinstance(given, str) else None):
        raise CsrfRejected()
    return form

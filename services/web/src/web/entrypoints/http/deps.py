"""What the routes take, typed: the container's parts, the signed-in session, and `Page` to render."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from bdhvs_shared.http import from_container
from web.domain.session import Session
from web.entrypoints.http.security import form_token, session_of, set_visitor, visitor_token


class NotSignedIn(Exception):
    """No valid session cookie: the person is sent to the sign-in page (and back afterwards)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class MustChangePassword(Exception):
    """A first sign-in or a reset: only the password page until it is changed."""


async def current_session(request: Request) -> Session:
    """The signed-in person's session; the catalogue in force is refreshed with it (cached briefly)."""
    session = session_of(request)
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(path)
    if session.viewer.must_change_password:
        raise MustChangePassword()
    await request.app.state.container.refresh_catalogue(session.token)
    return session


def any_session(request: Request) -> Session:
    """Signed in, even while the password must still be changed (the password page, sign-out)."""
    session = session_of(request)
    if session is None:
        raise NotSignedIn(request.url.path)
    return session


SessionDep = Annotated[Session, Depends(current_session)]
AnySessionDep = Annotated[Session, Depends(any_session)]


def _container(request: Request) -> Any:
    return request.app.state.container


ContainerDep = Annotated[Any, Depends(_container)]
IntakeDep = Annotated[Any, Depends(from_container("intake"))]
KpiDep = Annotated[Any, Depends(from_container("kpi"))]
NotifierDep = Annotated[Any, Depends(from_container("notifier"))]


class Pages:
    """Renders a template with what every page needs: who is signed in, the form's CSRF token, and the
    catalogue in force (the `indicator` filter names indicators from it)."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.container = request.app.state.container

    def __call__(
        self, name: str, session: Session | None, status: int = 200, title: str = "", **context: Any
    ) -> HTMLResponse:
        new_visitor = None
        if session is not None:
            csrf = form_token(self.request, session)
        else:
            csrf, new_visitor = visitor_token(self.request)
        context.setdefault("catalogue", self.container.catalogue)
        html = self.container.renderer.render(
            name,
            request=self.request,
            viewer=session.viewer if session else None,
            csrf=csrf,
            title=title,
            path=self.request.url.path,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if new_visitor:
            set_visitor(response, self.request, new_visitor)
        return response


PagesDep = Annotated[Pages, Depends(Pages)]


def sign_in_path(next_path: str, reason: str = "") -> str:
    query = f"?next={quote(next_path, safe='')}" if next_path and next_path != "/" else ""
    if reason:
        query += ("&" if query else "?") + f"ly-do={reason}"
    return f"/dang-nhap{query}"

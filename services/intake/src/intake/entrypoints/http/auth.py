"""Bearer tokens (API tokens and signed-in sessions) → Principal; 401 in Vietnamese when absent or
unknown, 403 while a session must first change its initial password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from intake.adapters.tokens import digest, principal_for
from intake.domain.account_problems import refused
from intake.domain.accounts import is_session_token
from intake.domain.principal import Principal
from intake.entrypoints.http.deps import AccountSessionsDep, ClockDep, PrincipalCacheDep, SessionsDep
from intake.entrypoints.http.errors import ApiError
from intake.entrypoints.http.schemas import ProblemsOut
from intake.service_layer.account_sessions import SessionIdentity
from intake.service_layer.principals import PrincipalCache

_bearer = HTTPBearer(
    auto_error=False,
    description="Token created with `intake token create`, or a session's (POST /api/v1/sessions).",
)


@dataclass(frozen=True)
class Identity:
    """Who holds the bearer token: an API token's principal, or a person's session."""

    principal: Principal
    session: SessionIdentity | None = None


async def current_identity(
    sessions: SessionsDep,
    clock: ClockDep,
    accounts: AccountSessionsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Identity:
    """Any live token or session, a session that must change its password too (whoami, sign-out,
    password change take this; every other route takes `CurrentPrincipal`). Never cached."""
    return await _identity(sessions, clock, accounts, credentials, None)


async def _identity(
    sessions: SessionsDep,
    clock: ClockDep,
    accounts: AccountSessionsDep,
    credentials: HTTPAuthorizationCredentials | None,
    cache: PrincipalCache | None,
) -> Identity:
    if credentials is None or not credentials.credentials:
        raise ApiError(
            401, "auth.missing", "Authorization", "Thiếu mã truy cập (Authorization: Bearer <mã>)."
        )
    token = credentials.credentials
    found = None
    if is_session_token(token):
        found = await accounts.identify(token)  # slides the idle limit; an expired session: 401
        principal = None if found is None else found.principal
    else:

        async def lookup() -> Principal | None:
            async with sessions() as session:
                return await principal_for(session, token, clock.now())

        principal = await (lookup() if cache is None else cache.principal(digest(token), lookup))
    if principal is None:
        raise ApiError(
            401, "auth.invalid", "Authorization", "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."
        )
    return Identity(principal, found)


CurrentIdentity = Annotated[Identity, Depends(current_identity)]


async def cached_identity(
    sessions: SessionsDep,
    clock: ClockDep,
    accounts: AccountSessionsDep,
    cache: PrincipalCacheDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Identity:
    """As `current_identity`, an API token's holder remembered for TOKEN_CACHE_SECONDS."""
    return await _identity(sessions, clock, accounts, credentials, cache)


async def current_principal(identity: Annotated[Identity, Depends(cached_identity)]) -> Principal:
    if identity.session is not None and identity.session.account.must_change_password:
        raise refused("auth.password_change_required", "Authorization")
    return identity.principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class WhoAmI(BaseModel):
    token_id: str = Field(description="The API token's id, or the session's")
    role: str = Field(description="commune, agency, operator or admin")
    unit_code: str | None = Field(description="The commune of a commune token")
    agency_code: str | None = Field(description="The provincial body of an agency token")
    label: str
    kind: str = Field(default="token", description="token (an API token) or session (a person signed in)")
    name: str | None = Field(default=None, description="An API token's name, given when it was made")
    username: str | None = Field(default=None, description="A session's account")
    display_name: str | None = Field(default=None, description="A session's account: the person's name")
    must_change_password: bool = Field(
        default=False,
        description="A session that must change its initial password first: until then intake, kpi and "
        "the notifier refuse it (403 auth.password_change_required) except whoami, sign-out and the "
        "password change",
    )
    expires_at: datetime | None = Field(default=None, description="A session's absolute end")
    idle_expires_at: datetime | None = Field(
        default=None, description="A session's end unless used before (each use moves it on)"
    )


router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.get(
    "/whoami",
    response_model=WhoAmI,
    responses={
        401: {"model": ProblemsOut, "description": "No token, or an unknown, expired or revoked one."}
    },
)
async def whoami(identity: CurrentIdentity) -> WhoAmI:
    """The holder of the bearer token (an API token or a signed-in session). kpi and notifier ask
    this to authorise their readers; each call with a session moves its idle limit on."""
    principal, session = identity.principal, identity.session
    who = WhoAmI(
        token_id=str(principal.token_id),
        role=principal.role.value,
        unit_code=principal.unit_code,
        agency_code=principal.agency_code,
        label=principal.label,
        name=principal.name,
    )
    if session is None:
        return who
    return who.model_copy(
        update={
            "kind": "session",
            "username": session.account.username,
            "display_name": session.account.display_name,
            "must_change_password": session.account.must_change_password,
            "expires_at": session.times.expires_at,
            "idle_expires_at": session.times.idle_expires_at,
        }
    )

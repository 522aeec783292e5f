"""Signing in and out, and a person's own password (docs/accounts.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from intake.domain.account_problems import refused
from intake.entrypoints.http.account_schemas import AccountBrief, PasswordChangeIn, SessionOut, SignInIn
from intake.entrypoints.http.auth import CurrentIdentity
from intake.entrypoints.http.deps import AccountSessionsDep, SettingsDep
from intake.entrypoints.http.schemas import ProblemsOut
from intake.service_layer.account_sessions import SessionIdentity

router = APIRouter(prefix="/api/v1", tags=["accounts"])

NO_STORE = {"Cache-Control": "no-store"}


def client_address(request: Request, trusted_proxies: str) -> str | None:
    """The person's address for the audit: the peer's, or the last X-Forwarded-For hop when the peer is
    a trusted proxy (the web service signs people in on their behalf)."""
    peer = request.client.host if request.client else None
    trusted = {a.strip() for a in trusted_proxies.split(",") if a.strip()}
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in trusted and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


def _session_of(identity: CurrentIdentity) -> SessionIdentity:
    if identity.session is None:
        raise refused("auth.session_required", "Authorization")
    return identity.session


def _refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ProblemsOut} for status in statuses}


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionOut,
    responses={
        401: {
            "model": ProblemsOut,
            "description": "auth.invalid_credentials (unknown user or wrong password)",
        },
        403: {"model": ProblemsOut, "description": "auth.account_inactive"},
        423: {
            "model": ProblemsOut,
            "description": "auth.account_locked: too many wrong passwords; the message says until when",
            "headers": {
                "Retry-After": {"description": "Seconds until the lock ends", "schema": {"type": "integer"}}
            },
        },
        **_refusals(422),
    },
)
async def sign_in(
    body: Annotated[SignInIn, Body()],
    request: Request,
    response: Response,
    accounts: AccountSessionsDep,
    settings: SettingsDep,
) -> SessionOut:
    """Sign in with a username and password: a session token, used like an API token.

    LOGIN_MAX_FAILURES wrong passwords in a row lock the account for LOGIN_LOCK_MINUTES (423, even
    with the right password). Every attempt is audited (intake.auth_audit).
    """
    remote = client_address(request, settings.trusted_proxies)
    signed = await accounts.sign_in(body.username, body.password, remote)
    response.headers.update(NO_STORE)
    account = signed.account
    return SessionOut(
        token=signed.token,
        expires_at=signed.times.expires_at,
        idle_expires_at=signed.times.idle_expires_at,
        must_change_password=account.must_change_password,
        account=AccountBrief(
            username=account.username,
            display_name=account.display_name,
            role=account.role.value,
            unit_code=account.unit_code,
            agency_code=account.agency_code,
        ),
    )


@router.delete(
    "/sessions/current",
    status_code=204,
    response_class=Response,
    responses=_refusals(401, 403),
)
async def sign_out(
    identity: CurrentIdentity, request: Request, accounts: AccountSessionsDep, settings: SettingsDep
) -> Response:
    """Sign out: the caller's session ends (kpi and the notifier stop accepting it within
    AUTH_CACHE_SECONDS). 403 auth.session_required for an API token."""
    await accounts.sign_out(_session_of(identity), client_address(request, settings.trusted_proxies))
    return Response(status_code=204)


@router.post(
    "/account/password",
    status_code=204,
    response_class=Response,
    responses=_refusals(401, 403, 422),
)
async def change_password(
    body: Annotated[PasswordChangeIn, Body()],
    identity: CurrentIdentity,
    request: Request,
    accounts: AccountSessionsDep,
    settings: SettingsDep,
) -> Response:
    """Change one's own password (at least 10 characters, not the username): this ends the initial
    password's restriction and the account's other sessions. A wrong current password counts as a
    failed sign-in (422 password.wrong_current; the lock ends every session)."""
    remote = client_address(request, settings.trusted_proxies)
    await accounts.change_password(_session_of(identity), body.current_password, body.new_password, remote)
    return Response(status_code=204)

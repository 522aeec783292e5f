"""Sign in, change the password, sign out: intake decides; the web keeps the answer in the cookie."""

from __future__ import annotations

from web.domain.session import Session, Viewer
from web.service_layer.ports import Intake


async def sign_in(intake: Intake, username: str, password: str) -> Session:
    """Raises ApiRefused: 401 auth.invalid_credentials, 423 auth.account_locked, 403 auth.account_inactive."""
    answer = await intake.sign_in(username.strip(), password)
    viewer = Viewer.from_account(answer["account"], bool(answer.get("must_change_password")))
    return Session(str(answer["token"]), viewer)


async def change_password(intake: Intake, session: Session, current: str, new: str) -> Session:
    """Raises ApiRefused with intake's field problems (422) when the new password does not fit."""
    await intake.change_password(session.token, current, new)
    return session.password_changed()


async def sign_out(intake: Intake, session: Session) -> None:
    await intake.sign_out(session.token)

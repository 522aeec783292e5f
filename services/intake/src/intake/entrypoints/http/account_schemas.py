"""Request and reply bodies of sign-in, sessions and accounts: one model per direction."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from intake.domain.accounts import Account
from intake.entrypoints.http.schemas import ProblemOut


class SignInIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"username": "cb09313", "password": "…"}]}
    )

    username: str = Field(
        min_length=1, max_length=64, description="Case and surrounding spaces do not matter."
    )
    password: str = Field(min_length=1, max_length=256)


class AccountBrief(BaseModel):
    username: str
    display_name: str
    role: str = Field(description="commune, agency, operator or admin")
    unit_code: str | None = Field(description="A commune clerk's commune or ward")
    agency_code: str | None = Field(description="An agency account's provincial body")


class SessionOut(BaseModel):
    token: str = Field(
        description="Send it as `Authorization: Bearer <token>` to intake, kpi and the notifier. Shown "
        "once; only its SHA-256 is stored."
    )
    expires_at: datetime = Field(description="The session's absolute end (SESSION_ABSOLUTE_HOURS)")
    idle_expires_at: datetime = Field(
        description="Its end unless used before (SESSION_IDLE_MINUTES; each use moves it on)"
    )
    must_change_password: bool = Field(
        description="True: the session may only change the password (POST /api/v1/account/password), "
        "read whoami and sign out until it does"
    )
    account: AccountBrief


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(
        max_length=256, description="At least 10 characters, not the username, not the current password."
    )


class AccountIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "cb09313",
                    "display_name": "Nguyễn Văn A",
                    "role": "commune",
                    "unit_code": "09313",
                }
            ]
        },
    )

    username: str = Field(max_length=64, description="3–40 of a–z, 0–9, '.', '_', '-' (stored in lower case)")
    display_name: str = Field(max_length=200, description="The person's name, at most 100 characters")
    role: str = Field(max_length=20, description="commune, agency, operator or admin")
    unit_code: str | None = Field(
        default=None, max_length=10, description="Required for commune, only for it"
    )
    agency_code: str | None = Field(
        default=None, max_length=40, description="Required for agency, only for it"
    )
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30, description="0912345678 or +84912345678")


class AccountOut(AccountBrief):
    email: str | None
    phone: str | None
    active: bool
    must_change_password: bool
    locked_until: datetime | None = Field(description="Set while the account is locked after failed sign-ins")
    last_sign_in_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, account: Account, now: datetime) -> AccountOut:
        return cls(
            username=account.username,
            display_name=account.display_name,
            role=account.role.value,
            unit_code=account.unit_code,
            agency_code=account.agency_code,
            email=account.email,
            phone=account.phone,
            active=account.active,
            must_change_password=account.must_change_password,
            locked_until=account.login.locked_until if account.login.locked_at(now) else None,
            last_sign_in_at=account.last_sign_in_at,
            created_at=account.created_at,
        )


class AccountsOut(BaseModel):
    accounts: list[AccountOut]


class AccountCreatedOut(BaseModel):
    account: AccountOut
    initial_password: str = Field(description="Shown once: give it to the person, who must change it")


class InitialPasswordOut(BaseModel):
    username: str
    initial_password: str = Field(description="Shown once: give it to the person, who must change it")


class AccountsImportedOut(BaseModel):
    accounts: list[InitialPasswordOut]


class ImportRowOut(BaseModel):
    row: int = Field(description="The line of the file")
    username: str
    display_name: str
    role: str
    unit_code: str | None
    agency_code: str | None
    email: str | None
    phone: str | None


class AccountsDryRunOut(BaseModel):
    dry_run: bool = Field(default=True, description="Nothing was created; send again with dry_run=false")
    rows: list[ImportRowOut] = Field(
        description="The accounts the file would create (the rows without errors)"
    )
    errors: list[ProblemOut] = Field(
        description="Every problem with its row and column (sheet 'CSV'); the commit creates nothing while "
        "there is one"
    )

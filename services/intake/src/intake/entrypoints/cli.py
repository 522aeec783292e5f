"""`intake` command: the common service commands plus tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bdhvs_shared.cli import service_cli
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.entrypoints import account_import_cli  # noqa: F401  # registers `accounts import`
from intake.entrypoints.account_cli import accounts_app
from intake.entrypoints.docs import asyncapi_document, openapi_document
from intake.settings import IntakeSettings

if TYPE_CHECKING:
    from bdhvs_shared.catalogue import Catalogue

T = TypeVar("T")


def _settings() -> IntakeSettings:
    return IntakeSettings()  # type: ignore[call-arg]  # read from the environment


app = service_cli(
    "intake",
    _settings,
    create_app,
    Path(__file__).parents[1] / "adapters" / "migrations",
    openapi_document,
    asyncapi_document,
)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(accounts_app, name="accounts")


@token_app.command("create")
def create_token(
    role: Annotated[Role, typer.Option(help="commune, agency, operator or admin")],
    unit: Annotated[str | None, typer.Option(help="Unit code, required for role commune")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency code, required for role agency")] = None,
    label: Annotated[str, typer.Option(help="Who the token is for")] = "",
    expires_in: Annotated[
        str | None,
        typer.Option(help="Expire after this long: a whole number of hours, days or weeks (12h, 90d, 2w)"),
    ] = None,
) -> None:
    """Create a token and print it (shown once; only its digest is stored)."""
    from intake.domain.durations import parse_duration

    if (role is Role.COMMUNE) != (unit is not None):
        raise typer.BadParameter("--unit is required for role commune, and only for it")
    if (role is Role.AGENCY) != (agency is not None):
        raise typer.BadParameter("--agency is required for role agency, and only for it")
    try:
        lifetime = None if expires_in is None else parse_duration(expires_in)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--expires-in") from exc
    print(asyncio.run(_create_token(role, unit, label, agency, lifetime)))


def _now() -> datetime:
    """The service's clock (BDHVS_CLOCK_START shifts it, as it does the running service)."""
    from bdhvs_shared.clock import clock_from_iso

    return clock_from_iso(_settings().clock_start).now()


async def _create_token(
    role: Role,
    unit: str | None,
    label: str,
    agency: str | None = None,
    lifetime: timedelta | None = None,
) -> str:
    from intake.adapters.tokens import create_token as create

    async def checked_then_created(session: Any) -> str:
        catalogue = await _catalogue_in_force(session)
        if unit is not None and catalogue.unit(unit) is None:
            raise typer.BadParameter(f"unknown unit {unit}")
        if agency is not None and agency not in catalogue.agencies:
            raise typer.BadParameter(f"unknown agency {agency} (known: {', '.join(catalogue.agencies)})")
        now = _now()
        expires_at = None if lifetime is None else now + lifetime
        return await create(session, role, unit, label, now, agency, expires_at)

    return await _with_session(checked_then_created)


async def _catalogue_in_force(session: Any) -> Catalogue:
    """The catalogue the running intake validates against: the latest an admin published (intake's
    tables), the packaged one until then."""
    from bdhvs_shared.catalogue import catalogue_from_texts
    from intake.adapters import catalogue_store
    from intake.service_layer.catalogue_admin import files_in_force

    return catalogue_from_texts(files_in_force(await catalogue_store.latest(session)))


@token_app.command("list")
def list_tokens() -> None:
    """Every token: id, role, unit or agency, label, created, expires, and whether it is active, expired
    or revoked (never the secret). Times in UTC."""
    now = _now()
    for row in asyncio.run(_with_session(_list)):
        cells = [str(row[k] or "-") for k in ("id", "role", "unit_code", "agency_code", "label")]
        expires = row["expires_at"]
        if row["revoked_at"]:
            state = f"revoked {_utc(row['revoked_at'])}"
        elif expires is not None and expires <= now:
            state = "expired"
        else:
            state = "active"
        expiry = "expires never" if expires is None else f"expires {_utc(expires)}"
        print("\t".join([*cells, _utc(row["created_at"]), expiry, state]))


def _utc(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M}"


@token_app.command("revoke")
def revoke_token(token_id: Annotated[str, typer.Argument(help="The id shown by `token list`")]) -> None:
    """Revoke a token. kpi and notifier stop accepting it within AUTH_CACHE_SECONDS (AUTH_STALE_SECONDS
    at worst, while intake cannot answer them)."""
    import uuid

    try:
        parsed = uuid.UUID(token_id)
    except ValueError as exc:
        raise typer.BadParameter(f"not a token id: {token_id}") from exc
    if not asyncio.run(_with_session(lambda session: _revoke(session, parsed))):
        print(f"no active token {token_id}")
        raise typer.Exit(1)
    print(f"revoked {token_id}")


async def _list(session: Any) -> list[dict[str, Any]]:
    from intake.adapters.tokens import list_tokens as listed

    return await listed(session)


async def _revoke(session: Any, token_id: Any) -> bool:
    from intake.adapters.tokens import revoke

    return await revoke(session, token_id, _now())


async def _with_session(work: Callable[[Any], Awaitable[T]]) -> T:
    from bdhvs_shared.db.engine import make_engine, make_sessionmaker

    engine = make_engine(_settings().database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


@token_app.command("create-many")
def create_many_tokens() -> None:
    """Create several tokens in one transaction (all or none), e.g. a demo province's clerks.

    Reads one line per token from stdin, `role<TAB>unit or agency code (or -)<TAB>label`, and prints
    `role<TAB>code<TAB>token` for each, in the same order (shown once; only digests are stored)."""
    import sys

    wanted = [line.rstrip("\n").split("\t") for line in sys.stdin if line.strip()]
    if any(len(fields) != 3 for fields in wanted):
        raise typer.BadParameter("each line: role<TAB>unit or agency code (or -)<TAB>label")
    rows = [(Role(role), None if code == "-" else code, label) for role, code, label in wanted]
    tokens = asyncio.run(_with_session(lambda session: _create_many(session, rows)))
    for (role, code, _), token in zip(rows, tokens, strict=True):
        print(f"{role.value}\t{code or '-'}\t{token}")


async def _create_many(session: Any, rows: list[tuple[Role, str | None, str]]) -> list[str]:
    from intake.adapters.tokens import create_token as create

    catalogue, now, tokens = await _catalogue_in_force(session), _now(), []
    for role, code, label in rows:
        unit = code if role is Role.COMMUNE else None
        agency = code if role is Role.AGENCY else None
        if unit is not None and catalogue.unit(unit) is None:
            raise typer.BadParameter(f"unknown unit {unit}")
        if agency is not None and agency not in catalogue.agencies:
            raise typer.BadParameter(f"unknown agency {agency}")
        tokens.append(await create(session, role, unit, label, now, agency))
    return tokens

"""`intake` command: the common service commands plus tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bdhvs_shared.cli import service_cli
from intake.bootstrap import create_app
from intake.docs import asyncapi_document, openapi_document
from intake.domain.principal import Role
from intake.settings import IntakeSettings

T = TypeVar("T")


def _settings() -> IntakeSettings:
    return IntakeSettings()  # type: ignore[call-arg]  # read from the environment


app = service_cli(
    "intake",
    _settings,
    create_app,
    Path(__file__).parent / "adapters" / "migrations",
    openapi_document,
    asyncapi_document,
)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def create_token(
    role: Annotated[Role, typer.Option(help="commune, agency, operator or admin")],
    unit: Annotated[str | None, typer.Option(help="Unit code, required for role commune")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency code, required for role agency")] = None,
    label: Annotated[str, typer.Option(help="Who the token is for")] = "",
) -> None:
    """Create a token and print it (shown once; only its digest is stored)."""
    if (role is Role.COMMUNE) != (unit is not None):
        raise typer.BadParameter("--unit is required for role commune, and only for it")
    if (role is Role.AGENCY) != (agency is not None):
        raise typer.BadParameter("--agency is required for role agency, and only for it")
    print(asyncio.run(_create_token(role, unit, label, agency)))


async def _create_token(role: Role, unit: str | None, label: str, agency: str | None = None) -> str:
    from bdhvs_shared.catalogue import load_catalogue
    from bdhvs_shared.clock import SystemClock
    from intake.adapters.tokens import create_token as create

    catalogue = load_catalogue()
    if unit is not None and catalogue.unit(unit) is None:
        raise typer.BadParameter(f"unknown unit {unit}")
    if agency is not None and agency not in catalogue.agencies:
        raise typer.BadParameter(f"unknown agency {agency} (known: {', '.join(catalogue.agencies)})")
    return await _with_session(
        lambda session: create(session, role, unit, label, SystemClock().now(), agency)
    )


@token_app.command("list")
def list_tokens() -> None:
    """Every token: id, role, unit or agency, label, created, revoked (never the secret)."""
    for row in asyncio.run(_with_session(_list)):
        cells = [str(row[k] or "-") for k in ("id", "role", "unit_code", "agency_code", "label")]
        revoked = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        print("\t".join([*cells, f"{row['created_at']:%Y-%m-%d %H:%M}", revoked]))


@token_app.command("revoke")
def revoke_token(token_id: Annotated[str, typer.Argument(help="The id shown by `token list`")]) -> None:
    """Revoke a token. kpi and notifier stop accepting it within AUTH_CACHE_SECONDS."""
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
    from bdhvs_shared.clock import SystemClock
    from intake.adapters.tokens import revoke

    return await revoke(session, token_id, SystemClock().now())


async def _with_session(work: Callable[[Any], Awaitable[T]]) -> T:
    from bdhvs_shared.db.engine import make_engine, make_sessionmaker

    engine = make_engine(_settings().database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()

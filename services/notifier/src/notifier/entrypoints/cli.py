"""`notifier` command: the common service commands plus the recipient directory."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bdhvs_shared.cli import service_cli
from notifier.adapters.directory_files import DEMO_FILE
from notifier.bootstrap import create_app
from notifier.entrypoints.docs import asyncapi_document, openapi_document
from notifier.settings import NotifierSettings


def _settings() -> NotifierSettings:
    return NotifierSettings()  # type: ignore[call-arg]  # read from the environment


app = service_cli(
    "notifier",
    _settings,
    create_app,
    Path(__file__).parents[1] / "adapters" / "migrations",
    openapi_document,
    asyncapi_document,
)
recipients_app = typer.Typer(help="Contact directory.", no_args_is_help=True)
app.add_typer(recipients_app, name="recipients")


@recipients_app.command("load")
def load(
    path: Annotated[
        Path, typer.Argument(help="CSV: unit_code,role,name,email[,phone,webhook_url,channels,active]")
    ] = DEMO_FILE,
) -> None:
    """Replace the contact directory with the rows of a CSV file (all or nothing, audited as `cli`)."""
    from bdhvs_shared.db.engine import make_engine, make_sessionmaker
    from notifier.adapters.stores import transactions
    from notifier.service_layer.directory_admin import DirectoryRejected, load_recipients

    async def run() -> int:
        engine = make_engine(_settings().database_url)
        try:
            return await load_recipients(transactions(make_sessionmaker(engine)), path)
        finally:
            await engine.dispose()

    try:
        loaded = asyncio.run(run())
    except DirectoryRejected as exc:  # nothing was stored: say why, line by line
        for problem in exc.problems:
            where = f"line {getattr(problem, 'line', '?')}, {getattr(problem, 'column', problem.code)}"
            print(f"{path}: {where}: {problem.code}: {problem.message}")
        raise typer.Exit(1) from None
    print(f"{loaded} recipients loaded from {path}")


@recipients_app.command("load-demo-if-empty")
def load_demo_if_empty() -> None:
    """Load the demo directory (one address per unit) unless recipients exist already."""
    from bdhvs_shared.db.engine import make_engine, make_sessionmaker
    from notifier.adapters.directory import has_contacts
    from notifier.adapters.stores import transactions
    from notifier.service_layer.directory_admin import load_recipients

    async def run() -> int:
        engine = make_engine(_settings().database_url)
        try:
            sessions = make_sessionmaker(engine)
            async with sessions() as session:
                if await has_contacts(session):
                    return 0
            return await load_recipients(transactions(sessions), DEMO_FILE)
        finally:
            await engine.dispose()

    print(f"{asyncio.run(run())} demo recipients loaded")

"""The commands every service has: serve, migrate, its generated API documents, and `streams`
(backup and restore of the JetStream streams, `bdhvs_shared.streams_cli`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bdhvs_shared.settings import ServiceSettings

if TYPE_CHECKING:  # imported by `serve` only: the other commands start without the web stack
    from fastapi import FastAPI


def service_cli(
    name: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[Any], FastAPI],
    migrations: Path,
    openapi: Callable[[], dict[str, Any]],
    asyncapi: Callable[[], dict[str, Any]],
) -> typer.Typer:
    app = typer.Typer(help=f"BDHVS {name} service.", no_args_is_help=True)

    @app.command()
    def serve() -> None:
        """Run the service (HTTP API, consumers, outbox relay) until SIGINT/SIGTERM."""
        import uvicorn

        settings = settings_factory()
        uvicorn.run(
            app_factory(settings),
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            loop="uvloop",  # the event loop, the broker's and the database driver's too
            http="httptools",
        )

    @app.command()
    def migrate() -> None:
        """Apply this service's database migrations (its own schema only)."""
        from bdhvs_shared.db.migrations import upgrade

        upgrade(migrations, settings_factory().database_url)

    @app.command("openapi")
    def print_openapi() -> None:
        """Print the OpenAPI document."""
        print(json.dumps(openapi(), indent=2, ensure_ascii=False))

    @app.command("asyncapi")
    def print_asyncapi() -> None:
        """Print the AsyncAPI document of the events consumed and published."""
        print(json.dumps(asyncapi(), indent=2, ensure_ascii=False))

    from bdhvs_shared.streams_cli import streams_cli

    app.add_typer(streams_cli(), name="streams")
    return app

"""`kpi` command."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bdhvs_shared.cli import service_cli
from bdhvs_shared.progress import progress
from kpi.settings import KpiSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

# Each command imports what it needs when it runs: `kpi rebuild` and `kpi verify` start without
# FastAPI, FastStream and the HTTP routes (docs/benchmark.md, "the kpi command's start").


def _settings() -> KpiSettings:
    return KpiSettings()  # type: ignore[call-arg]  # read from the environment


def _create_app(settings: KpiSettings) -> FastAPI:
    from kpi.bootstrap import create_app

    return create_app(settings)


def _openapi() -> dict[str, Any]:
    from kpi.entrypoints.docs import openapi_document

    return openapi_document()


def _asyncapi() -> dict[str, Any]:
    from kpi.entrypoints.docs import asyncapi_document

    return asyncapi_document()


app = service_cli(
    "kpi",
    _settings,
    _create_app,
    Path(__file__).parents[1] / "adapters" / "migrations",
    _openapi,
    _asyncapi,
)


@app.command("rebuild")
def rebuild_command(
    batch_size: Annotated[int, typer.Option(min=1, help="Messages fetched per pull from REPORTS.")] = 5000,
    force: Annotated[bool, typer.Option(help="Rebuild even if a kpi instance seems to be running.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes replaying REPORTS, each the units whose code hashes to it (1: in this "
            "process). Each reads the whole stream: on 2 cores shared with nats-server, 2 were slower "
            "than 1 (docs/benchmark.md).",
        ),
    ] = 1,
) -> None:
    """Replay the whole REPORTS stream into fresh projections and swap them in (kpi stopped)."""
    from kpi.entrypoints.maintenance import ServiceRunning, run_rebuild

    try:
        with progress("kpi rebuild: luồng REPORTS", unit="tin") as shown:
            result = asyncio.run(run_rebuild(_settings(), batch_size, force, shown, workers))
    except ServiceRunning as exc:
        typer.echo(f"Không dựng lại: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(result.summary())


@app.command("verify")
def verify_command(
    stream: Annotated[
        bool, typer.Option(help="Also compare the observations with the REPORTS stream.")
    ] = True,
) -> None:
    """Recompute every projection and compare with the live tables; exit 1 on any difference."""
    from kpi.entrypoints.maintenance import run_verify

    with progress("kpi verify: luồng REPORTS", unit="tin") as shown:
        differences, summary = asyncio.run(run_verify(_settings(), stream, shown))
    for line in differences:
        typer.echo(line)
    typer.echo(summary)
    if differences:
        raise typer.Exit(1)

"""`bdhvs-local`: run the whole system on this machine (make run), or benchmark it (make bench)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Run BDHVS locally with embedded NATS and PostgreSQL.", no_args_is_help=True)


@app.command()
def run(
    run_dir: Annotated[Path, typer.Option(help="Where data, logs and mail are kept")] = Path(".run"),
) -> None:
    """Start everything, print the URLs and demo tokens, and stop cleanly on Ctrl-C or SIGTERM."""
    from bdhvs_local.demo_accounts import demo_accounts
    from bdhvs_local.stack import Stack
    from bdhvs_shared.catalogue import load_catalogue

    ports = {
        name: int(os.environ.get(f"{name.upper()}_PORT", default))
        for name, default in (("intake", 8000), ("kpi", 8001), ("notifier", 8002))
    }
    stack = Stack(run_dir.resolve(), ports=ports)
    stopping = False

    def on_signal(signum: int, _: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    endpoints = stack.start()
    tokens = stack.demo_tokens()
    print("BDHVS is running:")
    for name, value in vars(endpoints).items():
        print(f"  {name:14} {value}")
    catalogue = (
        load_catalogue()
    )  # as shipped: an admin may have published a newer one (GET /api/v1/catalogue)
    kpis = [c for c, i in catalogue.indicators.items() if i.kpi]
    others = [c for c, i in catalogue.indicators.items() if not i.kpi]
    print(
        f"  catalogue      version {catalogue.version} (as shipped): {len(catalogue.units)} communes and "
        f"wards, KPIs {', '.join(kpis)}, operational indicators {', '.join(others)}, "
        f"forms {', '.join(catalogue.forms)}"
    )
    print(f"  mail is kept in {run_dir / 'mail'}; endpoints in {run_dir / 'endpoints.json'}")
    if endpoints.notifier_channels == "email":
        print("  SMS and webhooks are off: set SMS_GATEWAY_URL + SMS_API_KEY, WEBHOOK_SECRET to turn them on")
    print("Demo tokens (also in .run/tokens.json):")
    for role, token in tokens.items():
        print(f"  {role:16} {token}")
    print("Demo accounts (POST /api/v1/sessions; a password is shown once, or set BDHVS_DEMO_PASSWORD):")
    for username, role, password in demo_accounts(endpoints, stack.extra_env):
        print(f"  {role:16} {username:10} {password}")
    print("Try (two months of a commune's figures; d falls behind its target, an email follows):")
    for period, c, d in (("2026-02", 14000, 8500), ("2026-03", 15000, 9000)):
        values = {"c": {"numerator": c, "denominator": 18000}, "d": {"numerator": d, "denominator": 18000}}
        body = json.dumps({"unit_code": "09313", "form": "monthly", "period": period, "values": values})
        print(
            f"  curl -s -X POST {endpoints.intake_url}/api/v1/reports -H 'Authorization: Bearer "
            f"{tokens.get('commune:09313', '')}' -H 'Content-Type: application/json' -d '{body}'"
        )
    commune, operator = tokens.get("commune:09313", ""), tokens.get("operator", "")
    print(
        f"  curl -s '{endpoints.kpi_url}/api/v1/attainment?unit=09313' -H 'Authorization: Bearer {commune}'"
    )
    print(
        f"  curl -s '{endpoints.notifier_url}/api/v1/notifications' -H 'Authorization: Bearer {operator}'; "
        f"ls {run_dir / 'mail'}"
    )
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while not stopping:
            dead = [s.name for s in stack.services.values() if not s.alive()]
            if dead:
                print(f"service(s) stopped unexpectedly: {', '.join(dead)}; see {run_dir / 'logs'}")
                raise typer.Exit(1)
            time.sleep(0.5)
    finally:
        print("Stopping…", flush=True)
        stack.stop()
        print("Stopped.")


@app.command()
def docs(
    write: Annotated[bool, typer.Option("--write", help="Regenerate the committed documents")] = False,
    check: Annotated[bool, typer.Option("--check", help="Fail if a committed document is stale")] = False,
) -> None:
    """Generate (or check) docs/asyncapi/*.json and docs/openapi/*.json from the code."""
    from bdhvs_local import docs as documents

    if write:
        for path in documents.write():
            print(f"wrote {path}")
    if check:
        stale = documents.stale()
        if stale:
            print("stale, run `make docs`: " + ", ".join(map(str, stale)))
            raise typer.Exit(1)
        print("API documents are up to date")


@app.command()
def bench(
    reports: Annotated[int, typer.Option(help="Reports in the throughput run")] = 1000,
    concurrency: Annotated[int, typer.Option(help="Concurrent HTTP clients")] = 32,
    warmup: Annotated[int, typer.Option(help="Reports sent before the throughput run")] = 200,
    rate: Annotated[float, typer.Option(help="Reports per second in the latency run")] = 100.0,
    seconds: Annotated[float, typer.Option(help="Length of the latency run")] = 10.0,
    rebuild_reports: Annotated[
        int, typer.Option(help="Synthetic reports stored before timing `kpi rebuild` (0: skip)")
    ] = 100_000,
    rebuild_batch: Annotated[int, typer.Option(help="`kpi rebuild --batch-size`")] = 5000,
    baseline_messages: Annotated[int, typer.Option(help="Messages in the JetStream baseline")] = 20_000,
    baseline_rows: Annotated[int, typer.Option(help="Single-row commits in the PostgreSQL baseline")] = 2000,
    profile_dir: Annotated[
        Path | None,
        typer.Option(help="py-spy profiles of the services during the throughput run, written here"),
    ] = None,
) -> None:
    """Measure the pipeline, the rebuild and the raw baselines on a fresh stack of its own; print them."""
    from bdhvs_local.bench import Sizes
    from bdhvs_local.bench import run as run_bench

    run_bench(
        Sizes(
            reports=reports,
            concurrency=concurrency,
            warmup=warmup,
            rate=rate,
            seconds=seconds,
            rebuild_reports=rebuild_reports,
            rebuild_batch=rebuild_batch,
            baseline_messages=baseline_messages,
            baseline_rows=baseline_rows,
        ),
        profile_dir,
    )


# Operations (docs/operations/): run against production with an admin DATABASE_URL and NATS_URL.
def _admin_env() -> tuple[str, str]:
    database_url, nats_url = os.environ.get("DATABASE_URL"), os.environ.get("NATS_URL")
    if not database_url or not nats_url:
        print("set DATABASE_URL (a superuser or the database owner) and NATS_URL (the admin user)")
        raise typer.Exit(2)
    return database_url, nats_url


@app.command("backup")
def backup_command(
    to: Annotated[Path, typer.Option("--to", help="New directory for the backup")],
) -> None:
    """pg_dump of each service schema and a dump of every JetStream stream."""
    from bdhvs_local.backup import backup

    manifest = backup(*_admin_env(), to)
    print(f"backup written to {to}: {json.dumps(manifest)}")


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Option("--from", help="A directory written by `backup`")],
    replicas: Annotated[int, typer.Option(help="Stream replicas (3 on a NATS cluster)")] = 1,
    wipe_first: Annotated[bool, typer.Option("--wipe", help="Drop the schemas and streams first")] = False,
) -> None:
    """Bring back the schemas and the streams (services stopped; schemas and streams absent)."""
    from bdhvs_local.backup import restore, wipe

    database_url, nats_url = _admin_env()
    if wipe_first:
        typer.confirm("Drop schemas intake, kpi, notifier and every stream, then restore?", abort=True)
        wipe(database_url, nats_url)
    counts = restore(database_url, nats_url, source, replicas)
    print(f"restored from {source}; stream messages re-published: {json.dumps(counts)}")


@app.command("dlq")
def dlq_command(
    action: Annotated[str, typer.Argument(help="list, or replay (all, or --seq)")] = "list",
    seq: Annotated[list[int] | None, typer.Option(help="Only these DLQ sequence numbers")] = None,
) -> None:
    """List the dead-lettered messages, or send them back to their subjects once the cause is fixed."""
    import asyncio

    from bdhvs_local.dlq import dead_letters, replay

    nats_url = _admin_env()[1]
    letters = [d for d in asyncio.run(dead_letters(nats_url)) if not seq or d.seq in seq]
    if action == "list":
        for d in letters:
            print(f"{d.seq:>6}  {d.consumer:<14} {d.subject:<40} event {d.event_id}  {d.reason}")
        print(f"{len(letters)} message(s) in the DLQ")
    elif action == "replay":
        print(f"replayed {asyncio.run(replay(nats_url, letters))} message(s)")
    else:
        raise typer.BadParameter("list or replay")

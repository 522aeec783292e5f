"""`bdhvs-local`: run the whole system on this machine (make run), or benchmark it (make bench)."""

from __future__ import annotations

import functools
import json
import os
import secrets
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer

from bdhvs_shared.progress import Progress, progress

app = typer.Typer(help="Run BDHVS locally with embedded NATS and PostgreSQL.", no_args_is_help=True)


def _ports() -> dict[str, int]:
    """The services' ports: INTAKE_PORT, KPI_PORT, NOTIFIER_PORT, WEB_PORT or the defaults."""
    return {
        name: int(os.environ.get(f"{name.upper()}_PORT", default))
        for name, default in (("intake", 8000), ("kpi", 8001), ("notifier", 8002), ("web", 8003))
    }


@app.command()
def run(
    run_dir: Annotated[Path, typer.Option(help="Where data, logs and mail are kept")] = Path(".run"),
) -> None:
    """Start everything, print the URLs and demo tokens, and stop cleanly on Ctrl-C or SIGTERM."""
    from bdhvs_local import welcome
    from bdhvs_local.serving import StopSignals, serve
    from bdhvs_local.stack import Stack

    stack = Stack(run_dir.resolve(), ports=_ports())
    signals = StopSignals()
    endpoints = stack.start()
    try:
        tokens = stack.demo_tokens()
        welcome.accounts(endpoints, stack.extra_env, run_dir.resolve())  # first: where people sign in
        welcome.addresses(endpoints, run_dir)
        welcome.tokens(tokens)
        welcome.try_it(endpoints, tokens, run_dir)
    except BaseException:  # e.g. Ctrl-C while the demo tokens are made: PostgreSQL runs detached
        stack.stop()
        raise
    serve(stack, run_dir, signals)


@app.command()
def demo(
    run_dir: Annotated[Path, typer.Option(help="Where data, logs and mail are kept")] = Path(".run"),
    seed: Annotated[int, typer.Option(help="Seed of the generator: same seed, same province")] = 2025,
    months: Annotated[int | None, typer.Option(help="Only the last N months (default: from 2025-01)")] = None,
    units: Annotated[
        int | None,
        typer.Option(
            help="Only N communes and wards file (default: all; the others are missing, and chased)"
        ),
    ] = None,
    stay: Annotated[bool, typer.Option("--stay/--exit", help="Keep the stack running afterwards")] = True,
    youth_weekly: Annotated[
        bool,
        typer.Option(help="The Youth Union's weekly form too (about 80 % of the reports)"),
    ] = True,
) -> None:
    """Fill the system with a demo province (2025-01 to now, every unit and form) through intake's API,
    in demo mode; print where to look; keep running until Ctrl-C (--exit: stop once filled)."""
    from bdhvs_local.demo.cli import demo as run_demo

    run_demo(run_dir, seed, months, units, stay, _ports(), youth_weekly)


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
    demo: Annotated[
        bool, typer.Option("--demo", help="Seed the stack with `make demo`'s province first (demo mode)")
    ] = False,
    demo_months: Annotated[int | None, typer.Option(help="--demo: only the last N months")] = None,
    demo_units: Annotated[int | None, typer.Option(help="--demo: only N communes and wards")] = None,
    units: Annotated[
        int,
        typer.Option(
            help="The country: publish a synthetic catalogue of N units (3321: every commune of the 34 "
            "provinces); the throughput run is then one monthly report per unit (0: the packaged catalogue)"
        ),
    ] = 0,
    kpi_replicas: Annotated[
        str | None,
        typer.Option(help="Only the throughput run, once per count of kpi processes on one consumer: 1,2,3"),
    ] = None,
) -> None:
    """Measure the pipeline, the rebuild and the raw baselines on a fresh stack of its own; print them."""
    from bdhvs_local.bench import Sizes
    from bdhvs_local.bench import run as run_bench
    from bdhvs_local.bench.demo_data import run_on_demo

    if demo and (units or kpi_replicas):
        raise typer.BadParameter("--demo runs on the demo province: not with --units or --kpi-replicas")
    counts = _counts(kpi_replicas) if kpi_replicas else None
    on_demo = functools.partial(run_on_demo, months=demo_months, units=demo_units)
    (on_demo if demo else functools.partial(run_bench, kpi_replicas=counts))(
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
            units=units,
        ),
        profile_dir,
    )


def _counts(text: str) -> list[int]:
    """`1,2,3` → [1, 2, 3]: how many kpi processes in each run."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise typer.BadParameter(f"{text!r}: counts separated by commas, e.g. 1,2,3") from None
    if not counts or min(counts) < 1 or max(counts) > 8:
        raise typer.BadParameter(f"{text!r}: each count from 1 to 8")
    return counts


@app.command("bench-web")
def bench_web(
    requests: Annotated[int, typer.Option(help="Requests per page (after 3 not counted)")] = 100,
    profile_dir: Annotated[
        Path | None, typer.Option(help="py-spy profiles of the services while the pages are timed")
    ] = None,
) -> None:
    """The web figures on a fresh stack of its own: page server times over 99 communes × 24 months,
    and a report's 201 to the dashboard showing it."""
    from bdhvs_local.bench.web_run import run as run_web_bench

    run_web_bench(requests, profile_dir)


@app.command()
def authz(
    concurrency: Annotated[int, typer.Option(help="Requests in flight at once")] = 16,
    sample: Annotated[int | None, typer.Option(help="Only this many (commune, other unit) pairs")] = None,
) -> None:
    """Every commune token against every other unit on every endpoint naming one, on a stack of its
    own; prints `authz: P pairs x endpoints tried, A allowed` last (exit 1 unless all refused)."""
    from bdhvs_local.authz.runner import run as run_authz

    raise typer.Exit(run_authz(concurrency, sample))


@app.command()
def soak(
    rate: Annotated[float, typer.Option(help="Reports per second, sent open loop")] = 100.0,
    seconds: Annotated[float, typer.Option(help="Length of the run")] = 600.0,
) -> None:
    """A steady load of reports on a stack of its own; per-minute latency, RSS, 5xx, timeouts, KPI
    events; prints `soak: R reports/s for S s, …` last (exit 1 on a 5xx or a KPI event not seen)."""
    from bdhvs_local.soak import run as run_soak

    raise typer.Exit(run_soak(rate, seconds))


@app.command()
def chaos(
    faults: Annotated[int, typer.Option(help="Faults to inject (the long form: 200)")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the faults' kinds and moments, and of the load")] = 16,
    rate: Annotated[float, typer.Option(help="Reports per second while the faults are injected")] = 10.0,
    run_dir: Annotated[Path | None, typer.Option(help="Keep the stack's data and logs here")] = None,
) -> None:
    """Inject faults into a stack of its own under load; drain; check and print the invariants (exit 1
    if one does not hold). The last line is `chaos: F faults, A reports accepted, …`."""
    import tempfile

    from bdhvs_local.chaos import Plan
    from bdhvs_local.chaos import run as run_chaos

    with tempfile.TemporaryDirectory(prefix="bdhvs-chaos-") as scratch:
        ok = run_chaos(Plan(faults=faults, seed=seed, rate=rate), (run_dir or Path(scratch)).resolve())
    raise typer.Exit(0 if ok else 1)


# Operations (docs/operations/): run against production with an admin DATABASE_URL and NATS_URL.
def _admin_env() -> tuple[str, str]:
    database_url, nats_url = os.environ.get("DATABASE_URL"), os.environ.get("NATS_URL")
    if not database_url or not nats_url:
        print("set DATABASE_URL (a superuser or the database owner) and NATS_URL (the admin user)")
        raise typer.Exit(2)
    return database_url, nats_url


def _shown(description: str, total: int | None) -> AbstractContextManager[Progress]:
    """Progress of a stream's backup or restore on stderr: a bar on a terminal, lines elsewhere."""
    return progress(description, total, unit="tin")


@app.command("backup")
def backup_command(
    to: Annotated[Path, typer.Option("--to", help="New directory for the backup")],
) -> None:
    """pg_dump of each service schema and a dump of every JetStream stream."""
    from bdhvs_local.backup import backup

    manifest = backup(*_admin_env(), to, shows=_shown)
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
    counts = restore(database_url, nats_url, source, replicas, shows=_shown)
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


nats_user = typer.Typer(
    help="Outside systems' NATS users, read-only on their streams (docs/operations/nats-users.md).",
    no_args_is_help=True,
)
app.add_typer(nats_user, name="nats-user")
RunDir = Annotated[Path, typer.Option(help="The local stack's directory (make run)")]


@nats_user.command("add")
def nats_user_add(
    name: Annotated[
        str, typer.Argument(help="The outside system, e.g. dashboard (also its consumers' name)")
    ],
    stream: Annotated[list[str], typer.Option(help="A stream it may read (KPI, REPORTS, ALERTS, CATALOGUE)")],
    run_dir: RunDir = Path(".run"),
    deployment: Annotated[
        bool, typer.Option("--deployment", help="Print the lines for Kubernetes or compose; change nothing")
    ] = False,
) -> None:
    """Create (or change) the user; its password comes from NATS_USER_PASSWORD or is made and printed
    once. Locally it is written into the stack's nats-server configuration and the server reloaded."""
    from bdhvs_local import nats_users
    from bdhvs_local.nats_config import LocalNatsConfig

    given = os.environ.get("NATS_USER_PASSWORD") or None
    try:
        if deployment:
            streams = nats_users.check_grant(name, stream)
            variable = nats_users.environment_variable(name)
            print(f"# accounts.conf, after the line {nats_users.MARKER!r}:")
            print(nats_users.user_entry(name, f"${variable}", streams))
            print(f"# nats-server's environment: {variable} (e.g. key {name} of the Secret bdhvs-nats)")
            password = given or secrets.token_urlsafe(24)
        else:
            config = LocalNatsConfig(run_dir.resolve() / "nats")
            password = config.add_user(name, stream, given)
            reloaded = config.reload()
            print(f"{name}: " + ("nats-server reloaded" if reloaded else "applies when `make run` starts"))
    except nats_users.UserError as error:
        print(error)
        raise typer.Exit(2) from None
    if given is None:
        print(f"password (shown once): {password}")
    print(f"connect as {name} with inbox prefix {nats_users.inbox_prefix(name)}; consumers named {name}")


@nats_user.command("remove")
def nats_user_remove(name: Annotated[str, typer.Argument()], run_dir: RunDir = Path(".run")) -> None:
    """Take the local user away (its connections are closed on reload)."""
    from bdhvs_local.nats_config import LocalNatsConfig

    config = LocalNatsConfig(run_dir.resolve() / "nats")
    if not config.remove_user(name):
        print(f"no user {name}")
        raise typer.Exit(1)
    config.reload()
    print(f"removed {name}")


@nats_user.command("list")
def nats_user_list(run_dir: RunDir = Path(".run")) -> None:
    """The local stack's outside systems and their streams (never their passwords)."""
    from bdhvs_local.nats_config import LocalNatsConfig

    for name, user in sorted(LocalNatsConfig(run_dir.resolve() / "nats").users().items()):
        print(f"{name:<24} {' '.join(user['streams'])}")

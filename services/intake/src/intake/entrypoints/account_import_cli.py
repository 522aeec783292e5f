"""`intake accounts import FILE.csv`: many accounts from the CSV the API imports (POST
/api/v1/accounts/import), all or nothing, with progress for a large file.

Hashing each initial password (argon2id) is what takes time: from `PROGRESS_FROM_ROWS` accounts on, a
bar on a terminal or a line every 5 s on stderr counts them (`bdhvs_shared.progress`). The initial
passwords go to stdout as CSV (username,initial_password), once: redirect them to a file kept safe.
"""

from __future__ import annotations

import asyncio
import csv
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bdhvs_shared.progress import progress, silent
from intake.entrypoints.account_cli import _settings, _with_admin, accounts_app

PROGRESS_FROM_ROWS = 50  # below this the accounts are hashed in a few seconds: no progress shown


@accounts_app.command("import")
def import_accounts(
    path: Annotated[
        Path, typer.Argument(help="CSV: username,display_name,role,unit_code,agency_code,email,phone")
    ],
    dry_run: Annotated[bool, typer.Option(help="Check only: list the problems, create nothing")] = False,
) -> None:
    """Create every account of a CSV file in one transaction, or none while one row is wrong."""
    from intake.adapters.account_csv import read_accounts
    from intake.domain.account_problems import AccountRefused
    from intake.service_layer.account_admin import Actor

    try:
        keys, rows = read_accounts(path.read_bytes(), _settings().import_max_rows)
    except AccountRefused as exc:
        _refused([p.message for p in exc.problems])

    async def work(admin: Any, _: Any) -> list[tuple[Any, str]] | None:
        plan = admin.plan_import(keys, rows)
        if not plan.errors:
            plan = await admin.check_taken(keys, plan)
        if plan.errors:
            _refused([e.problem.message for e in plan.errors])
        if dry_run:
            return None
        description, total = "intake accounts import: mật khẩu", len(plan.rows)
        shows = (
            progress(description, total, unit="tài khoản")
            if total >= PROGRESS_FROM_ROWS
            else silent(description)
        )
        with shows as shown:
            created: list[tuple[Any, str]] = await admin.commit_import(Actor("cli"), plan, shown)
        return created

    created = asyncio.run(_with_admin(work))
    if created is None:
        print(f"{path}: {len(rows)} rows, no problem (dry run: nothing created)", file=sys.stderr)
        return
    out = csv.writer(sys.stdout)
    out.writerow(["username", "initial_password"])
    out.writerows([(account.username, password) for account, password in created])
    print(f"created {len(created)} accounts: change each password at the first sign-in", file=sys.stderr)


def _refused(messages: list[str]) -> None:
    for message in messages:
        print(message, file=sys.stderr)
    raise typer.Exit(1)

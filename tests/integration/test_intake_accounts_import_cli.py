"""`intake accounts import FILE.csv` on a real database (issue 15, item 6): a file of 60 accounts is
created in one transaction, the initial passwords printed once as CSV on stdout, and the progress of
the hashing counted on stderr (plain lines: not a terminal); a file with a wrong row creates nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import asyncpg
import pytest
from test_intake_accounts_cli import accounts_cli

from bdhvs_shared.catalogue import load_catalogue


def accounts_file(path: Path, units: list[str]) -> Path:
    lines = ["username,display_name,role,unit_code,agency_code,email,phone"]
    lines += [f"cb{u},Cán bộ {u},commune,{u},,," for u in units]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.timeout(300)
async def test_a_large_import_creates_every_account_and_counts_the_hashing_on_stderr(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    units = sorted(load_catalogue().units)[:60]
    wrong = accounts_file(tmp_path / "wrong.csv", [*units[:5], "00001"])
    refused = accounts_cli(database_url, "import", str(wrong))
    assert refused.returncode == 1 and "00001" in refused.stderr
    assert await db.fetchval("SELECT count(*) FROM intake.accounts") == 0

    done = accounts_cli(database_url, "import", str(accounts_file(tmp_path / "many.csv", units)))
    assert done.returncode == 0, done.stderr
    printed = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["username"] for r in printed] == [f"cb{u}" for u in units]
    assert all(len(r["initial_password"]) >= 12 for r in printed)
    assert await db.fetchval("SELECT count(*) FROM intake.accounts") == 60
    lines = done.stderr.splitlines()
    assert lines[0].startswith("intake accounts import: mật khẩu: ") and "/60 tài khoản" in lines[0]
    assert any(
        line.startswith("intake accounts import: mật khẩu: xong 60 tài khoản trong ") for line in lines
    )

"""`make run`'s people: an admin, an operator and the demo commune's clerk, created once in intake.

Their passwords come from BDHVS_DEMO_PASSWORD when it is set (at least 10 characters); otherwise each
gets a one-time initial password, printed once at the start that created it and kept nowhere (to be
changed at the first sign-in; `intake accounts reset-password --username …` makes a new one).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from bdhvs_local.stack import Endpoints, _cli

PASSWORD_ENV = "BDHVS_DEMO_PASSWORD"


def demo_accounts(endpoints: Endpoints, extra_env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(username, role, password or why it is not shown) of each demo account."""
    env = {
        "DATABASE_URL": endpoints.database_url,
        "NATS_URL": "nats://unused:4222",
        **{k: v for k, v in extra_env.items() if k == "BDHVS_CLOCK_START"},  # the services' clock
    }
    out = _cli("intake", ["accounts", "create-demo", "--password-env", PASSWORD_ENV], env)
    lines = [line.split("\t") for line in out.splitlines() if line.count("\t") == 2]
    return [(name, role, password) for name, role, password in lines]


def kept_demo_accounts(
    run_dir: Path, endpoints: Endpoints, extra_env: dict[str, str]
) -> dict[str, dict[str, str]]:
    """role → {username, password} for the line `make run` prints first. Made once: the password is
    BDHVS_DEMO_PASSWORD or chosen here, and kept in run_dir/accounts.json (0600, never committed) so
    every start can say how to sign in; delete run_dir to start over."""
    path = run_dir / "accounts.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    password = os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(12)
    os.environ[PASSWORD_ENV] = password  # create-demo reads it: each account gets it, no change needed
    made = demo_accounts(endpoints, extra_env)
    accounts = {
        role: {"username": name, "password": password if shown != "(exists)" else shown}
        for name, role, shown in made
    }
    path.write_text(json.dumps(accounts, indent=2))
    path.chmod(0o600)
    return accounts
